#!/bin/sh
# Issue 24 item 2: the float32 compute path (nn.Supervised32, gemm.Sgemm) against PyTorch
# float32 in the same run, in interleaved rounds, at both kernel levels of this CPU. Level
# avx2 = SDEML_CPU=avx2 against OpenBLAS forced to its Haswell kernels (and oneDNN capped at
# AVX2); level avx512 = the defaults of both. Per level and round:
#   MLP 784-256-256-10 step, batch 128, two threads, process CPU time: sam's
#     BenchmarkOptimizerStep32 cpu-ms/op with -cpu 2; torch_sam.py --dtype float32 --threads 2
#     --cpu-time with OPENBLAS_NUM_THREADS=2;
#   the same with one thread (-cpu 1; --threads 1 and OPENBLAS_NUM_THREADS=1), and sdeml's
#     float64 steps (BenchmarkOptimizerStep) for reference;
#   float32 GEMM on the MLP shapes, one thread, thread CPU time (TestSgemmCPUTime;
#     torch_matmul.py --dtypes float32 --cpu-time).
# CPU time does not count waiting for a core, so the figures hold on a loaded machine better
# than wall time; with two threads it also counts spinning while a thread waits for the other.
# Usage, from the repository root: sh docs/bench/f32_bench.sh [rounds] [levels] > out.txt 2>&1
set -e
. docs/bench/peer_env.sh
rounds=${1:-2}
levels=${2:-"avx2 avx512"}
py=/usr/bin/python3
go test -c -o /tmp/sdeml_f32_gemm.test ./internal/gemm
go test -c -o /tmp/sdeml_f32_sam.test ./sam
grep -m1 'model name' /proc/cpuinfo
date -u
for r in $(seq "$rounds"); do
	for lvl in $levels; do
		peerenv=$(peer_env "$lvl")
		echo "=== round $r, level $lvl, peer env: $peerenv, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
		for t in 2 1; do
			echo "--- MLP step, $t thread(s), process CPU time (load $(cut -d' ' -f1 /proc/loadavg))"
			SDEML_CPU=$lvl /tmp/sdeml_f32_sam.test -test.run XXX -test.bench 'OptimizerStep32/opt=(sgd|sam|msam16|msam4)/' -test.benchtime=20x -test.cpu $t | grep Bench
			if [ "$t" = 1 ]; then
				SDEML_CPU=$lvl /tmp/sdeml_f32_sam.test -test.run XXX -test.bench 'OptimizerStep$/opt=(sgd|sam|msam4)$' -test.benchtime=20x -test.cpu 1 | grep Bench
			fi
			echo "torch_sam.py --dtype float32 --threads $t"
			env $peerenv OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t $py docs/bench/peers/torch_sam.py --dtype float32 --threads $t --steps 5 --cpu-time
		done
		echo "--- float32 gemm, one thread, thread CPU time"
		SDEML_CPU=$lvl /tmp/sdeml_f32_gemm.test -test.run 'TestSgemmCPUTime$' -test.v -gemm.cputime -gemm.cpuflops 5e8 | grep GFLOP
		env $peerenv OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $py internal/gemm/testdata/torch_matmul.py --threads 1 --cpu-time --reps 1 --flops 5e8 --dtypes float32
	done
done
date -u
uptime
