#!/bin/sh
# The float32 (mixed-precision) Graph path against PyTorch float32 at one thread, CPU time:
# ResNet-8 optimizer steps (nn's BenchmarkResNetStep and BenchmarkResNetStep32, peer
# docs/bench/resnet_peer.py) and the U-Net score network's DSM step and score of 64 images
# (reflected's BenchmarkUNetDSMStep/Score64 and their ...32 twins, peer docs/bench/unet_peer.py),
# Go float64 beside them, all in the same rounds. GOMAXPROCS=1 and torch.set_num_threads(1).
# Usage, from the repository root: sh docs/bench/graph32_bench.sh [rounds]
set -e
rounds=${1:-1}
go test -c -o /tmp/nn_graph32.test ./nn
go test -c -o /tmp/reflected_graph32.test ./reflected
date -u
uptime
grep -m1 'model name' /proc/cpuinfo
grep -o -m1 'avx512f' /proc/cpuinfo || echo "no avx512f"
for r in $(seq "$rounds"); do
	echo "=== round $r, load $(cut -d' ' -f1-3 /proc/loadavg)"
	GOMAXPROCS=1 /tmp/nn_graph32.test -test.run XXX -test.bench 'ResNetStep(32)?$' -test.benchtime=3x -test.benchmem | grep Bench
	/usr/bin/python3 docs/bench/resnet_peer.py --dtype float32 --threads 1 --steps 3 --reps 1 --clock cpu
	GOMAXPROCS=1 /tmp/reflected_graph32.test -test.run XXX -test.bench 'UNet(DSMStep|Score64)(32|_32)?$' -test.benchtime=3x -test.benchmem | grep Bench
	/usr/bin/python3 docs/bench/unet_peer.py 1 3
done
uptime
