package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/sde"
)

// ParticleSDE returns the continuous-time counterpart of SGD for N particles as an
// sde.System of dimension N·D in mean-field time t (docs/derivations/msgld.md §3–4):
//
//	dW^k_t = −(1+t)^{−α} { b(W^k_t, μ^N_t) dt + (g_N/M)^{1/2} Σ_q A_q^k(W_t) dβ_q },
//	A_q^k = √π_q (G(W^k, μ^N; x_q, y_q) − b(W^k, μ^N)),
//
// with General noise. With independent == false there is one scalar Brownian motion β_q
// per data point, shared by all neurons (NoiseDim = n): the noise covariance is the SGD
// covariance 𝚺_N/M with its cross-neuron blocks, realised without a matrix square root.
// With independent == true every neuron has its own β^k_q (NoiseDim = N·n, component
// k·n + q): the continuous counterpart of mSGLD. The diffusion matrix is (N·D)×NoiseDim,
// so the independent form is meant for small N; large systems use Trainer (the
// Euler–Maruyama step with dt = g_N, matrix-free). The drift and diffusion are computed
// together (DriftDiffusion) at O(N·n) unit evaluations.
func ParticleSDE(u Unit, l Loss, data *Points, s Schedule, batch, n int, independent bool) (*sde.System, error) {
	if u == nil || l == nil {
		return nil, fmt.Errorf("meanfield: ParticleSDE needs a Unit and a Loss")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := data.Validate(); err != nil {
		return nil, err
	}
	if data.P != u.InDim() || data.K != u.OutDim() {
		return nil, fmt.Errorf("meanfield: ParticleSDE data dimensions do not match the unit (InDim %d, OutDim %d)", u.InDim(), u.OutDim())
	}
	if batch < 1 {
		return nil, fmt.Errorf("meanfield: ParticleSDE batch = %d, want >= 1", batch)
	}
	if n < 1 {
		return nil, fmt.Errorf("meanfield: ParticleSDE N = %d, want >= 1", n)
	}
	D, nq, K := u.Dim(), data.Len(), u.OutDim()
	m := nq
	if independent {
		m = n * nq
	}
	if independent && float64(n*D)*float64(m) > 1<<27 {
		return nil, fmt.Errorf("meanfield: ParticleSDE independent noise with N = %d needs a %d×%d diffusion matrix; use Trainer with MSGLD", n, n*D, m)
	}
	ps := &Particles{N: n, D: D}
	var fw fieldWork
	field := make([]float64, nq*K)
	dl := make([]float64, nq*K)
	nb := (n + blockSize - 1) / blockSize
	wk := parallel.Workers(nb)
	gq := make([][]float64, wk)
	for i := range gq {
		gq[i] = make([]float64, nq*D+D)
	}
	sigma0 := math.Sqrt(s.G() / float64(batch))
	both := func(f, g []float64, t float64, x []float64) {
		ps.W = x
		fw.compute(field, u, ps, data)
		for q := range nq {
			l.ValueGrad(dl[q*K:(q+1)*K], field[q*K:(q+1)*K], data.Y[q*K:(q+1)*K])
		}
		tc := math.Pow(1+t, -s.Alpha)
		if g != nil {
			clear(g)
		}
		parallel.For(nb, func(worker, blk int) {
			G := gq[worker]
			b := G[nq*D:]
			for k := blk * blockSize; k < min((blk+1)*blockSize, n); k++ {
				w := ps.Row(k)
				st := fw.state[k*nq : (k+1)*nq]
				clear(G)
				for q := range nq {
					u.AddVJP(G[q*D:(q+1)*D], w, data.X[q*data.P:(q+1)*data.P], dl[q*K:(q+1)*K], st[q])
					axpy(data.W(q), G[q*D:(q+1)*D], b)
				}
				if f != nil {
					for i := range D {
						f[k*D+i] = -tc * b[i]
					}
				}
				if g == nil {
					continue
				}
				for q := range nq {
					col := q
					if independent {
						col = k*nq + q
					}
					c := -tc * sigma0 * math.Sqrt(data.W(q))
					for i := range D {
						g[(k*D+i)*m+col] = c * (G[q*D+i] - b[i])
					}
				}
			}
		})
	}
	return &sde.System{
		Dim:            n * D,
		NoiseDim:       m,
		Noise:          sde.General,
		Drift:          func(dst []float64, t float64, x []float64) { both(dst, nil, t, x) },
		Diffusion:      func(dst []float64, t float64, x []float64) { both(nil, dst, t, x) },
		DriftDiffusion: both,
	}, nil
}

// TrainerNoise is an sde.Brownian that replays the normals of a Trainer: over a step of
// length h its increments are √h times the standard normals a Trainer with the same Seed
// draws at one step, in the layout of ParticleSDE (shared: n components from the stream
// parallel.Stream(seed, −1); independent: particle k's n components from
// parallel.Stream(seed, k)). Solving ParticleSDE with Euler–Maruyama, step g_N and this
// Brownian reproduces Trainer's GaussianSGD (shared) or MSGLD (independent) run up to
// rounding (for any α: the step at t_n is h_n = g_N(1+t_n)^{−α} in both).
type TrainerNoise struct {
	n     int
	rs    []*rand.Rand
	dimen int
}

// NewTrainerNoise returns the Brownian for N particles and n data points.
func NewTrainerNoise(seed uint64, n, nq int, independent bool) *TrainerNoise {
	tn := &TrainerNoise{n: nq}
	if independent {
		tn.rs = make([]*rand.Rand, n)
		for k := range tn.rs {
			tn.rs[k] = rand.New(parallel.Stream(seed, k))
		}
	} else {
		tn.rs = []*rand.Rand{rand.New(parallel.Stream(seed, -1))}
	}
	tn.dimen = len(tn.rs) * nq
	return tn
}

// Dim returns the number of components.
func (tn *TrainerNoise) Dim() int { return tn.dimen }

// HasLevyArea returns false.
func (tn *TrainerNoise) HasLevyArea() bool { return false }

// Increment writes √(t1−t0) Z for fresh normals Z into dw; u must be nil.
func (tn *TrainerNoise) Increment(dw, u []float64, t0, t1 float64) {
	if u != nil {
		panic("meanfield: TrainerNoise has no Lévy area")
	}
	if len(dw) != tn.dimen {
		panic("meanfield: TrainerNoise increment length mismatch")
	}
	sh := math.Sqrt(t1 - t0)
	for k, r := range tn.rs {
		for q := range tn.n {
			dw[k*tn.n+q] = sh * r.NormFloat64()
		}
	}
}
