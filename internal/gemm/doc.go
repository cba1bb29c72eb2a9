// Package gemm computes dense float64 matrix products C = α·op(A)·op(B) + β·C for the rest of
// sdeml (nn routes every forward, backward and per-sample-gradient product through it).
//
// # Method
//
// The product is computed as in Goto and van de Geijn, "Anatomy of high-performance matrix
// multiplication" (ACM TOMS 34(3), 2008) and the BLIS framework (Van Zee and van de Geijn,
// ACM TOMS 41(3), 2015): op(B) is packed once into column panels of nr columns, each block of
// kc = 256 rows contiguous; C is cut into tasks (blocks of rows and column panels), and each
// task calls a register-blocked microkernel on every mr×nr tile. Full mr-row panels of op(A)
// are read in place (a task's kc-deep block of op(A) stays in L2, and the kernel has a
// strided-A variant for each transpose); only the edge panel with fewer than mr rows is
// packed, zero-padded. Reading in place and packing give the same bits (tests check both). The microkernel keeps the whole tile in vector registers
// and performs one fused multiply-add per (i, j, p):
//
//	acc_ij ← fma(a_ip, b_pj, acc_ij),  p = p0, p0+1, …, p0+kc-1,  from acc_ij = +0,
//
// then writes c_ij ← fma(α, acc_ij, β·c_ij) (α·acc_ij when β = 0, so C is not read). The
// kc-blocks are taken in increasing p, the second and later ones with β = 1.
//
// Kernels: on amd64, an 8×24 AVX-512F kernel (24 zmm accumulators) when the CPU and the OS
// support it (checked with CPUID and XGETBV in assembly), else a 4×12 AVX2+FMA kernel (12 ymm
// accumulators), else, and on every other architecture or with the build tag purego, a
// portable 4×4 Go kernel using math.FMA. The two assembly kernels have narrow variants (8×16,
// and 6×8 with 12 ymm accumulators) that the packed driver takes for products whose n the
// wide tile would pad more (n = 16 or 32: the output channels of small convolutions, where
// 24-wide tiles would leave a third of their lanes empty, 12-wide ones a quarter). The
// AVX2 wide kernel also has edge variants that write the last column panel, when n is not
// a multiple of 12, in place with masked stores (VMASKMOVPD) instead of through a scratch
// tile (n = 10: the dense layers' outputs). With
// AVX, op(B) is packed by vector moves and 4×4 register transposes (pack_amd64.s); the
// environment variable SDEML_CPU (internal/cpu) can force the AVX2 or portable level on a
// faster CPU. Every kernel performs the same operations in
// the same order with single rounding per FMA, so all of them return the same bits; tests
// check this, for every kernel and its narrow variant, against a slow reference that
// states the order directly.
//
// Products with few rows (op(A) = A with m ≤ 32 on AVX-512: one sample or a micro-batch)
// skip the packing and read both operands in place (small.go): C = A·Bᵀ as dots of
// contiguous rows, with assembly kernels that transpose 8×8 (AVX-512) or 4×4 (AVX2) blocks
// of B in registers so that columns of C are vector lanes, and C = A·B as sums of rows of
// B. They accumulate every element in the same order, so they too return the same bits.
//
// Forward products with a few more rows than that and many more columns (op(A) = A, op(B) =
// Bᵀ, m ≤ 32, n ≥ 8m, k ≥ kc: a micro-batch through a wide layer) are computed transposed
// (swap.go): Cᵀ = α·op(B)ᵀ·op(A)ᵀ + β·Cᵀ into a scratch matrix, transposed into C, so the
// driver packs the m×k op(A) instead of the k×n op(B). Each element is the same chain of
// fused multiply-adds with the two factors of each product swapped, which rounds alike.
//
// # float32
//
// Sgemm is the float32 product with the same contract: kc-blocked chains of float32 fused
// multiply-adds, the same bits on every kernel and for any GOMAXPROCS. Its kernels, generated
// by gen_kernels.go next to the float64 ones (kernel32_amd64.s), have 12×32 (AVX-512, 24 zmm
// accumulators) and 6×16 (AVX2, 12 ymm accumulators) tiles, with twice the lanes of the
// float64 ones; products with at most 2·mr rows, or whose B rows are one panel wide
// (ldb = nr), read op(B) = B in place instead of packing it. SgemmSliding lets A and B have
// overlapping rows (a convolution's sliding windows, read in place), and AddBias32 adds a
// bias to each row (AVX-512F and AVX2 loops from gen_bias.go, float32 additions).
// Both types run through one packed driver (driver.go), generic over float32 and float64:
// the kernel table kernelOf[T] (tile shape, the kernel variants a level has, its narrow
// variant) and a small per-type table (free lists, the packing routine of op(B), whether
// packing is fused into the tasks) are all that differ, so the blocking, packing and
// threading logic exists once. The few-rows and transposed paths above are float64 only.
// The portable kernel rounds each multiply-add once like the instruction (fma32: the float64
// sum rounded to odd, then to float32), so it matches the assembly bit for bit. Its error
// bound is that of the float64 product below with u = 2⁻²⁴.
//
// # Determinism
//
// Each element of C is computed by exactly one goroutine, with the fixed order above, so the
// result does not depend on GOMAXPROCS, on the task split or on the kernel. Tasks run on the
// calling goroutine plus up to GOMAXPROCS-1 long-lived helper goroutines (started on first
// use); scratch space comes from free lists that survive garbage collections
// (internal/freelist), so a call allocates nothing in steady state, collections or not.
//
// # Accuracy
//
// Each c_ij is a backward-stable dot product: its error is at most γ_{k+2}·(|α|·Σ_p|a_ip||b_pj|
// + |β||c_ij|), γ_n = n·u/(1-n·u), u = 2⁻⁵³ (Higham, Accuracy and Stability of Numerical
// Algorithms, 2nd ed., §3.5). Other implementations (gonum's blas64.Gemm, OpenBLAS) sum in
// other orders and round the products separately, so they agree with this package to within
// twice that bound, not bitwise. Unlike gonum's kernel, which skips zero entries of A, every
// product is formed, so 0·Inf gives NaN as IEEE 754 prescribes.
package gemm
