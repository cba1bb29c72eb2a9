#!/usr/bin/env bash
# Headline benchmarks of docs/PERFORMANCE.md: each Go benchmark followed at once by its peer,
# in one run on one machine. Usage, from the repository root, with the peers' Debian packages
# installed (python3-torch, python3-numpy, python3-scipy):
#
#	bash docs/bench/run_all.sh 2>&1 | tee docs/bench/results.txt
#
# The peers run with the system Python (/usr/bin/python3), which is where Debian installs them.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${SHARED:-docs/bench/peers}
py=/usr/bin/python3
gobench() { go test -run '^$' -benchmem "$@" | grep -E '^(Benchmark|ok|FAIL)'; }
section() { echo; echo "=== $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"; }

section "machine"
go version
grep -m1 'model name' /proc/cpuinfo
nproc

section "optimizer step, MLP 784-256-256-10, batch 128, float64 (sam)"
gobench -bench 'OptimizerStep/opt=(sgd|sam|msam16|msam4|rwsam)$' -benchtime=300x -count=3 ./sam/
# PyTorch's 2-thread step times drift by up to 2x between runs; each dtype runs twice and
# the headline table takes the faster figure per line (the one most favourable to the peer).
for rep in 1 2; do
	section "peer: torch_sam.py float32, 2 threads, run $rep"
	$py $shared/torch_sam.py --dtype float32 --threads 2 --steps 50
	section "peer: torch_sam.py float64, 2 threads, run $rep"
	$py $shared/torch_sam.py --dtype float64 --threads 2 --steps 50
done

section "nn: gradient and per-sample gradient norms, batch 128"
gobench -bench 'MLPGrad|PerSampleGradNorms|HVP' -benchtime=200x ./nn/

section "GEMM shapes of the MLP, float64 (internal/gemm)"
gobench -bench 'Dgemm/.*/.*/impl=(gemm|gonum)$' -benchtime=300x ./internal/gemm/
section "peer: torch.matmul, 2 threads"
$py internal/gemm/testdata/torch_matmul.py --threads 2 --reps 300

section "reflected heat-kernel score, t log-uniform in [1e-4, 2]"
gobench -bench 'Score1D$' -benchtime=2000000x -count=3 ./reflected/
section "peer: numpy hk (Lou & Ermon's scheme)"
$py $shared/numpy_peers.py hk

section "Euler-Maruyama GBM, 1e4 paths x 1e3 steps (sde)"
gobench -bench 'NormFloat64|Normal' -benchtime=20000000x ./sde/
gobench -bench 'EulerMaruyamaGBM/.*/paths=10000' -benchtime=3x -count=3 ./sde/
section "peer: numpy em"
$py $shared/numpy_peers.py em

section "exact W1, two 2000-point samples in 2-D (internal/ot)"
gobench -bench 'W1/m=2000' -benchtime=3x -count=3 ./internal/ot/
section "peer: scipy linear_sum_assignment"
$py $shared/numpy_peers.py lsap

section "meanfield steps"
gobench -bench 'BenchmarkStep/tanh/(GD|SGD)/N=4096|BenchmarkMNISTStep' -benchtime=200x ./meanfield/
section "peer: numpy meanfield step"
$py docs/bench/meanfield_peer.py

section "sgn"
gobench -bench '.' -benchtime=5x ./sgn/

section "reflected sampler and DSM step"
gobench -bench 'Sampler|DSMStep' -benchtime=5x ./reflected/
