package sam

import (
	"fmt"

	"github.com/sdeml/sdeml/nn"
)

// Objectives with model state (nn.StatefulObjective: batch-normalisation running
// statistics, dropout step) are advanced exactly once per optimizer step, at the
// unperturbed parameters w on the step's batch: the optimizers of this package route the
// step's first clean pass through LossGradUpdate when there is one on the whole batch (SGD,
// Adam, SAM with Micro = 0 or the whole batch, RW-SAM's g_B), and otherwise (m-SAM with
// several micro-batches, n-SAM, whose ascent runs on other samples) open the step with a
// forward-only LossGradUpdate on the batch. Ascent passes and perturbed passes use plain
// LossGrad, so they never move the running statistics (the convention of the SAM
// implementations that freeze them in the second pass), and every pass of a step sees the
// same dropout masks.

// cleanGrad is the step's first pass at w on the whole batch: LossGradUpdate for a
// stateful objective, LossGrad otherwise.
func cleanGrad(obj nn.Objective, g, w []float64, batch []int) float64 {
	if so, ok := obj.(nn.StatefulObjective); ok {
		return so.LossGradUpdate(g, w, batch)
	}
	return obj.LossGrad(g, w, batch)
}

// openStep advances a stateful objective by a forward-only pass at w on batch (a step
// whose first clean pass is not on the whole batch), counted in c as one serial forward
// pass; it does nothing for other objectives.
func openStep(obj nn.Objective, w []float64, batch []int, c *Cost) {
	if so, ok := obj.(nn.StatefulObjective); ok {
		so.LossGradUpdate(nil, w, batch)
		c.loss(len(batch))
		c.Serial++
		c.Depth++
	}
}

// minBatcher is the optional objective method giving the smallest batch one pass accepts
// (nn.GraphSupervised: 2 with batch normalisation in training mode, else 1).
type minBatcher interface{ MinBatch() int }

// checkMinBatch returns an error naming what if a pass on size samples is below the
// objective's MinBatch.
func checkMinBatch(obj nn.Objective, size int, what string) error {
	if mb, ok := obj.(minBatcher); ok && size < mb.MinBatch() {
		return fmt.Errorf("sam: %s = %d, but the objective needs passes of at least %d samples (batch normalisation in training mode)", what, size, mb.MinBatch())
	}
	return nil
}
