package reflected

import (
	"math"
	"math/big"
)

// Reference values: the images series summed in 256-bit binary floating point (math/big),
// with exp computed by argument halving and a Taylor series. This shares no code and no
// formula shape with the float64 evaluators (no log-sum-exp, no cosine series, no tail
// rule: terms are added until they fall below 2^-300 of the running sum), so agreement
// checks both the series algebra and the float64 error analysis.

const refPrec = 160

func bf(x float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(x) }

// bigExp returns e^x for x ≤ 0 (|x| < 2^60) to about refPrec−20 bits: x is scaled by
// 2^-k so that |x·2^-k| < 2^-40, the Taylor series is summed (about refPrec/40 terms), and
// the result is squared k times (each squaring doubles the relative error: k ≤ 100 costs
// under 7 bits of the 64 guard bits).
func bigExp(x *big.Float) *big.Float {
	const work = refPrec + 64
	k := 0
	if x.Sign() != 0 {
		k = x.MantExp(nil) + 40
		if k < 0 {
			k = 0
		}
	}
	r := new(big.Float).SetPrec(work).SetMantExp(x, -k)
	sum := new(big.Float).SetPrec(work).SetFloat64(1)
	term := new(big.Float).SetPrec(work).SetFloat64(1)
	for n := 1; n < 100; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(work).SetInt64(int64(n)))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil) < -(work+8) {
			break
		}
	}
	for ; k > 0; k-- {
		sum.Mul(sum, sum)
	}
	return sum
}

// refKernel returns p_t(x,y)·sqrt(2πt) and ∂ₓ of it (times sqrt(2πt)) as big floats,
// by the images series Σ_j ±-family Gaussians exp(−(x − y_j)²/(2t)), y_j ∈ {2n ± y}.
func refKernel(x, y, t float64) (p, dp *big.Float) {
	X, Y, T := bf(x), bf(y), bf(t)
	twoT := new(big.Float).SetPrec(refPrec).Mul(bf(2), T)
	p = new(big.Float).SetPrec(refPrec)
	dp = new(big.Float).SetPrec(refPrec)
	for n := 0; ; n++ {
		var added bool
		for _, sgnN := range []int{1, -1} {
			if n == 0 && sgnN == -1 {
				continue
			}
			for _, sgnY := range []int{1, -1} {
				// v = x − (2n·sgnN + sgnY·y)
				img := new(big.Float).SetPrec(refPrec).Mul(bf(float64(2*n*sgnN)), bf(1))
				yy := new(big.Float).SetPrec(refPrec).Mul(Y, bf(float64(sgnY)))
				img.Add(img, yy)
				v := new(big.Float).SetPrec(refPrec).Sub(X, img)
				e := new(big.Float).SetPrec(refPrec).Mul(v, v)
				e.Quo(e, twoT)
				e.Neg(e)
				w := bigExp(e)
				if p.Sign() > 0 && negligible(w, p) {
					continue
				}
				added = true
				addBig(p, w)
				// ∂ₓ exp(−v²/(2t)) = −v/t · exp(...)
				d := new(big.Float).SetPrec(refPrec).Mul(v, w)
				d.Quo(d, T)
				addBig(dp, d.Neg(d))
			}
		}
		// Terms decrease monotonically once n·2 > 2 + |x|+|y|; stop when a whole ring is negligible.
		if !added && n > 2 {
			return p, dp
		}
	}
}

// refLogScore returns float64 log p_t(x,y) and ∂ₓ log p_t(x,y) from refKernel.
func refLogScore(x, y, t float64) (logp, score float64) {
	p, dp := refKernel(x, y, t)
	// log p = log(mant·2^exp) − ½ log(2πt); the mantissa is in [0.5,1).
	mant := new(big.Float)
	exp := p.MantExp(mant)
	m, _ := mant.Float64()
	logp = math.Log(m) + float64(exp)*math.Ln2 - 0.5*math.Log(2*math.Pi*t)
	s := new(big.Float).SetPrec(refPrec).Quo(dp, p)
	score, _ = s.Float64()
	return logp, score
}

// negligible reports whether |a| < 2^-400·|b| (b ≠ 0).
func negligible(a, b *big.Float) bool {
	return a.Sign() == 0 || a.MantExp(nil) < b.MantExp(nil)-400
}

// addBig sets acc += term, dropping whichever operand is below 2^-400 of the other: adding
// numbers whose exponents differ by ~1e8 (e.g. e^{-5e7} and e^{-2e8}) would make big.Float
// shift 1e8-bit mantissas.
func addBig(acc, term *big.Float) {
	switch {
	case negligible(term, acc) && acc.Sign() != 0:
	case acc.Sign() == 0 || negligible(acc, term):
		acc.Set(term)
	default:
		acc.Add(acc, term)
	}
}
