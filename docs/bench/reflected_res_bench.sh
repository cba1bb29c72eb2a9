#!/bin/sh
# Go and PyTorch timings of the residual score network, one after the other in one run
# (docs/PERFORMANCE.md, "reflected: residual score network").
set -e
cd "$(dirname "$0")/../.."
date -u
uname -r
grep -m1 "model name" /proc/cpuinfo
grep -o -m1 -w "avx512f\|avx2" /proc/cpuinfo | sort -u | tr '\n' ' '; echo
uptime
go run ./examples/reflectedrecipe -task speed
/usr/bin/python3 docs/bench/reflected_res_peer.py
uptime
