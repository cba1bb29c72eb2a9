//go:build amd64 && !purego

package gemm

//go:generate go run gen_kernels.go

// kern8x24avx512 is the AVX-512F microkernel for an 8×24 tile (24 zmm accumulators).
// Its contract is that of kernGeneric with mr = 8, nr = 24.
//
//go:noescape
func kern8x24avx512(kc int, a, b, c []float64, ldc int, alpha, beta float64)

// kern4x12avx2 is the AVX2+FMA microkernel for a 4×12 tile (12 ymm accumulators).
// Its contract is that of kernGeneric with mr = 4, nr = 12.
//
//go:noescape
func kern4x12avx2(kc int, a, b, c []float64, ldc int, alpha, beta float64)

func init() {
	avx2FMA, avx512 := cpuFeatures()
	if avx2FMA {
		kernels = append([]kernel{{name: "avx2", mr: 4, nr: 12, fn: kern4x12avx2}}, kernels...)
	}
	if avx512 {
		kernels = append([]kernel{{name: "avx512", mr: 8, nr: 24, fn: kern8x24avx512}}, kernels...)
	}
	active = kernels[0]
}
