// Package cpu reports the x86-64 vector extensions that sdeml's assembly kernels use,
// detected once with CPUID and XGETBV (no dependency beyond the standard library).
//
// A feature counts only if both the processor has it and the operating system saves the
// register state it needs (XCR0). Other architectures, and builds with -tags purego, report
// no features, so every caller takes its portable Go path.
//
// # Choosing a lower level
//
// The environment variable SDEML_CPU, read once at start-up, lowers the kernel level to
// measure or test the slower kernels on a faster CPU:
//
//	SDEML_CPU=avx512    AVX-512F kernels (the default where supported)
//	SDEML_CPU=avx2      AVX2+FMA kernels, as on a CPU without AVX-512
//	SDEML_CPU=portable  pure-Go kernels, as with -tags purego
//
// Every level computes the same bits (the packages' tests check this), so the variable
// changes the speed only. A level the CPU does not support, or an unknown value, falls back
// to the best supported level with a one-line notice on standard error; it never selects an
// instruction the CPU lacks. Benchmarks log the level they ran with (Describe).
package cpu
