package meanfield

import "github.com/sdeml/sdeml/internal/parallel"

// blockSize is the number of particles per parallel block of the generic (per-pair) path.
// Partial sums are formed per block and added in block order, so the field is
// bit-identical for any GOMAXPROCS.
const blockSize = 32

// fieldWork is scratch space for the generic path through the Unit interface: the field
// f_μ(x_q) = Σ_k ω_k F(W^k, x_q) at O(N·n) unit evaluations, keeping the per-pair unit
// state for the drift. It is its own parallel task (genericField) and, with st set, the
// drift-and-update task (genericUpdate); holding the tasks' inputs in fields makes the
// parallel loops allocation-free.
type fieldWork struct {
	state   []float64 // N×n unit states s(W^k, x_q)
	partial []float64 // nblocks×n×K
	out     [][]float64
	u       Unit
	ps      *Particles
	pts     *Points
	st      *stepState
}

func (fw *fieldWork) ensure(u Unit, nPart, nPts int) {
	k := u.OutDim()
	nb := (nPart + blockSize - 1) / blockSize
	fw.state = grow(fw.state, nPart*nPts)
	fw.partial = grow(fw.partial, nb*nPts*k)
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
	fw.u, fw.ps, fw.pts = u, ps, pts
	nb := (ps.N + blockSize - 1) / blockSize
	parallel.Run(nb, (*genericField)(fw))
	clear(f)
	for b := range nb {
		axpy(1, fw.partial[b*n*K:(b+1)*n*K], f)
	}
}

// genericField is the field pass of fieldWork: block b's partial field and unit states.
type genericField fieldWork

// Do implements parallel.Task.
func (t *genericField) Do(worker, b int) {
	u, ps, pts := t.u, t.ps, t.pts
	n, K := pts.Len(), u.OutDim()
	out := t.out[worker]
	part := t.partial[b*n*K : (b+1)*n*K]
	clear(part)
	for k := b * blockSize; k < min((b+1)*blockSize, ps.N); k++ {
		w := ps.Row(k)
		om := ps.Omega(k)
		st := t.state[k*n : (k+1)*n]
		for q := range n {
			st[q] = u.Forward(out, w, pts.X[q*pts.P:(q+1)*pts.P])
			pq := part[q*K : (q+1)*K]
			for j, v := range out {
				pq[j] += om * v
			}
		}
	}
}

// update applies W^k ← decay·W^k − Σ_q c^k_q ∂ℓ_qᵀ ∇_w F(W^k, x_q) through AddVJP with the
// states of the last compute call and returns the first non-finite particle or −1.
func (fw *fieldWork) update(st *stepState) int {
	fw.st = st
	parallel.Run((st.ps.N+blockSize-1)/blockSize, (*genericUpdate)(fw))
	return st.firstBad()
}

// genericUpdate is the drift-and-update pass of fieldWork over block b.
type genericUpdate fieldWork

// Do implements parallel.Task.
func (t *genericUpdate) Do(worker, b int) {
	st, u := t.st, t.u
	ps, pts := st.ps, st.pts
	nq, K := pts.Len(), pts.K
	cot, g := t.out[worker], st.gbuf[worker]
	for k := b * blockSize; k < min((b+1)*blockSize, ps.N); k++ {
		c := st.coefs(worker, k)
		w := ps.Row(k)
		s := t.state[k*nq : (k+1)*nq]
		clear(g)
		for q := range nq {
			for j, v := range st.dl[q*K : (q+1)*K] {
				cot[j] = c[q] * v
			}
			u.AddVJP(g, w, pts.X[q*pts.P:(q+1)*pts.P], cot, s[q])
		}
		for j := range w {
			w[j] = st.decay*w[j] - g[j]
		}
		st.bad[k] = !finiteAll(w)
	}
}

// finiteAll reports whether every entry of v is finite.
func finiteAll(v []float64) bool {
	for _, x := range v {
		if x-x != 0 {
			return false
		}
	}
	return true
}

// ComputeField writes the network function f_μ(x_q) = Σ_k ω_k F(W^k, x_q) on every point
// into dst (n×K, row-major) and returns it; dst nil allocates. The sum is deterministic
// for any GOMAXPROCS. Everything the dynamics need from the measure μ goes through this
// field (docs/derivations/msgld.md §1: the particles interact only through f_μ on the data).
func ComputeField(dst []float64, u Unit, ps *Particles, pts *Points) []float64 {
	if dst == nil {
		dst = make([]float64, pts.Len()*u.OutDim())
	}
	if du, ok := u.(denseUnit); ok {
		var dw denseWork
		dw.forward(dst, du.layout(), ps, pts)
		return dst
	}
	var fw fieldWork
	fw.compute(dst, u, ps, pts)
	return dst
}
