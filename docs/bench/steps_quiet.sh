#!/bin/sh
# Issue 24: the optimizer steps against PyTorch float32 in ONE run on a QUIET host, at both
# kernel levels of this CPU, with two threads and with one, in interleaved rounds.
#
#   MLP 784-256-256-10, batch 128, float32 path: sam's BenchmarkOptimizerStep32 (SGD, SAM,
#     m-SAM m = 16 and m = 4) against docs/bench/peers/torch_sam.py --dtype float32 (its
#     m-SAM as the micro-batch loop and with functorch's vmap);
#   study CNN, batch 128 (float64, nn's BenchmarkCNNStep: SGD, SAM, m-SAM m = 16) against
#     docs/bench/cnn_peer.py --dtype float32.
#
# Level avx2 = SDEML_CPU=avx2 against OpenBLAS forced to its Haswell kernels and oneDNN
# capped at AVX2 (the stand-in for an AVX2-only CPU on an AVX-512 host); level avx512 = the
# defaults of both. Per round, level and thread count t (2, then 1): Go MLP, PyTorch MLP,
# Go CNN, PyTorch CNN, each with GOMAXPROCS = t (-test.cpu t) or torch.set_num_threads(t)
# and OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = t, OMP_WAIT_POLICY=PASSIVE (PyTorch's
# OpenMP threads sleep instead of spinning while they wait). The figures to compare are
# wall-clock ms per step (Go: ns/op; PyTorch: the printed ms); the Go lines also give the
# process CPU time per step (cpu-ms/op). On a loaded host wall-clock figures mean nothing:
# the script prints the load before every block, and the host should be idle (load < 1.5).
#
# Usage, from the repository root:
#   sh docs/bench/steps_quiet.sh OUT [rounds (3)] [levels ("avx2 avx512")]
# writes the raw output to OUT (and a line per block to stderr);
#   /usr/bin/python3 docs/bench/steps_quiet_summary.py OUT
# prints it as a Markdown table with the speedups. QUICK=1 runs each block
# with a token count (an end-to-end check of the script, not a measurement). About 10
# minutes for 3 rounds on an idle 2-core host.
set -e
. docs/bench/peer_env.sh
out=${1:?usage: sh docs/bench/steps_quiet.sh OUT [rounds] [levels]}
rounds=${2:-3}
levels=${3:-"avx2 avx512"}
py=/usr/bin/python3
gosteps=50 cnnsteps=20 pysteps=10 pyreps=3
if [ -n "$QUICK" ]; then
	gosteps=2 cnnsteps=1 pysteps=1 pyreps=1
fi
tmp=${TMPDIR:-/tmp}/sdeml_steps_quiet.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/sam.test" ./sam
go test -c -o "$tmp/nn.test" ./nn
exec 3>"$out"
log() { echo "$@" >&3; echo "$@" >&2; }
log "# docs/bench/steps_quiet.sh rounds=$rounds levels=\"$levels\" QUICK=${QUICK:-} commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
log "# host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores, flags:$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f)$' | tr '\n' ' ')"
log "# $(date -u), load $(cut -d' ' -f1-3 /proc/loadavg)"
$py -c 'import re, torch; c = torch.__config__.show(); print("# torch", torch.__version__, "|", " ".join(re.findall(r"CPU capability usage: \w+|BLAS_INFO=\w+", c)))' >&3
for r in $(seq "$rounds"); do
	for lvl in $levels; do
		peerenv=$(peer_env "$lvl")
		for t in 2 1; do
			thr="OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t"
			log "=== round $r, level $lvl (SDEML_CPU=$lvl; peer env: $peerenv), threads $t, $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
			echo "--- Go MLP float32 (BenchmarkOptimizerStep32, -cpu $t)" >&3
			env SDEML_CPU=$lvl $thr "$tmp/sam.test" -test.run XXX -test.bench 'OptimizerStep32/opt=(sgd|sam|msam16|msam4)/' -test.benchtime=${gosteps}x -test.cpu $t | grep Bench >&3
			echo "--- PyTorch MLP float32 (torch_sam.py --threads $t)" >&3
			env $peerenv $thr $py docs/bench/peers/torch_sam.py --dtype float32 --threads $t --steps $pysteps >&3
			echo "--- Go CNN float64 (BenchmarkCNNStep, -cpu $t)" >&3
			env SDEML_CPU=$lvl $thr "$tmp/nn.test" -test.run XXX -test.bench 'CNNStep/opt=(sgd|sam|msam16)$' -test.benchtime=${cnnsteps}x -test.cpu $t | grep Bench | sed "s/\$/ level=$lvl/" >&3
			echo "--- PyTorch CNN float32 (cnn_peer.py --threads $t)" >&3
			env $peerenv $thr $py docs/bench/cnn_peer.py --dtype float32 --threads $t --steps $pysteps --reps $pyreps >&3
		done
	done
done
log "# end $(date -u), load $(cut -d' ' -f1-3 /proc/loadavg)"
