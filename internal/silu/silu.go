package silu

import "math"

// ExpErr bounds the relative error of Exp (see the package comment).
const ExpErr = 3e-10

const (
	expLo = -708.0
	expHi = 709.0
	log2e = 1.4426950408889634
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000: 32 significant bits
	ln2Lo = 1.90821492927058770002e-10 // ln2 − ln2Hi
	shift = 0x1.8p52                   // adding it rounds to an integer (ties to even)
)

// Exp returns e^t with relative error below ExpErr for t in [−708, 709] and e^{−708},
// e^{709} below and above (NaN gives e^{−708}): the portable form of the kernel's
// exponential, operation for operation.
func Exp(t float64) float64 {
	if !(t > expLo) { // VMAXPD's rule: the bound unless t is greater (also for NaN)
		t = expLo
	}
	if !(t < expHi) {
		t = expHi
	}
	u := float64(t*log2e) + shift
	k := u - shift
	r := float64(t-float64(k*ln2Hi)) - float64(k*ln2Lo)
	p := 1.0 / 40320
	p = float64(p*r) + 1.0/5040
	p = float64(p*r) + 1.0/720
	p = float64(p*r) + 1.0/120
	p = float64(p*r) + 1.0/24
	p = float64(p*r) + 1.0/6
	p = float64(p*r) + 0.5
	p = float64(p*r) + 1
	p = float64(p*r) + 1
	// u's low bits hold k (two's complement): (bits(u) + 1023) << 52 is 2^k.
	return p * math.Float64frombits((math.Float64bits(u)+1023)<<52)
}

// Forward sets, for every i, s[i] = σ(x[i]) = 1/(1 + Exp(−x[i])) and y[i] = x[i]·s[i]
// rounded to float32. It panics unless len(y) = len(s) = len(x).
func Forward(y []float32, s []float64, x []float32) {
	if len(y) != len(x) || len(s) != len(x) {
		panic("silu: Forward: lengths differ")
	}
	n := kernelForward(y, s, x)
	forward(y[n:], s[n:], x[n:])
}

// kernelForward runs the vector kernels on the longest prefix of x they take (multiples
// of 16 with AVX-512, then of 4 with AVX2; s nil: y only) and returns its length.
func kernelForward(y []float32, s []float64, x []float32) int {
	n := 0
	if useAVX512 {
		n = len(x) &^ 15
		if n > 0 {
			forwardAVX512(y[:n], sub(s, 0, n), x[:n])
		}
	}
	if useAVX2 {
		m := n + (len(x)-n)&^3
		if m > n {
			forwardAVX2(y[n:m], sub(s, n, m), x[n:m])
		}
		n = m
	}
	return n
}

// sub returns s[lo:hi], or nil if s is nil.
func sub(s []float64, lo, hi int) []float64 {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

// forward is Forward in Go (s nil: Apply).
func forward(y []float32, s []float64, x []float32) {
	y = y[:len(x)]
	if s == nil {
		for i, v32 := range x {
			v := float64(v32)
			y[i] = float32(v * (1 / (1 + Exp(-v))))
		}
		return
	}
	s = s[:len(x)]
	for i, v32 := range x {
		v := float64(v32)
		sg := 1 / (1 + Exp(-v))
		y[i] = float32(v * sg)
		s[i] = sg
	}
}

// Apply sets y[i] = x[i]·σ(x[i]) rounded to float32, the y of Forward (the same bits)
// without keeping σ: the forward pass of an inference. It panics unless len(y) = len(x).
func Apply(y, x []float32) {
	if len(y) != len(x) {
		panic("silu: Apply: lengths differ")
	}
	n := kernelForward(y, nil, x)
	forward(y[n:], nil, x[n:])
}

// Backward sets dx[i] = dy[i]·s[i]·(1 + x[i]·(1 − s[i])) (σ' times ∂/∂y, s = σ(x) as kept
// by Forward) in float64 from the float32 values, rounded once to float32. It panics
// unless all lengths are equal.
func Backward(dx, dy []float32, s []float64, x []float32) {
	if len(dx) != len(x) || len(dy) != len(x) || len(s) != len(x) {
		panic("silu: Backward: lengths differ")
	}
	n := 0
	if useAVX2 {
		n = len(x) &^ 3
		if n > 0 {
			backwardAVX2(dx[:n], dy[:n], s[:n], x[:n])
		}
	}
	backward(dx[n:], dy[n:], s[n:], x[n:])
}

// backward is Backward in Go.
func backward(dx, dy []float32, s []float64, x []float32) {
	dx, dy, s = dx[:len(x)], dy[:len(x)], s[:len(x)]
	for i, v32 := range x {
		v, sg := float64(v32), s[i]
		c := 1 + float64(v*(1-sg))
		dx[i] = float32(float64(float64(dy[i])*sg) * c)
	}
}
