// Package relu32 holds ReLU's float32 loops, eight values per instruction with AVX2
// (internal/cpu, SDEML_CPU) and in portable Go otherwise, with the same bits on every
// level: the forward map y = x if x > 0 or x is NaN (the NaN itself), +0 otherwise (Go's
// max(x, 0) on every non-NaN value), and the backward map dx = dy where the bits of x are
// positive as a signed integer (x > 0, or a NaN with a clear sign bit) and +0 elsewhere.
package relu32
