#!/usr/bin/env bash
# Go benchmarks of meanfield and the numpy peer, run back to back (docs/PERFORMANCE.md).
# Usage: docs/bench/meanfield_bench.sh [rounds]   (from the repository root)
# Each round: wall clock with 2 threads (go test -bench, numpy default threads), then CPU time on one
# thread (Go: thread CPU time with GOMAXPROCS = 1; numpy: process CPU time with OPENBLAS_NUM_THREADS=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
go test -c -o /tmp/meanfield.bench.test ./meanfield/
for r in $(seq "$rounds"); do
	echo "== round $r: wall clock"
	/tmp/meanfield.bench.test -test.run '^$' -test.bench 'BenchmarkStep/tanh/(GD|SGD)/N=4096|BenchmarkMNISTStep' -test.benchtime=200x -test.benchmem | grep Benchmark
	/usr/bin/python3 docs/bench/meanfield_peer.py
	echo "== round $r: CPU time, one thread"
	/tmp/meanfield.bench.test -test.run TestStepCPUTime -test.v -meanfield.cputime | grep us/step
	/usr/bin/python3 docs/bench/meanfield_peer.py --threads 1
done
