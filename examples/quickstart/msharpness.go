package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/sam"
)

// runMSharpness trains the stochastic diagonal linear network of Andriushchenko & Flammarion
// (n = 40 training points, d = 100, 5-sparse teacher, batch 20) with SAM, m-SAM (m = 2) and
// RW-SAM (4 sharpness-weighted corrections of 2 samples each): the m-sharpness effect is the
// much lower test loss of small micro-batches, and RW-SAM recovers it while staying parallel.
func runMSharpness(seed uint64) ([]row, error) {
	task, err := sam.NewDiagNetTask(rand.NewPCG(seed, 0xd1a9), 40, 1000, 100, 5)
	if err != nil {
		return nil, err
	}
	test := make([]int, 1000)
	for i := range test {
		test[i] = i
	}
	var rows []row
	for _, c := range []struct {
		name string
		opt  sam.Optimizer
	}{
		{"SGD", &sam.SGD{LR: 0.1}},
		{"SAM (m = 20)", &sam.SAM{Base: &sam.SGD{LR: 0.1}, Rho: 0.45, Norm: sam.Unnormalized}},
		{"m-SAM (m = 2)", &sam.SAM{Base: &sam.SGD{LR: 0.1}, Rho: 0.45, Micro: 2, Norm: sam.Unnormalized}},
		{"RW-SAM (k = 4 units of 2)", &sam.RWSAM{Form: sam.Corrections, Base: &sam.SGD{LR: 0.1}, Rho: 0.45, Draws: 4, Unit: 2,
			Norm: sam.Unnormalized, Seed: seed}},
	} {
		w := task.Init(0.1)
		if _, err := sam.Train(w, task.Train, c.opt, &sam.TrainSettings{Epochs: 5000, Batch: 20, Seed: seed}); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		rows = append(rows, row{"m-sharpness", "diagonal net test loss, " + c.name,
			fmt.Sprintf("%.2e", task.Test.LossGrad(nil, w, test)), "m-SAM, RW-SAM ≪ SAM ≈ SGD"})
	}
	return rows, nil
}
