#!/bin/sh
# Solver overhead (issue 29 item 4): rounds of
#   - the numpy peer on the 10^4-path GBM (sde/testdata/em_cpu.py),
#   - BenchmarkEulerMaruyamaGBM at 10^4 paths in every callback form
#     (separate Drift+Diffusion, fused DriftDiffusion, batch),
#   - BenchmarkOverhead: Solve and SolveEnsemble against a hand-written loop of
#     the same method with the same random numbers, per callback form, d = 1, 10.
# CPU time per path-step is the figure to compare on a shared machine.
# Optional second argument: a test binary of an older commit (with these
# benchmarks), run in the same rounds for a before/after comparison.
# Usage, from the repository root: sh docs/bench/sde_overhead_bench.sh [rounds] [old.test]
set -e
rounds=${1:-3}
old=$2
go test -c -o /tmp/sde_overhead.test ./sde
date -u
uptime
grep -m1 'model name' /proc/cpuinfo
uname -r
for r in $(seq "$rounds"); do
	/usr/bin/python3 sde/testdata/em_cpu.py
	/tmp/sde_overhead.test -test.run XXX -test.bench 'EulerMaruyamaGBM/.*/paths=10000$' -test.benchtime=10x -test.benchmem | grep Bench
	/tmp/sde_overhead.test -test.run XXX -test.bench 'Overhead' -test.benchtime=5x -test.benchmem | grep Bench
	if [ -n "$old" ]; then
		"$old" -test.run XXX -test.bench 'EulerMaruyamaGBM/.*/paths=10000$|Overhead' -test.benchtime=5x | grep Bench | sed 's/^/old /'
	fi
done
uptime
