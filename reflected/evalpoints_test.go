package reflected

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTrainEvalPoints checks that EvalPoints limits the final evaluation to the first
// points: the EMA loss equals DSM.LossGrad over those points at the final round, computed
// here independently, and a negative value is an error naming the field.
func TestTrainEvalPoints(t *testing.T) {
	const D = 2
	data := boxData(t, D, 1, 60, 3)
	net, err := NewScoreNet(D, []int{8}, TimeEmbedding{Freqs: 1}, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(net, data, nil, &TrainSettings{Steps: 20, Batch: 8, Seed: 4, EvalPoints: 13})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewDSM(net, data, 2e-4, MixingTime(D, 1e-3), 4)
	if err != nil {
		t.Fatal(err)
	}
	obj.Round = 20
	idx := make([]int, 13)
	for i := range idx {
		idx[i] = i
	}
	// Train evaluates in chunks of Batch = 8 (8 + 5 points): equal up to rounding.
	if want := obj.LossGrad(nil, net.W, idx); abs(res.EMALoss-want) > 1e-12*want {
		t.Errorf("EMALoss %v, want the loss over the first 13 points %v", res.EMALoss, want)
	}
	if _, err := Train(net, data, nil, &TrainSettings{Steps: 2, EvalPoints: -1}); err == nil || !strings.Contains(err.Error(), "EvalPoints = -1") {
		t.Errorf("EvalPoints = -1: error %v", err)
	}
}

func abs(x float64) float64 { return max(x, -x) }
