#!/bin/sh
# One optimizer step of the study CNN, batch 128 (nn's BenchmarkCNNStep), and one
# Hessian-vector product (BenchmarkCNNHVP): rounds of the Go
# benchmark back to back with the PyTorch peer (docs/bench/cnn_peer.py) in float32 and
# float64, 2 threads. Optional second argument: an nn test binary of an older commit, run in
# the same rounds for a before/after comparison.
# Usage, from the repository root: sh docs/bench/cnn_bench.sh [rounds] [old.test]
set -e
rounds=${1:-5}
old=$2
go test -c -o /tmp/nn_cnn_new.test ./nn
date -u
uptime
for r in $(seq "$rounds"); do
	echo "=== round $r, load $(cut -d' ' -f1-3 /proc/loadavg)"
	/tmp/nn_cnn_new.test -test.run XXX -test.bench 'CNNStep|CNNHVP' -test.benchtime=20x -test.benchmem | grep Bench
	if [ -n "$old" ]; then
		"$old" -test.run XXX -test.bench CNNStep -test.benchtime=10x | grep Bench | sed 's/^/old /'
	fi
	/usr/bin/python3 docs/bench/cnn_peer.py --dtype float32 --threads 2 --steps 10 --reps 3
	/usr/bin/python3 docs/bench/cnn_peer.py --dtype float64 --threads 2 --steps 5 --reps 3
done
uptime
