#!/bin/sh
# One run of the D = 64 image-model benchmarks, Go then the PyTorch peer (2 threads each).
# Usage, from the repository root:  sh examples/reflected/peers/bench_image.sh
set -e
GOMAXPROCS=2 go test ./reflected -run '^$' -bench 'BenchmarkImageModel' -benchtime 3x -benchmem
THREADS=2 /usr/bin/python3 examples/reflected/peers/torch_dsm.py image
