package meanfield

import "github.com/sdeml/sdeml/internal/parallel"

// blockSize is the number of particles per parallel block of the field sum. Partial sums
// are formed per block and added in block order, so the field is bit-identical for any
// GOMAXPROCS.
const blockSize = 32

// fieldWork is scratch space for the field f_μ(x_q) = Σ_k ω_k F(W^k, x_q) at O(N·n) unit
// evaluations, keeping the per-pair unit state for the drift.
type fieldWork struct {
	state   []float64 // N×n unit states s(W^k, x_q)
	partial []float64 // nblocks×n×K
	out     [][]float64
}

func (fw *fieldWork) ensure(u Unit, nPart, nPts int) {
	k := u.OutDim()
	nb := (nPart + blockSize - 1) / blockSize
	if cap(fw.state) < nPart*nPts {
		fw.state = make([]float64, nPart*nPts)
	}
	fw.state = fw.state[:nPart*nPts]
	if cap(fw.partial) < nb*nPts*k {
		fw.partial = make([]float64, nb*nPts*k)
	}
	fw.partial = fw.partial[:nb*nPts*k]
	w := parallel.Workers(nb)
	if len(fw.out) < w || (len(fw.out) > 0 && len(fw.out[0]) != k) {
		fw.out = make([][]float64, w)
		for i := range fw.out {
			fw.out[i] = make([]float64, k)
		}
	}
}

// compute writes the field into f (n×K) and the unit states into fw.state.
func (fw *fieldWork) compute(f []float64, u Unit, ps *Particles, pts *Points) {
	n := pts.Len()
	K := u.OutDim()
	if ps.D != u.Dim() || pts.P != u.InDim() || pts.K != K || len(f) != n*K {
		panic("meanfield: field dimension mismatch between unit, particles and points")
	}
	fw.ensure(u, ps.N, n)
	nb := (ps.N + blockSize - 1) / blockSize
	parallel.For(nb, func(worker, b int) {
		out := fw.out[worker]
		part := fw.partial[b*n*K : (b+1)*n*K]
		clear(part)
		for k := b * blockSize; k < min((b+1)*blockSize, ps.N); k++ {
			w := ps.Row(k)
			om := ps.Omega(k)
			st := fw.state[k*n : (k+1)*n]
			for q := range n {
				st[q] = u.Forward(out, w, pts.X[q*pts.P:(q+1)*pts.P])
				pq := part[q*K : (q+1)*K]
				for j, v := range out {
					pq[j] += om * v
				}
			}
		}
	})
	clear(f)
	for b := range nb {
		axpy(1, fw.partial[b*n*K:(b+1)*n*K], f)
	}
}

// ComputeField writes the network function f_μ(x_q) = Σ_k ω_k F(W^k, x_q) on every point
// into dst (n×K, row-major) and returns it; dst nil allocates. The sum is deterministic
// for any GOMAXPROCS. Everything the dynamics need from the measure μ goes through this
// field (research notes §1.2: the particles interact only through f_μ on the data).
func ComputeField(dst []float64, u Unit, ps *Particles, pts *Points) []float64 {
	if dst == nil {
		dst = make([]float64, pts.Len()*u.OutDim())
	}
	if du, ok := u.(denseUnit); ok {
		var dw denseWork
		dw.field(dst, du.layout(), ps, pts)
		return dst
	}
	var fw fieldWork
	fw.compute(dst, u, ps, pts)
	return dst
}
