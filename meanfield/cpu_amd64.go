//go:build amd64 && !purego

package meanfield

// cpuid executes the CPUID instruction with EAX = eaxArg and ECX = ecxArg.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads the extended control register XCR0 (which register states the OS saves).
func xgetbv() (eax, edx uint32)

// haveAVX2FMA reports whether the CPU and the operating system support AVX2 with FMA3 (the
// OS must save the YMM state, XCR0 bits 1–2). The same test as internal/gemm's.
func haveAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fmaBit     = 1 << 12
		osxsaveBit = 1 << 27
		avxBit     = 1 << 28
	)
	if ecx1&osxsaveBit == 0 || ecx1&avxBit == 0 || ecx1&fmaBit == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0x6 != 0x6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

var useAVX2 = haveAVX2FMA()

// tanhRowAVX2 is tanhRowGeneric four lanes at a time (tanh_amd64.s); len(s) % 4 == 0.
//
//go:noescape
func tanhRowAVX2(s []float64)

// tanhRow replaces every x in s by tanh x (see tanhRowGeneric), with AVX2 when available;
// both paths give the same bits.
func tanhRow(s []float64) {
	if useAVX2 {
		n := len(s) &^ 3
		tanhRowAVX2(s[:n])
		s = s[n:]
	}
	tanhRowGeneric(s)
}
