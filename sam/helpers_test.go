package sam

import (
	"math"
	"math/rand/v2"
	"sync"
)

// recorder is an Updater that stores the parameters and gradient it is handed and does
// not move w.
type recorder struct {
	w, g []float64
	n    int
}

func (r *recorder) Update(w, g []float64) {
	r.w = append(r.w[:0], w...)
	r.g = append(r.g[:0], g...)
	r.n++
}

// spy wraps an objective and records every point at which LossGrad is called.
type spy struct {
	obj interface {
		Dim() int
		Len() int
		LossGrad(g, w []float64, idx []int) float64
		Losses(dst, w []float64, idx []int)
	}
	mu   sync.Mutex
	pts  [][]float64
	idxs [][]int
}

func (s *spy) Dim() int { return s.obj.Dim() }
func (s *spy) Len() int { return s.obj.Len() }
func (s *spy) LossGrad(g, w []float64, idx []int) float64 {
	s.mu.Lock()
	s.pts = append(s.pts, append([]float64(nil), w...))
	s.idxs = append(s.idxs, append([]int(nil), idx...))
	s.mu.Unlock()
	return s.obj.LossGrad(g, w, idx)
}
func (s *spy) Losses(dst, w []float64, idx []int) { s.obj.Losses(dst, w, idx) }

// quad is f(w) = ½ Σ a_k w_k² with one sample.
type quad struct{ a []float64 }

func (q *quad) Dim() int { return len(q.a) }
func (q *quad) Len() int { return 1 }
func (q *quad) LossGrad(g, w []float64, idx []int) float64 {
	var f float64
	for k, a := range q.a {
		f += 0.5 * a * w[k] * w[k]
		if g != nil {
			g[k] = a * w[k]
		}
	}
	return f
}
func (q *quad) Losses(dst, w []float64, idx []int) {
	for k := range idx {
		dst[k] = q.LossGrad(nil, w, nil)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func randVec(rng *rand.Rand, n int, sd float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = sd * rng.NormFloat64()
	}
	return v
}

func dist(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

func sub(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// smallTask returns a tiny diag-net regression with n samples in dimension p and a
// random point w with all coordinates nonzero.
func smallTask(seed uint64, n, p int) (*DiagNet, []float64) {
	t, err := NewDiagNetTask(rand.NewPCG(seed, 1), n, 1, p, min(2, p))
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	return t.Train, randVec(rng, 2*p, 0.7)
}

func bitsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
