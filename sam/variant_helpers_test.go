package sam

// quads is f(w) = (1/n)Σᵢ ℓᵢ(w) with ℓᵢ(w) = ½ Σ_k a_k (w_k − c_ik)², so every gradient
// and loss of the variants' tests is a closed form: ∇ℓᵢ = a ⊙ (w − cᵢ).
type quads struct {
	a []float64
	c [][]float64
}

func (q *quads) Dim() int { return len(q.a) }
func (q *quads) Len() int { return len(q.c) }
func (q *quads) LossGrad(g, w []float64, idx []int) float64 {
	if g != nil {
		clear(g)
	}
	var f float64
	inv := 1 / float64(len(idx))
	for _, i := range idx {
		for k, a := range q.a {
			r := w[k] - q.c[i][k]
			f += 0.5 * a * r * r * inv
			if g != nil {
				g[k] += a * r * inv
			}
		}
	}
	return f
}
func (q *quads) Losses(dst, w []float64, idx []int) {
	for j, i := range idx {
		dst[j] = 0
		for k, a := range q.a {
			r := w[k] - q.c[i][k]
			dst[j] += 0.5 * a * r * r
		}
	}
}
