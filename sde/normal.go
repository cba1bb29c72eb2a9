package sde

import (
	"math"
	"math/rand/v2"
)

// Standard normal variates by the 128-layer ziggurat of Marsaglia and Tsang
// (J. Stat. Softw. 5(8), 2000), the algorithm of math/rand's NormFloat64,
// with float64 tables built at init. Each variate usually costs one 64-bit
// draw: 32 bits choose the signed abscissa and 7 bits the layer. When the
// source is a *rand.PCG it is called directly rather than through the
// rand.Source interface, which roughly halves the cost of a variate.

const zigR = 3.442619855899 // start of the right tail

var zigK [128]uint32
var zigW, zigF [128]float64

// zigU[i] = a²/2 for the inner edge a of layer i's wedge (a = 0 for the
// top layer i = 1), so that zigF[i-1] = exp(−zigU[i]).
var zigU [128]float64

func init() {
	const m1 = 1 << 31
	const vn = 9.91256303526217e-3
	dn, tn := zigR, zigR
	q := vn / math.Exp(-0.5*dn*dn)
	zigK[0] = uint32(dn / q * m1)
	zigK[1] = 0
	zigW[0] = q / m1
	zigW[127] = dn / m1
	zigF[0] = 1
	zigF[127] = math.Exp(-0.5 * dn * dn)
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(vn/dn+math.Exp(-0.5*dn*dn)))
		zigK[i+1] = uint32(dn / tn * m1)
		tn = dn
		zigF[i] = math.Exp(-0.5 * dn * dn)
		zigW[i] = dn / m1
	}
	for i := 2; i < 128; i++ {
		a := zigW[i-1] * m1
		zigU[i] = 0.5 * a * a
	}
}

// wedgeTol bounds the rounding error of the bounds in underDensity and of
// math.Exp(−x²/2) (each a few units of 1e-16 on values ≤ 1; x²/2 ≤ 6 has
// ulp 8.9e-16), with a factor ≥ 20 to spare.
const wedgeTol = 1e-13

// underDensity reports whether y < exp(−x²/2), computed as
// y < math.Exp(-0.5*x*x), for x in the wedge of layer i ≥ 1
// (|x| ≥ a, a the layer's inner edge, up to the ziggurat's rounding of a).
// With s = x²/2 − a²/2 ≥ 0 and F = exp(−a²/2) = zigF[i-1],
// F(1 − s) ≤ exp(−x²/2) ≤ F(1 − s + s²/2) (alternating Taylor bounds of
// e^{−s}); only when y falls within wedgeTol of that bracket is the
// exponential evaluated, so the answer is the exact comparison's while
// most wedge tests avoid math.Exp.
func underDensity(i uint64, x, y float64) bool {
	f := zigF[i-1]
	sv := 0.5*x*x - zigU[i]
	lo := f * (1 - sv)
	if y < lo-wedgeTol {
		return true
	}
	if y >= lo+0.5*f*sv*sv+wedgeTol {
		return false
	}
	return y < math.Exp(-0.5*x*x)
}

// normalGen draws standard normals from a Source.
type normalGen struct {
	pcg *rand.PCG // non-nil when the source is a PCG (fast path)
	src rand.Source
}

func newNormalGen(src rand.Source) normalGen {
	p, _ := src.(*rand.PCG)
	return normalGen{pcg: p, src: src}
}

func (g *normalGen) uint64() uint64 {
	if g.pcg != nil {
		return g.pcg.Uint64()
	}
	return g.src.Uint64()
}

// uniform returns a uniform variate in (0, 1).
func (g *normalGen) uniform() float64 {
	return (float64(g.uint64()>>11) + 0.5) * (1.0 / (1 << 53))
}

// next returns a standard normal variate.
func (g *normalGen) next() float64 {
	var u uint64
	if g.pcg != nil {
		u = g.pcg.Uint64()
	} else {
		u = g.src.Uint64()
	}
	if x, ok := zigFast(u); ok {
		return x
	}
	return g.slowFrom(u)
}

// zigFast is the common case of the ziggurat for the 64 random bits u: the
// abscissa x = j·w_i from the signed 32-bit j and 7-bit layer i, accepted
// when |j| < k_i (about 97% of draws). It is small enough to inline into
// hot loops.
func zigFast(u uint64) (float64, bool) {
	j := int32(u)
	i := (u >> 32) & 0x7f
	a := j
	if a < 0 {
		a = -a
	}
	return float64(j) * zigW[i], uint32(a) < zigK[i]
}

// slowFrom finishes a draw whose bits u were rejected by zigFast.
func (g *normalGen) slowFrom(u uint64) float64 {
	i := (u >> 32) & 0x7f
	return g.slow(int32(u), i, float64(int32(u))*zigW[i])
}

// slow handles the rejection steps: the tail beyond zigR for layer 0 and
// the wedge test for the others.
func (g *normalGen) slow(j int32, i uint64, x float64) float64 {
	for {
		if i == 0 {
			for {
				x = -math.Log(g.uniform()) / zigR
				y := -math.Log(g.uniform())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if underDensity(i, x, zigF[i]+g.uniform()*(zigF[i-1]-zigF[i])) {
			return x
		}
		u := g.uint64()
		var ok bool
		if x, ok = zigFast(u); ok {
			return x
		}
		j = int32(u)
		i = (u >> 32) & 0x7f
	}
}
