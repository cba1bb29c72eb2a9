#!/bin/sh
# Runs the Go GEMM benchmarks and the torch.matmul peer back to back (same machine, same
# run), then the nn/sam step benchmarks and the torch_sam.py peer. Usage, from the repo root:
#   sh internal/gemm/testdata/run_bench.sh > gemm-bench.txt 2>&1
set -e
uptime
go test -run XXX -bench 'Dgemm/.*/.*/impl=(gemm|gonum)$' -benchtime=300x -count 3 -benchmem ./internal/gemm/
go test -run XXX -bench 'Kernel' -benchtime=20000x ./internal/gemm/
/usr/bin/python3 internal/gemm/testdata/torch_matmul.py --threads 2 --reps 300
uptime
# one thread each: less sensitive to other load on the machine
go test -run XXX -bench 'Dgemm/.*/.*/impl=gemm$' -benchtime=300x -count 3 -cpu 1 ./internal/gemm/
/usr/bin/python3 internal/gemm/testdata/torch_matmul.py --threads 1 --reps 300
uptime
go test -run XXX -bench 'MLPGrad/batch=128' -benchtime=200x -count 3 -benchmem ./nn/
go test -run XXX -bench 'OptimizerStep/opt=(sgd|sam)$' -benchtime=100x -count 3 -benchmem ./sam/
for dt in float64 float32; do
	echo "torch_sam.py --dtype $dt"
	/usr/bin/python3 docs/bench/peers/torch_sam.py --dtype $dt --threads 2 --steps 20
done
uptime
