package reflected

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/ot"
)

// W1 returns the exact 1-Wasserstein distance min_π (1/m) Σᵢ ‖xᵢ − y_π(i)‖₂ between two samples
// of m points each (row-major, D columns), by the shortest-augmenting-path assignment solver
// of internal/ot (O(m³) time, m² memory: 32 MB at m = 2000). Report it next to the noise floor
// W1(ref, ref′) of two independent reference samples of the same size (docs/derivations/reflected.md
// §9). It returns an error naming the argument for D < 1, empty or ragged samples, unequal
// sizes, or a coordinate outside [0,1] or NaN (the metrics are for data in [0,1]^D; use
// internal/ot for points elsewhere).
func W1(x, y []float64, D int) (float64, error) {
	if err := checkPair("W1", x, y, D); err != nil {
		return 0, err
	}
	return ot.W1(x, y, D, nil)
}

// checkPair validates the two samples of a metric: points in [0,1]^D, equal sizes.
func checkPair(fn string, x, y []float64, D int) error {
	if err := checkPoints(fn, "x", x, D); err != nil {
		return err
	}
	if err := checkPoints(fn, "y", y, D); err != nil {
		return err
	}
	if len(x) != len(y) {
		return fmt.Errorf("reflected: %s: x has %d points, y has %d, need equal sizes", fn, len(x)/D, len(y)/D)
	}
	return nil
}

// SlicedW1 returns the sliced distance (1/L) Σ_l W1(⟨x, θ_l⟩, ⟨y, θ_l⟩) over L = nproj random
// unit directions θ_l drawn from src; SlicedW1 ≤ W1. A random projection shrinks distances
// like 1/√D, so values are not comparable across ambient dimensions. Errors as for W1, and
// for nproj < 1.
func SlicedW1(x, y []float64, D, nproj int, src rand.Source) (float64, error) {
	if err := checkPair("SlicedW1", x, y, D); err != nil {
		return 0, err
	}
	if nproj < 1 {
		return 0, fmt.Errorf("reflected: SlicedW1: nproj = %d, need ≥ 1", nproj)
	}
	return ot.SlicedW1(x, y, D, nproj, src, nil)
}

// MeanOffDistance returns (1/m) Σᵢ ‖(I − AAᵀ)(xᵢ − B)‖, the mean distance of the m rows of x
// (row-major, D columns) to the target's affine subspace: the off-subspace error.
func (s *Subspace) MeanOffDistance(x []float64) float64 {
	D := s.Dim()
	if len(x) == 0 || len(x)%D != 0 {
		panic("reflected: MeanOffDistance: len(x) not a positive multiple of D")
	}
	var sum float64
	for i := 0; i < len(x); i += D {
		sum += s.OffDistance(x[i : i+D])
	}
	return sum / float64(len(x)/D)
}

// AllCoordinates returns the subspace coordinates zᵢ = Aᵀ(xᵢ − B) of every row of x, as m
// rows of d columns; for on-subspace errors such as Density.W1ToLaw1D (d = 1) or W1 on the
// coordinates (d ≥ 2).
func (s *Subspace) AllCoordinates(x []float64) []float64 {
	D, d := s.Dim(), s.Intrinsic()
	if len(x)%D != 0 {
		panic("reflected: AllCoordinates: len(x) not a multiple of D")
	}
	z := make([]float64, len(x)/D*d)
	for i := 0; i < len(x)/D; i++ {
		s.Coordinates(z[i*d:i*d+d], x[i*D:i*D+D])
	}
	return z
}
