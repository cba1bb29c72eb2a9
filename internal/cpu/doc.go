// Package cpu reports the x86-64 vector extensions that sdeml's assembly kernels use,
// detected once with CPUID and XGETBV (no dependency beyond the standard library).
//
// A feature counts only if both the processor has it and the operating system saves the
// register state it needs (XCR0). Other architectures, and builds with -tags purego, report
// no features, so every caller takes its portable Go path.
package cpu
