package cpu

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestChoose checks the SDEML_CPU rules: lowering is honoured, raising falls back to the
// detected level with a notice, unknown values are reported and ignored.
func TestChoose(t *testing.T) {
	for _, tc := range []struct {
		env    string
		det    Level
		want   Level
		notice bool
	}{
		{"", LevelAVX512, LevelAVX512, false},
		{"auto", LevelAVX2, LevelAVX2, false},
		{"avx512", LevelAVX512, LevelAVX512, false},
		{"avx2", LevelAVX512, LevelAVX2, false},
		{"AVX2", LevelAVX512, LevelAVX2, false},
		{"portable", LevelAVX512, LevelPortable, false},
		{"portable", LevelAVX2, LevelPortable, false},
		{"avx512", LevelAVX2, LevelAVX2, true},
		{"avx512", LevelPortable, LevelPortable, true},
		{"avx2", LevelPortable, LevelPortable, true},
		{"sse2", LevelAVX512, LevelAVX512, true},
		{"avx-512", LevelAVX2, LevelAVX2, true},
	} {
		got, notice := choose(tc.env, tc.det)
		if got != tc.want || (notice != "") != tc.notice {
			t.Errorf("choose(%q, %v) = %v, %q; want %v, notice %v", tc.env, tc.det, got, notice, tc.want, tc.notice)
		}
		if got > tc.det {
			t.Errorf("choose(%q, %v) = %v: above the detected level", tc.env, tc.det, got)
		}
	}
	if _, n := choose("avx512", LevelAVX2); n != "sdeml: SDEML_CPU=avx512: this CPU (or build) supports at most avx2; using avx2" {
		t.Errorf("notice %q", n)
	}
}

// TestActiveFlags checks that the exported flags follow the active level, which never
// exceeds the detected one.
func TestActiveFlags(t *testing.T) {
	t.Log(Describe())
	if Active() > Detected() {
		t.Fatalf("active %v above detected %v", Active(), Detected())
	}
	if AVX2FMA != (Active() >= LevelAVX2) || AVX512 != (Active() >= LevelAVX512) {
		t.Fatalf("flags avx2=%v avx512=%v for level %v", AVX2FMA, AVX512, Active())
	}
	for _, l := range []Level{LevelPortable, LevelAVX2, LevelAVX512} {
		if p, err := ParseLevel(l.String()); err != nil || p != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l, p, err)
		}
	}
	if _, err := ParseLevel("avx"); err == nil || err.Error() != `cpu: SDEML_CPU = "avx": must be portable, avx2, avx512 or auto` {
		t.Errorf("ParseLevel(avx) error %v", err)
	}
}

// TestEnvFallback runs this test binary again with SDEML_CPU set to an unknown value and to
// a level above the detected one (when there is one): the process starts, prints one notice
// line on stderr and runs at the detected level.
func TestEnvFallback(t *testing.T) {
	if os.Getenv("SDEML_CPU_CHILD") != "" {
		t.Skip("child process")
	}
	envs := []string{"sse9"}
	if Detected() < LevelAVX512 {
		envs = append(envs, "avx512")
	}
	for _, env := range envs {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestActiveFlags$", "-test.v")
		cmd.Env = append(os.Environ(), EnvVar+"="+env, "SDEML_CPU_CHILD=1")
		var stderr, stdout strings.Builder
		cmd.Stderr, cmd.Stdout = &stderr, &stdout
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s=%s: %v\n%s%s", EnvVar, env, err, stdout.String(), stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "sdeml: ") || !strings.HasSuffix(lines[0], "using "+Detected().String()) {
			t.Errorf("%s=%s: stderr %q, want one notice ending in %q", EnvVar, env, stderr.String(), "using "+Detected().String())
		}
		if want := "kernel level " + Detected().String(); !strings.Contains(stdout.String(), want) {
			t.Errorf("%s=%s: child output lacks %q:\n%s", EnvVar, env, want, stdout.String())
		}
	}
}
