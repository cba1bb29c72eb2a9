#!/bin/sh
# One optimizer step of ResNet-8 (width 16, batch normalisation), batch 128 (nn's
# BenchmarkResNetStep), back to back with the PyTorch peer (docs/bench/resnet_peer.py) in
# float32 and float64, 2 threads, in the same rounds.
# Usage, from the repository root: sh docs/bench/resnet_bench.sh [rounds]
set -e
rounds=${1:-1}
go test -c -o /tmp/nn_resnet.test ./nn
date -u
uptime
grep -m1 'model name' /proc/cpuinfo
for r in $(seq "$rounds"); do
	echo "=== round $r, load $(cut -d' ' -f1-3 /proc/loadavg)"
	/tmp/nn_resnet.test -test.run XXX -test.bench 'ResNetStep' -test.benchtime=5x -test.benchmem | grep Bench
	/usr/bin/python3 docs/bench/resnet_peer.py --dtype float32 --threads 2 --steps 3 --reps 1
	# float64 m-SAM16 takes minutes per step on a loaded host: left out by default
	/usr/bin/python3 docs/bench/resnet_peer.py --dtype float64 --threads 2 --steps 2 --reps 1 --only ${F64:-sgd,sam}
done
uptime
