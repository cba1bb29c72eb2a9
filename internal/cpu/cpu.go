package cpu

// AVX2FMA reports AVX2 together with FMA3, with the YMM state saved by the OS (XCR0 bits 1–2).
var AVX2FMA bool

// AVX512 reports AVX-512F (and AVX2FMA), with the opmask and ZMM state saved by the OS
// (XCR0 bits 5–7 as well).
var AVX512 bool
