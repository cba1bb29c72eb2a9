package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESpeedClaimsNameHost checks that every README paragraph that compares speed with
// PyTorch (it says "faster" or gives times in ms) says on which hosts it holds (the words
// "host", "AVX-512" and "AVX2"): the figures differ between AVX-512 and AVX2-only CPUs, so a
// claim without its host is false on one of them.
func TestREADMESpeedClaimsNameHost(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	claims := 0
	inCode := false
	var para []string
	check := func() {
		p := strings.Join(para, " ")
		para = para[:0]
		if !strings.Contains(p, "PyTorch") || !(strings.Contains(p, "faster") || strings.Contains(p, " ms")) {
			return
		}
		claims++
		if !strings.Contains(p, "AVX-512") || !strings.Contains(p, "AVX2") || !strings.Contains(p, "host") {
			t.Errorf("README speed claim does not say on which host kinds (AVX-512, AVX2) it holds:\n%s", p)
		}
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			check()
			continue
		}
		if inCode {
			continue
		}
		if strings.TrimSpace(line) == "" {
			check()
			continue
		}
		para = append(para, line)
	}
	check()
	if claims == 0 {
		t.Error("found no speed claim in README.md; update this test if they moved")
	}
}
