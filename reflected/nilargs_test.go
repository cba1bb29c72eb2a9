package reflected

import (
	"strings"
	"testing"
)

// TestNilArgumentsAreErrors checks that a nil random source and a nil score model give
// errors naming the argument instead of a nil dereference deep inside.
func TestNilArgumentsAreErrors(t *testing.T) {
	if _, err := NewScoreNet(2, []int{8}, TimeEmbedding{}, nil); err == nil || !strings.Contains(err.Error(), "src is nil") {
		t.Errorf("NewScoreNet with a nil source: error %v, want one naming src", err)
	}
	dst := make([]float64, 4)
	for _, m := range []ScoreModel{nil, (*ScoreNet)(nil), &ScoreNet{}} {
		if err := (&Sampler{}).Sample(dst, m, 1); err == nil || !strings.Contains(err.Error(), "model is nil") {
			t.Errorf("Sample with model %#v: error %v, want one naming the model", m, err)
		}
	}
}
