package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// TeacherStudent returns n samples of the regression model y = f_teacher(x) + σξ with
// x ~ N(0, I_d) and ξ ~ N(0, I_k), for the network teacher with parameters w. It returns
// an error if n < 1 or noise σ is negative or not finite.
func TeacherStudent(teacher *MLP, w []float64, n int, noise float64, src rand.Source) (*Dataset, error) {
	if n < 1 {
		return nil, fmt.Errorf("nn: TeacherStudent n = %d must be >= 1", n)
	}
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("nn: TeacherStudent noise = %v must be finite and >= 0", noise)
	}
	if err := teacher.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(src)
	X := mat.NewDense(n, teacher.InDim(), nil)
	for i, data := 0, X.RawMatrix().Data; i < len(data); i++ {
		data[i] = rng.NormFloat64()
	}
	Y := mat.NewDense(n, teacher.OutDim(), nil)
	teacher.Forward(Y, w, X, teacher.NewWorkspace(n))
	for i, data := 0, Y.RawMatrix().Data; i < len(data); i++ {
		data[i] += noise * rng.NormFloat64()
	}
	return &Dataset{X: X, Y: Y}, nil
}

// GaussianMixture returns n labelled samples x = μ_y + ξ, ξ ~ N(0, I_dim), with labels y
// uniform on {0..classes-1} and class means μ_c drawn once uniformly on the sphere of
// radius sep (so sep is the typical distance of a mean from the origin, and pairs of
// means are about sep·√2 apart). It returns an error for n < 1, dim < 1, classes < 2 or
// a negative or non-finite sep.
func GaussianMixture(n, dim, classes int, sep float64, src rand.Source) (*Dataset, error) {
	switch {
	case n < 1:
		return nil, fmt.Errorf("nn: GaussianMixture n = %d must be >= 1", n)
	case dim < 1:
		return nil, fmt.Errorf("nn: GaussianMixture dim = %d must be >= 1", dim)
	case classes < 2:
		return nil, fmt.Errorf("nn: GaussianMixture classes = %d must be >= 2", classes)
	case !(sep >= 0) || math.IsInf(sep, 0):
		return nil, fmt.Errorf("nn: GaussianMixture sep = %v must be finite and >= 0", sep)
	}
	rng := rand.New(src)
	mu := make([][]float64, classes)
	for c := range mu {
		mu[c] = make([]float64, dim)
		for {
			for j := range mu[c] {
				mu[c][j] = rng.NormFloat64()
			}
			if s := math.Sqrt(sumSq(mu[c])); s > 0 {
				for j := range mu[c] {
					mu[c][j] *= sep / s
				}
				break
			}
		}
	}
	X := mat.NewDense(n, dim, nil)
	labels := make([]int, n)
	for i := range labels {
		y := rng.IntN(classes)
		labels[i] = y
		row := X.RawRowView(i)
		for j := range row {
			row[j] = mu[y][j] + rng.NormFloat64()
		}
	}
	return &Dataset{X: X, Labels: labels}, nil
}
