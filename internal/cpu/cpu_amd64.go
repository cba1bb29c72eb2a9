//go:build amd64 && !purego

package cpu

// cpuid executes the CPUID instruction with EAX = eaxArg and ECX = ecxArg.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads the extended control register XCR0 (which register states the OS saves).
func xgetbv() (eax, edx uint32)

func init() {
	avx2, avx512 := detect()
	switch {
	case avx512:
		setLevel(LevelAVX512)
	case avx2:
		setLevel(LevelAVX2)
	default:
		setLevel(LevelPortable)
	}
}

// detect reports whether the CPU and the operating system support AVX2 with FMA3, and
// AVX-512F. The OS must save the YMM state (XCR0 bits 1-2) for AVX, and additionally the
// opmask and ZMM state (XCR0 bits 5-7) for AVX-512.
func detect() (avx2FMA, avx512 bool) {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fmaBit     = 1 << 12
		osxsaveBit = 1 << 27
		avxBit     = 1 << 28
	)
	if ecx1&osxsaveBit == 0 || ecx1&avxBit == 0 || ecx1&fmaBit == 0 {
		return false, false
	}
	xcr0, _ := xgetbv()
	if xcr0&0x6 != 0x6 {
		return false, false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2Bit    = 1 << 5
		avx512fBit = 1 << 16
	)
	avx2FMA = ebx7&avx2Bit != 0
	avx512 = avx2FMA && ebx7&avx512fBit != 0 && xcr0&0xe6 == 0xe6
	return avx2FMA, avx512
}
