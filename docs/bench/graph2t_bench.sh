#!/bin/sh
# The float32 (mixed-precision) Graph path against PyTorch at two threads, wall clock:
# ResNet-8 optimizer steps (nn's BenchmarkResNetStep and BenchmarkResNetStep32, peer
# docs/bench/resnet_peer.py) and the U-Net score network's DSM step and score of 64 images
# (reflected's BenchmarkUNetDSMStep/Score64 and their ...32 twins, peer docs/bench/unet_peer.py),
# Go float32 and float64 (GOMAXPROCS=2) beside PyTorch float32 and float64
# (torch.set_num_threads(2), time.perf_counter), all in the same rounds. The Go lines give
# wall ns/op and cpu-ms/op, the peers wall ms (unet_peer.py also CPU ms). Quote it on a quiet
# host: at two threads wall time is what a user waits, and other jobs distort it.
# Usage, from the repository root: sh docs/bench/graph2t_bench.sh [rounds]
set -e
rounds=${1:-1}
go test -c -o /tmp/nn_graph2t.test ./nn
go test -c -o /tmp/reflected_graph2t.test ./reflected
date -u
uptime
grep -m1 'model name' /proc/cpuinfo
grep -o -m1 'avx512f' /proc/cpuinfo || echo "no avx512f"
for r in $(seq "$rounds"); do
	echo "=== round $r, load $(cut -d' ' -f1-3 /proc/loadavg)"
	GOMAXPROCS=2 /tmp/nn_graph2t.test -test.run XXX -test.bench 'ResNetStep(32)?$' -test.benchtime=4x -test.benchmem | grep Bench
	/usr/bin/python3 docs/bench/resnet_peer.py --dtype float32 --threads 2 --steps 4 --reps 1 --clock wall
	/usr/bin/python3 docs/bench/resnet_peer.py --dtype float64 --threads 2 --steps 3 --reps 1 --clock wall --only sgd,sam
	GOMAXPROCS=2 /tmp/reflected_graph2t.test -test.run XXX -test.bench 'UNet(DSMStep|Score64)(32|_32)?$' -test.benchtime=4x -test.benchmem | grep Bench
	/usr/bin/python3 docs/bench/unet_peer.py 2 3
done
uptime
