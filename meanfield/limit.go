package meanfield

import "fmt"

// FieldPath is a stored field over time: F[n] is f(x_q) on Q points with K outputs
// (Q×K, row-major) at iteration n. Built from a reference system (a weighted quadrature
// for the deterministic limit, a large independent-noise system for the noisy limit) it
// is the mean-field limit field f_{λ_{t_n}} that twins follow (Trainer.Limit).
type FieldPath struct {
	Q, K int
	F    [][]float64
}

// RecordField runs tr (GD, GaussianSGD or MSGLD) on ps for steps iterations from n = 0
// and returns the particle field on tr.Data at iterations 0…steps. With weighted
// Gauss–Hermite particles (GaussHermiteParticles) and GD this is the deterministic
// mean-field limit; with a large MSGLD system it is one realisation of the noisy limit.
func RecordField(tr *Trainer, ps *Particles, steps int) (*FieldPath, error) {
	if tr.Method == SGD {
		return nil, fmt.Errorf("meanfield: RecordField with Method SGD; the field is recorded on Data by GD, GaussianSGD or MSGLD")
	}
	if tr.Limit != nil {
		return nil, fmt.Errorf("meanfield: RecordField with Trainer.Limit set")
	}
	if steps < 0 {
		return nil, fmt.Errorf("meanfield: RecordField steps = %d, want >= 0", steps)
	}
	if err := tr.prepare(ps); err != nil {
		return nil, err
	}
	fp := &FieldPath{Q: tr.Data.Len(), K: tr.Unit.OutDim(), F: make([][]float64, 0, steps+1)}
	err := tr.Run(ps, 0, steps, func(n int, _ float64) error {
		fp.F = append(fp.F, append([]float64(nil), tr.Field()...))
		return nil
	})
	if err != nil {
		return nil, err
	}
	fp.F = append(fp.F, ComputeField(nil, tr.Unit, ps, tr.Data))
	return fp, nil
}

// AverageFieldPaths returns the pointwise mean of several paths of the same shape, e.g.
// independent runs of a noisy reference system (their mean has variance reduced by the
// number of runs).
func AverageFieldPaths(paths ...*FieldPath) (*FieldPath, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("meanfield: AverageFieldPaths with no paths")
	}
	p0 := paths[0]
	out := &FieldPath{Q: p0.Q, K: p0.K, F: make([][]float64, len(p0.F))}
	for n := range out.F {
		out.F[n] = make([]float64, p0.Q*p0.K)
	}
	inv := 1 / float64(len(paths))
	for i, p := range paths {
		if p.Q != p0.Q || p.K != p0.K || len(p.F) != len(p0.F) {
			return nil, fmt.Errorf("meanfield: AverageFieldPaths path %d has shape (%d steps, Q %d, K %d), want (%d, %d, %d)", i, len(p.F), p.Q, p.K, len(p0.F), p0.Q, p0.K)
		}
		for n, f := range p.F {
			axpy(inv, f, out.F[n])
		}
	}
	return out, nil
}

// Final returns the last stored field.
func (p *FieldPath) Final() []float64 { return p.F[len(p.F)-1] }
