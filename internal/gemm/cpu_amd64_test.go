//go:build amd64 && !purego

package gemm

import (
	"testing"

	"github.com/sdeml/sdeml/internal/cpu"
)

// TestCPUFeaturesMatchKernel checks that the kernels registered match the detected features
// (internal/cpu checks the detection against /proc/cpuinfo) and that the fastest is active.
func TestCPUFeaturesMatchKernel(t *testing.T) {
	avx2FMA, avx512 := cpu.AVX2FMA, cpu.AVX512
	t.Logf("avx2+fma=%v avx512f=%v; kernels:", avx2FMA, avx512)
	for _, k := range kernels {
		t.Logf("  %s %dx%d", k.name, k.mr, k.nr)
	}
	if active.name != kernels[0].name {
		t.Fatalf("active kernel %s, want %s", active.name, kernels[0].name)
	}
	if want := 1 + btoi(avx2FMA) + btoi(avx512); len(kernels) != want {
		t.Fatalf("%d kernels, want %d", len(kernels), want)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
