package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Dataset is a supervised data set: inputs X (n×d, one sample per row) with integer class
// Labels (classification) and/or real targets Y (n×k, regression).
type Dataset struct {
	X      *mat.Dense
	Labels []int
	Y      *mat.Dense
}

// Len is the number of samples, the rows of X (0 if X is nil).
func (d *Dataset) Len() int {
	if d == nil || d.X == nil {
		return 0
	}
	r, _ := d.X.Dims()
	return r
}

// Dim is the input width, the columns of X.
func (d *Dataset) Dim() int {
	if d == nil || d.X == nil {
		return 0
	}
	_, c := d.X.Dims()
	return c
}

// Validate checks that X is non-empty and finite and that Labels and Y, when present,
// have one entry/row per sample.
func (d *Dataset) Validate() error {
	if d == nil || d.X == nil {
		return fmt.Errorf("nn: Dataset.X is nil")
	}
	n := d.Len()
	if n == 0 {
		return fmt.Errorf("nn: Dataset.X has 0 rows")
	}
	if err := finite("Dataset.X", d.X); err != nil {
		return err
	}
	if d.Labels != nil && len(d.Labels) != n {
		return fmt.Errorf("nn: len(Dataset.Labels) = %d, want %d", len(d.Labels), n)
	}
	if d.Y != nil {
		if r, _ := d.Y.Dims(); r != n {
			return fmt.Errorf("nn: Dataset.Y has %d rows, want %d", r, n)
		}
		if err := finite("Dataset.Y", d.Y); err != nil {
			return err
		}
	}
	return nil
}

func finite(name string, a *mat.Dense) error {
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("nn: %s[%d,%d] = %v is not finite", name, i, j, v)
			}
		}
	}
	return nil
}
