package nn

// Objective is an empirical risk (1/n)Σᵢ ℓᵢ(w) over n samples indexed 0..Len()-1, with
// parameters w ∈ R^Dim(). It is the contract between models and optimizers.
//
// Implementations are safe for concurrent use by several goroutines as long as each call
// passes its own grad and dst buffers.
type Objective interface {
	// Dim is the number of parameters.
	Dim() int
	// Len is the number of samples.
	Len() int
	// LossGrad returns the mean loss (1/|idx|)Σ_{i∈idx} ℓᵢ(w) and, unless grad is nil,
	// writes its gradient into grad (len Dim()). Entries of idx may repeat.
	LossGrad(grad, w []float64, idx []int) float64
	// Losses writes the per-sample losses ℓ_{idx[k]}(w) into dst[k].
	Losses(dst, w []float64, idx []int)
}
