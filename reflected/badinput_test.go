package reflected

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/sam"
)

// TestTrainDataDim checks that 100 points in 3-D (length 300, a multiple of 2) given to a
// D = 2 network are refused when the caller states the data's dimension, and that a
// length that is not a multiple of D is refused always.
func TestTrainDataDim(t *testing.T) {
	net, err := NewScoreNet(2, []int{4}, TimeEmbedding{}, rand.NewPCG(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	data3 := make([]float64, 300)
	for i := range data3 {
		data3[i] = float64(i%7) / 7
	}
	_, err = Train(net, data3, &sam.SGD{LR: 0.01}, &TrainSettings{Steps: 1, Batch: 4, DataDim: 3})
	if err == nil || !strings.Contains(err.Error(), "DataDim = 3") {
		t.Errorf("3-D data to a D = 2 network: error %v, want one naming DataDim", err)
	}
	_, err = Train(net, data3[:299], &sam.SGD{LR: 0.01}, &TrainSettings{Steps: 1, Batch: 4})
	if err == nil || !strings.Contains(err.Error(), "not a multiple of D = 2") {
		t.Errorf("len 299 to a D = 2 network: error %v, want a dimension mismatch", err)
	}
	if _, err = Train(net, data3, &sam.SGD{LR: 0.01}, &TrainSettings{Steps: 1, Batch: 4, DataDim: 2}); err != nil {
		t.Errorf("matching DataDim: %v", err)
	}
}

// TestNoiseDatasetOutsideCube checks that NoiseDataset refuses points outside [0,1]^D
// (which it used to fold silently), with the same check and wording as NewDSM.
func TestNoiseDatasetOutsideCube(t *testing.T) {
	dst := make([]float64, 4)
	for _, v := range []float64{-0.1, 1.5} {
		data := []float64{0.1, 0.2, v, 0.4}
		err := NoiseDataset(dst, data, 2, 0.1, 1)
		if err == nil || !strings.Contains(err.Error(), "outside [0,1]") || !strings.Contains(err.Error(), "data[2]") {
			t.Errorf("data[2] = %v: error %v, want one naming data[2] outside [0,1]", v, err)
		}
	}
}

// TestMetricsBadInput checks that the metrics refuse NaN and points outside [0,1]^D with an
// error naming the argument, the index and the value, and refuse unequal sizes.
func TestMetricsBadInput(t *testing.T) {
	good := []float64{0.1, 0.2, 0.3, 0.4}
	for _, c := range []struct {
		name string
		x, y []float64
		want string
	}{
		{"NaN in x", []float64{0.1, math.NaN(), 0.3, 0.4}, good, "x[1] = NaN"},
		{"outside in y", good, []float64{0.1, 0.2, 1.5, 0.4}, "y[2] = 1.5"},
		{"negative in x", []float64{-0.2, 0.2, 0.3, 0.4}, good, "x[0] = -0.2"},
		{"unequal sizes", good, good[:2], "need equal sizes"},
	} {
		if _, err := W1(c.x, c.y, 2); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("W1 %s: error %v, want one containing %q", c.name, err, c.want)
		}
		if _, err := SlicedW1(c.x, c.y, 2, 4, rand.NewPCG(1, 1)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SlicedW1 %s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := (Cosine{C: 0.5}).W1ToLaw1D([]float64{0.2, math.NaN()}); err == nil || !strings.Contains(err.Error(), "z[1] is NaN") {
		t.Errorf("W1ToLaw1D NaN: error %v, want one naming z[1]", err)
	}
}
