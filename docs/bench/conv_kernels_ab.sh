#!/bin/sh
# Same-run A/B of the float32 ResNet-8 steps (nn's BenchmarkResNetStep32) and U-Net DSM step
# and score (reflected's BenchmarkUNetDSMStep32, BenchmarkUNetScore64_32) between two builds,
# one thread, CPU time (cpu-ms/op), the builds interleaved round by round.
# Usage: sh docs/bench/conv_kernels_ab.sh DIR_A DIR_B [rounds]
# where each DIR holds nn.test and reflected.test built from one commit, e.g.
#   git worktree add /tmp/a <commit> && (cd /tmp/a && go test -c -o /tmp/A/nn.test ./nn &&
#   go test -c -o /tmp/A/reflected.test ./reflected)
set -e
a=$1
b=$2
rounds=${3:-3}
date -u
uptime
grep -m1 'model name' /proc/cpuinfo
grep -o -m1 'avx512f' /proc/cpuinfo || echo "no avx512f"
for r in $(seq "$rounds"); do
	for d in "$a" "$b"; do
		echo "=== round $r $d load $(cut -d' ' -f1-3 /proc/loadavg)"
		GOMAXPROCS=1 nice -n 5 "$d/nn.test" -test.run XXX -test.bench 'ResNetStep32' -test.benchtime=4x -test.benchmem | grep Bench
		GOMAXPROCS=1 nice -n 5 "$d/reflected.test" -test.run XXX -test.bench 'UNet(DSMStep|Score64)_?32$' -test.benchtime=4x -test.benchmem | grep Bench
	done
done
date -u
uptime
