package sam

import "fmt"

// batchChecker is implemented by optimizers whose configuration constrains the batch size
// (m-SAM's Micro, RW-SAM's Unit). Train asks it about every batch size an epoch will use
// before the first step, so a size that cannot work fails at once, not after an epoch.
type batchChecker interface {
	checkBatch(size int) error
}

// checkBatch reports whether Step accepts a batch of b samples (Micro and Remainder).
func (s *SAM) checkBatch(b int) error {
	_, err := microCount(s.Micro, s.Remainder, b)
	return err
}

// checkBatch reports whether Step accepts a batch of b samples (Unit).
func (r *RWSAM) checkBatch(b int) error {
	if r.Unit > 1 && b%r.Unit != 0 {
		return fmt.Errorf("sam: RWSAM.Unit = %d does not divide len(batch) = %d", r.Unit, b)
	}
	return nil
}

// checkBatches asks opt, if it constrains batch sizes, about the sizes of an epoch over n
// samples in batches of batch: the full batch and, with keepLast, the last partial one.
func checkBatches(opt Optimizer, n, batch int, keepLast bool) error {
	bc, ok := opt.(batchChecker)
	if !ok {
		return nil
	}
	if err := bc.checkBatch(batch); err != nil {
		return fmt.Errorf("sam: Train: Batch = %d: %w", batch, unprefixed{err})
	}
	if r := n % batch; keepLast && r != 0 {
		if err := bc.checkBatch(r); err != nil {
			return fmt.Errorf("sam: Train: KeepLast with %d samples and Batch = %d leaves a last batch of %d: %w", n, batch, r, unprefixed{err})
		}
	}
	return nil
}
