#!/bin/sh
# Issue 24: the kernels of each level on this CPU against PyTorch in the same run, in
# interleaved rounds (Go, peer, Go, peer). Level avx2 = sdeml with SDEML_CPU=avx2 (AVX-512
# dispatch disabled) against PyTorch with OpenBLAS forced to its Haswell (AVX2) kernels and
# oneDNN capped at AVX2; level avx512 = the defaults of both. Per level and round:
#   GEMM, one thread, thread CPU time (TestCPUTime; torch_matmul.py --cpu-time, float64);
#   GEMM, two threads, wall clock (BenchmarkDgemm; torch_matmul.py, float64);
#   MLP 784-256-256-10 step, batch 128, one thread, process CPU time (sam's
#     BenchmarkOptimizerStep cpu-ms/op with -cpu 1; torch_sam.py --threads 1 --cpu-time);
#   study CNN step, batch 128, one thread, process CPU time (nn's BenchmarkCNNStep cpu-ms/op
#     with -cpu 1; cnn_peer.py --threads 1 --cpu-time).
# CPU time, unlike wall time, does not count waiting for a core, so the one-thread figures
# hold on a loaded machine; the two-thread wall-clock ones do not (see the load printed).
# Usage, from the repository root: sh docs/bench/avx2_bench.sh [rounds] [levels] > out.txt 2>&1
set -e
. docs/bench/peer_env.sh
rounds=${1:-2}
levels=${2:-"avx2 avx512"}
py=/usr/bin/python3
one="OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1"
go test -c -o /tmp/sdeml_cpu.test ./internal/cpu
go test -c -o /tmp/sdeml_gemm.test ./internal/gemm
go test -c -o /tmp/sdeml_sam.test ./sam
go test -c -o /tmp/sdeml_nn.test ./nn
grep -m1 'model name' /proc/cpuinfo
date -u
for r in $(seq "$rounds"); do
	for lvl in $levels; do
		peerenv=$(peer_env "$lvl")
		echo "=== round $r, level $lvl, peer env: $peerenv, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
		SDEML_CPU=$lvl /tmp/sdeml_cpu.test -test.run TestActiveFlags -test.v | grep 'kernel level'
		echo "--- gemm, one thread, thread CPU time"
		SDEML_CPU=$lvl /tmp/sdeml_gemm.test -test.run 'TestCPUTime$' -test.v -gemm.cputime -gemm.cpuflops 1e9 | grep GFLOP
		env $peerenv $one $py internal/gemm/testdata/torch_matmul.py --threads 1 --cpu-time --reps 1 --flops 1e9 --dtypes float64
		echo "--- gemm, two threads, wall clock (load $(cut -d' ' -f1 /proc/loadavg))"
		SDEML_CPU=$lvl /tmp/sdeml_gemm.test -test.run XXX -test.bench 'Dgemm/.*/.*/impl=gemm$' -test.benchtime=100x | grep Bench
		SDEML_CPU=$lvl /tmp/sdeml_gemm.test -test.run XXX -test.bench 'Dgemm/cnn/.*/.*/impl=gemm$' -test.benchtime=100x | grep Bench
		env $peerenv $py internal/gemm/testdata/torch_matmul.py --threads 2 --reps 100 --dtypes float64
		echo "--- MLP step, one thread, process CPU time"
		SDEML_CPU=$lvl /tmp/sdeml_sam.test -test.run XXX -test.bench 'OptimizerStep/opt=(sgd|sam|msam16|msam4)$' -test.benchtime=20x -test.cpu 1 | grep Bench
		for dt in float64 float32; do
			echo "torch_sam.py --dtype $dt"
			env $peerenv $one $py docs/bench/peers/torch_sam.py --dtype $dt --threads 1 --steps 5 --cpu-time
		done
		echo "--- CNN step, one thread, process CPU time"
		SDEML_CPU=$lvl /tmp/sdeml_nn.test -test.run XXX -test.bench 'CNNStep' -test.benchtime=10x -test.cpu 1 | grep Bench
		env $peerenv $one $py docs/bench/cnn_peer.py --dtype float32 --threads 1 --steps 3 --reps 3 --cpu-time
		env $peerenv $one $py docs/bench/cnn_peer.py --dtype float64 --threads 1 --steps 2 --reps 3 --cpu-time
	done
done
date -u
uptime
