package reflected

// ema is an exponential moving average of a parameter vector with a running-mean warm-up:
// the (k+1)-th update (k = 0, 1, …) is
//
//	avg ← βₖ·avg + (1 − βₖ)·w,   βₖ = min(decay, k/(k+1)),
//
// so the first 1/(1 − decay) updates give the plain mean of the iterates seen so far (no
// bias towards the starting value, hence no bias correction needed), and later ones the
// exponential average with weight (1 − decay)·decay^j on the iterate j updates back.
// Coordinates whose mask entry is false are held at exactly 0.
type ema struct {
	decay float64
	k     int
	avg   []float64
}

// restart makes the next update set avg to its argument (the warm-up starts again).
func (e *ema) restart() { e.k = 0 }

// update folds w into the average; mask is nil (dense) or has len(w) entries.
func (e *ema) update(w []float64, mask []bool) {
	if len(e.avg) != len(w) {
		e.avg = make([]float64, len(w))
		e.k = 0
	}
	b := min(e.decay, float64(e.k)/float64(e.k+1))
	e.k++
	for i, v := range w {
		if mask != nil && !mask[i] {
			e.avg[i] = 0
			continue
		}
		e.avg[i] = b*e.avg[i] + (1-b)*v // b = 0 gives exactly v
	}
}
