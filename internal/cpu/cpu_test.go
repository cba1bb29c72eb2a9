//go:build amd64 && !purego

package cpu

import (
	"os"
	"strings"
	"testing"
)

// TestFeaturesMatchKernel compares the CPUID/XGETBV detection with the flags Linux reports
// in /proc/cpuinfo (the kernel clears a flag when it does not save that register state).
func TestFeaturesMatchKernel(t *testing.T) {
	t.Logf("avx2+fma=%v avx512f=%v", AVX2FMA, AVX512)
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
	if got := flags["avx2"] && flags["fma"]; got != AVX2FMA {
		t.Errorf("/proc/cpuinfo avx2&&fma = %v, CPUID says %v", got, AVX2FMA)
	}
	if got := flags["avx512f"] && flags["avx2"] && flags["fma"]; got != AVX512 {
		t.Errorf("/proc/cpuinfo avx512f = %v, CPUID says %v", got, AVX512)
	}
}
