package cpu

import (
	"fmt"
	"os"
	"strings"
)

// AVX2FMA reports that the AVX2+FMA kernels are to be used: the CPU has AVX2 together with
// FMA3, the OS saves the YMM state (XCR0 bits 1–2), and SDEML_CPU does not ask for the
// portable level.
var AVX2FMA bool

// AVX512 reports that the AVX-512F kernels are to be used: the CPU has AVX-512F (and
// AVX2FMA), the OS saves the opmask and ZMM state (XCR0 bits 5–7 as well), and SDEML_CPU
// does not ask for a lower level.
var AVX512 bool

// Level is a kernel level: the instruction set of the assembly kernels in use.
type Level int

const (
	LevelPortable Level = iota // pure Go (math.FMA), every architecture
	LevelAVX2                  // amd64 with AVX2 and FMA3: 16 ymm registers
	LevelAVX512                // amd64 with AVX-512F: 32 zmm registers
)

var levelNames = [...]string{LevelPortable: "portable", LevelAVX2: "avx2", LevelAVX512: "avx512"}

// String returns the level's name as SDEML_CPU spells it.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// EnvVar names the environment variable that lowers the kernel level at start-up, for
// measuring the AVX2 or portable kernels on a faster CPU: SDEML_CPU=portable, avx2 or
// avx512 (empty or "auto": the best level the CPU supports). A level above the CPU's, or an
// unknown value, is not an error: the package prints one line on standard error and uses
// the best level the CPU supports, so no kernel can execute an instruction the CPU lacks.
const EnvVar = "SDEML_CPU"

var (
	detected Level // the best level the CPU and the OS support
	active   Level // the level in use (detected, lowered by SDEML_CPU)
)

// Detected returns the best kernel level that the CPU and the operating system support.
func Detected() Level { return detected }

// Active returns the kernel level in use: Detected, or lower if SDEML_CPU asks for it.
func Active() Level { return active }

// Describe returns a one-line account of the kernel level for benchmark logs, such as
// "kernel level avx2 (SDEML_CPU=avx2; the CPU supports avx512)".
func Describe() string {
	s := "kernel level " + active.String()
	if env := os.Getenv(EnvVar); env != "" {
		s += " (" + EnvVar + "=" + env + "; the CPU supports " + detected.String() + ")"
	}
	return s
}

// ParseLevel returns the level named s ("portable", "avx2" or "avx512", any case).
func ParseLevel(s string) (Level, error) {
	for l, name := range levelNames {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return Level(l), nil
		}
	}
	return 0, fmt.Errorf("cpu: %s = %q: must be portable, avx2, avx512 or auto", EnvVar, s)
}

// choose returns the level to use when the hardware supports det and SDEML_CPU is env,
// and a notice (empty if none) to print when env cannot be honoured: an unknown value, or a
// level above det. Either way the result is at most det.
func choose(env string, det Level) (Level, string) {
	if env == "" || strings.EqualFold(strings.TrimSpace(env), "auto") {
		return det, ""
	}
	l, err := ParseLevel(env)
	if err != nil {
		return det, fmt.Sprintf("sdeml: %v; using %s", err, det)
	}
	if l > det {
		return det, fmt.Sprintf("sdeml: %s=%s: this CPU (or build) supports at most %s; using %s", EnvVar, env, det, det)
	}
	return l, ""
}

// setLevel applies SDEML_CPU to the detected level and sets the exported flags.
func setLevel(det Level) {
	detected = det
	var notice string
	active, notice = choose(os.Getenv(EnvVar), det)
	if notice != "" {
		fmt.Fprintln(os.Stderr, notice)
	}
	AVX2FMA = active >= LevelAVX2
	AVX512 = active >= LevelAVX512
}
