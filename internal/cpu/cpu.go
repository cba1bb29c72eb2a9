// Package cpu reports the x86-64 vector extensions that sdeml's assembly kernels use,
// detected once with CPUID and XGETBV (no dependency beyond the standard library).
//
// A feature counts only if both the processor has it and the operating system saves the
// register state it needs (XCR0). Other architectures, and builds with -tags purego, report
// no features, so every caller takes its portable Go path.
package cpu

// AVX2FMA reports AVX2 together with FMA3, with the YMM state saved by the OS (XCR0 bits 1–2).
var AVX2FMA bool

// AVX512 reports AVX-512F (and AVX2FMA), with the opmask and ZMM state saved by the OS
// (XCR0 bits 5–7 as well).
var AVX512 bool
