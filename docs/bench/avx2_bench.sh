#!/bin/sh
# Issue 24: the kernels of each level on this CPU against PyTorch in the same run, in
# interleaved rounds (Go, peer, Go, peer). Level avx2 = sdeml with SDEML_CPU=avx2 (AVX-512
# dispatch disabled) against PyTorch with OpenBLAS forced to its Haswell (AVX2) kernels and
# oneDNN capped at AVX2; level avx512 = the defaults of both. Per level and round:
#   GEMM, one thread, thread CPU time (TestCPUTime; torch_matmul.py --cpu-time, float64);
#   GEMM, two threads, wall clock (BenchmarkDgemm; torch_matmul.py, float64 and float32);
#   MLP 784-256-256-10 step, batch 128 (sam's BenchmarkOptimizerStep; torch_sam.py);
#   study CNN step, batch 128 (nn's BenchmarkCNNStep; cnn_peer.py).
# Usage, from the repository root: sh docs/bench/avx2_bench.sh [rounds] [levels] > out.txt 2>&1
set -e
rounds=${1:-3}
levels=${2:-"avx2 avx512"}
py=/usr/bin/python3
go test -c -o /tmp/sdeml_cpu.test ./internal/cpu
go test -c -o /tmp/sdeml_gemm.test ./internal/gemm
go test -c -o /tmp/sdeml_sam.test ./sam
go test -c -o /tmp/sdeml_nn.test ./nn
grep -m1 'model name' /proc/cpuinfo
date -u
for r in $(seq "$rounds"); do
	for lvl in $levels; do
		if [ "$lvl" = avx2 ]; then
			peerenv="OPENBLAS_CORETYPE=Haswell ONEDNN_MAX_CPU_ISA=AVX2"
		else
			peerenv="OPENBLAS_CORETYPE="
		fi
		echo "=== round $r, level $lvl, peer env: $peerenv, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
		SDEML_CPU=$lvl /tmp/sdeml_cpu.test -test.run TestActiveFlags -test.v | grep 'kernel level'
		echo "--- gemm, one thread, thread CPU time"
		SDEML_CPU=$lvl /tmp/sdeml_gemm.test -test.run 'TestCPUTime$' -test.v -gemm.cputime | grep GFLOP
		env $peerenv $py internal/gemm/testdata/torch_matmul.py --threads 1 --cpu-time --dtypes float64
		echo "--- gemm, two threads, wall clock"
		SDEML_CPU=$lvl /tmp/sdeml_gemm.test -test.run XXX -test.bench 'Dgemm/.*/.*/impl=gemm$' -test.benchtime=200x | grep Bench
		env $peerenv $py internal/gemm/testdata/torch_matmul.py --threads 2 --reps 200
		echo "--- MLP step (load $(cut -d' ' -f1 /proc/loadavg))"
		SDEML_CPU=$lvl /tmp/sdeml_sam.test -test.run XXX -test.bench 'OptimizerStep/opt=(sgd|sam|msam4)$' -test.benchtime=40x -test.benchmem | grep Bench
		for dt in float64 float32; do
			echo "torch_sam.py --dtype $dt"
			env $peerenv $py docs/bench/peers/torch_sam.py --dtype $dt --threads 2 --steps 20
		done
		echo "--- CNN step (load $(cut -d' ' -f1 /proc/loadavg))"
		SDEML_CPU=$lvl /tmp/sdeml_nn.test -test.run XXX -test.bench 'CNNStep' -test.benchtime=20x -test.benchmem | grep Bench
		env $peerenv $py docs/bench/cnn_peer.py --dtype float32 --threads 2 --steps 10 --reps 3
		env $peerenv $py docs/bench/cnn_peer.py --dtype float64 --threads 2 --steps 5 --reps 3
	done
done
date -u
uptime
