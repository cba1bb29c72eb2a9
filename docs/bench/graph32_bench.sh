#!/bin/sh
# The float32 (mixed-precision) Graph path against PyTorch: ResNet-8 optimizer steps (nn's
# BenchmarkResNetStep and BenchmarkResNetStep32, peer docs/bench/resnet_peer.py) and the
# U-Net score network's DSM step and score of 64 images (reflected's
# BenchmarkUNetDSMStep/Score64 and their ...32 twins, peer docs/bench/unet_peer.py), Go
# float64 beside them, all in the same rounds, GOMAXPROCS=threads and
# torch.set_num_threads(threads).
#   threads = 1: CPU time (cpu-ms/op; the peer's time.process_time), PyTorch float32 only.
#   threads = 2: wall clock (ns/op; the peer's time.perf_counter), PyTorch float32 and
#   float64: what a user waits for; quote it from a quiet host only.
# Usage, from the repository root: sh docs/bench/graph32_bench.sh [rounds [threads]]
set -e
rounds=${1:-1}
threads=${2:-1}
go test -c -o /tmp/nn_graph32.test ./nn
go test -c -o /tmp/reflected_graph32.test ./reflected
date -u
uptime
grep -m1 'model name' /proc/cpuinfo
grep -o -m1 'avx512f' /proc/cpuinfo || echo "no avx512f"
for r in $(seq "$rounds"); do
	echo "=== round $r, threads $threads, load $(cut -d' ' -f1-3 /proc/loadavg)"
	GOMAXPROCS=$threads /tmp/nn_graph32.test -test.run XXX -test.bench 'ResNetStep(32)?$' -test.benchtime=4x -test.benchmem | grep Bench
	if [ "$threads" = 1 ]; then
		/usr/bin/python3 docs/bench/resnet_peer.py --dtype float32 --threads 1 --steps 3 --reps 1 --clock cpu
	else
		/usr/bin/python3 docs/bench/resnet_peer.py --dtype float32 --threads "$threads" --steps 4 --reps 1 --clock wall
		/usr/bin/python3 docs/bench/resnet_peer.py --dtype float64 --threads "$threads" --steps 3 --reps 1 --clock wall --only sgd,sam
	fi
	GOMAXPROCS=$threads /tmp/reflected_graph32.test -test.run XXX -test.bench 'UNet(DSMStep|Score64)(32|_32)?$' -test.benchtime=4x -test.benchmem | grep Bench
	/usr/bin/python3 docs/bench/unet_peer.py "$threads" 3
done
uptime
