package reflected

// ScoreModel approximates the score s(x, t) ≈ ∇ₓ log pₜ(x) of the data law pushed forward by
// standard reflected Brownian motion on [0,1]^D to time t (variance t per coordinate, see the
// package comment). It is the only thing the reverse-time sampler needs.
//
// Points are stored row-major: x holds n = len(t) points of Dim() coordinates each.
type ScoreModel interface {
	// Dim returns the ambient dimension D.
	Dim() int
	// Score writes s(xᵢ, tᵢ) into row i of dst for i = 0..len(t)-1. x and dst have
	// len(t)·Dim() entries; every tᵢ > 0 and every xᵢ ∈ [0,1]^D. Score is safe for
	// concurrent use, and it panics (prefix "reflected:") on mismatched lengths.
	Score(dst, x, t []float64)
}

// checkScoreArgs panics unless dst, x and t describe the same number of D-dimensional points.
func checkScoreArgs(dst, x, t []float64, d int) {
	if len(x) != len(t)*d || len(dst) != len(x) {
		panic("reflected: score: need len(x) = len(dst) = len(t)·D")
	}
}
