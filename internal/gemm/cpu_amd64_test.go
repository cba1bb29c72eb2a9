//go:build amd64 && !purego

package gemm

import (
	"os"
	"strings"
	"testing"
)

// TestCPUFeaturesMatchKernel compares the CPUID/XGETBV detection with the flags Linux
// reports in /proc/cpuinfo (the kernel clears a flag when it does not save that register
// state), and checks that the fastest detected kernel is the active one.
func TestCPUFeaturesMatchKernel(t *testing.T) {
	avx2FMA, avx512 := cpuFeatures()
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
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	var flags map[string]bool
	for _, line := range strings.Split(string(raw), "\n") {
		if name, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(val) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	if got := flags["avx2"] && flags["fma"]; got != avx2FMA {
		t.Errorf("/proc/cpuinfo avx2&&fma = %v, CPUID says %v", got, avx2FMA)
	}
	if got := flags["avx512f"] && flags["avx2"] && flags["fma"]; got != avx512 {
		t.Errorf("/proc/cpuinfo avx512f = %v, CPUID says %v", got, avx512)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
