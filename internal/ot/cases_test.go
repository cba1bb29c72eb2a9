package ot

import (
	"math"
)

// The benchmark cases of the assignment solver: pairs of m-point samples in [0,1]^D drawn by a
// splitmix64 stream that docs/bench/ot_peer.py reproduces bit for bit (the uniforms; the
// Gaussian noise goes through log and cos and may differ in the last bit), so that the
// scipy peer solves the same instances.

// splitmix is the splitmix64 generator (Steele, Lea, Flood 2014): state += γ, then a
// fixed mixing of the state.
type splitmix struct{ s uint64 }

func (g *splitmix) next() uint64 {
	g.s += 0x9e3779b97f4a7c15
	z := g.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns a float64 in [0, 1) from the top 53 bits.
func (g *splitmix) uniform() float64 { return float64(g.next()>>11) * 0x1p-53 }

// normal returns a standard normal by Box–Muller (cosine branch only).
func (g *splitmix) normal() float64 {
	u1, u2 := g.uniform(), g.uniform()
	return math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
}

// otCase is one benchmark instance family: name, ambient dimension and a sampler of one
// m-point sample (which of the two samples is asked for: 0 or 1).
type otCase struct {
	name string
	dim  int
	gen  func(g *splitmix, m, which int) []float64
}

// clamp01 keeps a coordinate in [0,1] (reflected.W1 accepts only [0,1]^D).
func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }

// curve draws points (t, 0.5 + 0.3 sin 2πt), t uniform, plus N(0, σ²) noise on both
// coordinates of sample 0 when sigma > 0.
func curve(sigma float64) func(g *splitmix, m, which int) []float64 {
	return func(g *splitmix, m, which int) []float64 {
		x := make([]float64, 2*m)
		for i := 0; i < m; i++ {
			t := g.uniform()
			x[2*i], x[2*i+1] = t, 0.5+0.3*math.Sin(2*math.Pi*t)
		}
		if sigma > 0 && which == 0 {
			for k := range x {
				x[k] = clamp01(x[k] + sigma*g.normal())
			}
		}
		return x
	}
}

// subspace draws z uniform in [0,1]^d and maps it to [0,1]^D by x_k = Σ_l w_kl z_l with
// fixed weights w_kl = (1 + ((k+1)(l+2) mod 5)) / Σ_l(...), a d-dimensional affine piece in
// ℝ^D whose coordinates stay in [0,1] (each row of w is a convex combination).
func subspace(d, D int) func(g *splitmix, m, which int) []float64 {
	w := make([]float64, D*d)
	for k := 0; k < D; k++ {
		var s float64
		for l := 0; l < d; l++ {
			w[k*d+l] = float64(1 + ((k+1)*(l+2))%5)
			s += w[k*d+l]
		}
		for l := 0; l < d; l++ {
			w[k*d+l] /= s
		}
	}
	return func(g *splitmix, m, which int) []float64 {
		x := make([]float64, D*m)
		z := make([]float64, d)
		for i := 0; i < m; i++ {
			for l := range z {
				z[l] = g.uniform()
			}
			for k := 0; k < D; k++ {
				var s float64
				for l, zl := range z {
					s += w[k*d+l] * zl
				}
				x[i*D+k] = s
			}
		}
		return x
	}
}

// grid draws points uniformly from the (levels)^dim grid {0, 1/(levels−1), …, 1}^dim: many
// duplicate points and tied costs.
func grid(levels, dim int) func(g *splitmix, m, which int) []float64 {
	return func(g *splitmix, m, which int) []float64 {
		x := make([]float64, dim*m)
		for k := range x {
			x[k] = float64(g.next()%uint64(levels)) / float64(levels-1)
		}
		return x
	}
}

// uniformCube draws points uniform in [0,1]^dim.
func uniformCube(dim int) func(g *splitmix, m, which int) []float64 {
	return func(g *splitmix, m, which int) []float64 {
		x := make([]float64, dim*m)
		for k := range x {
			x[k] = g.uniform()
		}
		return x
	}
}

// otCases are the benchmark families (docs/bench/ot_peer.py has the same list).
var otCases = []otCase{
	{"uniform2", 2, uniformCube(2)},
	{"uniform8", 8, uniformCube(8)},
	{"curve", 2, curve(0)},
	{"curve-noise", 2, curve(0.01)},
	{"segment2", 2, subspace(1, 2)},
	{"line8", 8, subspace(1, 8)},
	{"plane8", 8, subspace(2, 8)},
	{"cube3in10", 10, subspace(3, 10)},
	{"grid5", 2, grid(5, 2)},
	{"grid20", 2, grid(20, 2)},
}

// caseSamples returns the two samples of case c at size m: seed = 1000·m + index of the case,
// sample 0 first, then sample 1 from the same stream.
func caseSamples(c otCase, idx, m int) (x, y []float64) {
	g := &splitmix{s: uint64(1000*m + idx)}
	x = c.gen(g, m, 0)
	y = c.gen(g, m, 1)
	return x, y
}

// costMatrix fills the Euclidean cost matrix of x and y (m points of dim coordinates).
func costMatrix(x, y []float64, dim int) []float64 {
	m := len(x) / dim
	c := make([]float64, m*m)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			var s float64
			for k := 0; k < dim; k++ {
				d := x[i*dim+k] - y[j*dim+k]
				s += d * d
			}
			c[i*m+j] = math.Sqrt(s)
		}
	}
	return c
}
