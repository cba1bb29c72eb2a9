package sde

import "gonum.org/v1/gonum/mat"

// moments accumulates, for nt output times, the count, mean and matrix of
// centred second moments M2 = Σ (x − mean)(x − mean)ᵀ of d-vectors with
// Welford's update, and merges with Chan, Golub and LeVeque's formula.
type moments struct {
	nt, d int
	n     []float64 // per time
	mean  []float64 // nt·d
	m2    []float64 // nt·d·d (full symmetric)
	delta []float64 // scratch d
}

func newMoments(nt, d int) *moments {
	return &moments{
		nt: nt, d: d, n: make([]float64, nt),
		mean: make([]float64, nt*d), m2: make([]float64, nt*d*d),
		delta: make([]float64, d),
	}
}

func (m *moments) reset() {
	clear(m.n)
	clear(m.mean)
	clear(m.m2)
}

// add includes x at time index k:
// n ← n+1, δ = x − mean, mean ← mean + δ/n, M2 ← M2 + δ(x − mean)ᵀ.
func (m *moments) add(k int, x []float64) {
	d := m.d
	m.n[k]++
	inv := 1 / m.n[k]
	mean := m.mean[k*d : (k+1)*d]
	for i, v := range x {
		m.delta[i] = v - mean[i]
		mean[i] += m.delta[i] * inv
	}
	m2 := m.m2[k*d*d : (k+1)*d*d]
	for i, di := range m.delta {
		row := m2[i*d : (i+1)*d]
		for j := range row {
			row[j] += di * (x[j] - mean[j])
		}
	}
}

// merge adds the samples summarised by o into m:
// n = na+nb, δ = mean_b − mean_a, mean = mean_a + δ nb/n,
// M2 = M2a + M2b + δδᵀ na nb/n.
func (m *moments) merge(o *moments) {
	d := m.d
	for k := 0; k < m.nt; k++ {
		na, nb := m.n[k], o.n[k]
		if nb == 0 {
			continue
		}
		n := na + nb
		ma, mb := m.mean[k*d:(k+1)*d], o.mean[k*d:(k+1)*d]
		for i := range m.delta {
			m.delta[i] = mb[i] - ma[i]
		}
		c := na * nb / n
		m2a, m2b := m.m2[k*d*d:(k+1)*d*d], o.m2[k*d*d:(k+1)*d*d]
		for i, di := range m.delta {
			for j, dj := range m.delta {
				m2a[i*d+j] += m2b[i*d+j] + c*di*dj
			}
		}
		for i, di := range m.delta {
			ma[i] += di * nb / n
		}
		m.n[k] = n
	}
}

// result returns the means (nt×d) and covariances normalised by n−1 (nil
// when n < 2).
func (m *moments) result() (*mat.Dense, []*mat.SymDense) {
	d := m.d
	mean := mat.NewDense(m.nt, d, append([]float64(nil), m.mean...))
	cov := make([]*mat.SymDense, m.nt)
	for k := range cov {
		if m.n[k] < 2 {
			continue
		}
		c := mat.NewSymDense(d, nil)
		inv := 1 / (m.n[k] - 1)
		m2 := m.m2[k*d*d : (k+1)*d*d]
		for i := 0; i < d; i++ {
			for j := i; j < d; j++ {
				// Symmetrise the rounding of the two triangles.
				c.SetSym(i, j, 0.5*(m2[i*d+j]+m2[j*d+i])*inv)
			}
		}
		cov[k] = c
	}
	return mean, cov
}
