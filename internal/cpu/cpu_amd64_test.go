//go:build amd64 && !purego

package cpu

import (
	"os"
	"strings"
	"testing"
)

// TestFeaturesMatchKernel compares the CPUID/XGETBV detection with the flags Linux reports
// in /proc/cpuinfo (the kernel clears a flag when it does not save that register state);
// SDEML_CPU lowers the active level, not the detected one.
func TestFeaturesMatchKernel(t *testing.T) {
	avx2FMA, avx512 := Detected() >= LevelAVX2, Detected() >= LevelAVX512
	t.Logf("detected avx2+fma=%v avx512f=%v; %s", avx2FMA, avx512, Describe())
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
