#!/usr/bin/env bash
# Go benchmarks of meanfield and the numpy peer, run back to back (docs/parts/meanfield-performance.md).
# Usage: docs/bench/meanfield_bench.sh [rounds]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
for r in $(seq "$rounds"); do
	echo "== round $r"
	go test -run '^$' -bench 'BenchmarkStep/tanh/(GD|SGD)/N=4096|BenchmarkMNISTStep' -benchtime=200x -benchmem ./meanfield/ | grep Benchmark
	/usr/bin/python3 docs/bench/meanfield_peer.py
done
