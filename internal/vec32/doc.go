// Package vec32 holds elementwise float32 loops of the float32 Graph path: sums of two
// vectors and per-channel float64 sums over rows. The AVX2
// versions (internal/cpu, SDEML_CPU) perform the same IEEE operations in the same order
// as the portable Go loops (float32 additions; float64 sums of the widened values, row
// after row for each channel), so every level gives the same bits.
package vec32
