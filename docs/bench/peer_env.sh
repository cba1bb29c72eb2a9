# Sourced by the benchmark scripts of docs/bench (". docs/bench/peer_env.sh").
# peer_env LEVEL prints the environment that puts PyTorch's libraries at sdeml's kernel
# level LEVEL on an AVX-512 host: for avx2, OpenBLAS forced to its Haswell kernels and
# oneDNN capped at AVX2 (the stand-in for an AVX2-only CPU); otherwise their defaults.
peer_env() {
	if [ "$1" = avx2 ]; then
		echo "OPENBLAS_CORETYPE=Haswell ONEDNN_MAX_CPU_ISA=AVX2"
	else
		echo "OPENBLAS_CORETYPE="
	fi
}
