package reflected

import "testing"

// BenchmarkUNetDSMStep32 is BenchmarkUNetDSMStep with ScoreNet.Float32 (the mixed-precision
// U-Net pass).
func BenchmarkUNetDSMStep32(b *testing.B) { benchUNetDSMStep(b, true) }

// BenchmarkUNetScore64_32 is BenchmarkUNetScore64 with ScoreNet.Float32.
func BenchmarkUNetScore64_32(b *testing.B) { benchUNetScore64(b, true) }
