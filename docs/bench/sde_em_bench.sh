#!/bin/sh
# Euler–Maruyama GBM, 10^4 paths × 10^3 steps: rounds of the numpy peer
# (sde/testdata/em_cpu.py, the loop of docs/bench/peers/numpy_peers.py em plus
# a CPU timer) back to back with the Go benchmark, per-path (fused) and batch
# callbacks. Optional second argument: a test binary of an older commit, run
# in the same rounds for a before/after comparison.
# Usage, from the repository root: sh docs/bench/sde_em_bench.sh [rounds] [old.test]
set -e
rounds=${1:-5}
old=$2
go test -c -o /tmp/sde_em_new.test ./sde
date -u
uptime
for r in $(seq "$rounds"); do
	/usr/bin/python3 sde/testdata/em_cpu.py
	/tmp/sde_em_new.test -test.run XXX -test.bench 'EulerMaruyamaGBM/.*/paths=10000$' -test.benchtime=10x -test.benchmem | grep Bench
	if [ -n "$old" ]; then
		"$old" -test.run XXX -test.bench 'EulerMaruyamaGBM/fused/paths=10000$' -test.benchtime=10x | grep Bench | sed 's/^/old /'
	fi
done
uptime
