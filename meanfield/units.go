package meanfield

// ScalarUnit is F(w, x) = a·φ(⟨b, x⟩ + c) ∈ R with particle w = (a, b_1…b_p, c) ∈ R^{p+2}.
// With φ = tanh and p = 1 it is the smooth unit a·tanh(bx + c) of the theory checks
// (docs/derivations/msgld.md §7). P = 0 means p = 1.
type ScalarUnit struct {
	P   int
	Act Activation
}

// TanhUnit returns the unit a·tanh(⟨b, x⟩ + c) on R^p.
func TanhUnit(p int) ScalarUnit { return ScalarUnit{P: p, Act: Tanh} }

// SigmoidUnit returns the unit a·σ(⟨b, x⟩ + c) on R^p, σ(z) = 1/(1+e^{−z}).
func SigmoidUnit(p int) ScalarUnit { return ScalarUnit{P: p, Act: Sigmoid} }

func (u ScalarUnit) p() int {
	if u.P <= 0 {
		return 1
	}
	return u.P
}

// Dim returns p + 2.
func (u ScalarUnit) Dim() int { return u.p() + 2 }

// InDim returns p.
func (u ScalarUnit) InDim() int { return u.p() }

// OutDim returns 1.
func (u ScalarUnit) OutDim() int { return 1 }

// Forward writes a·φ(⟨b, x⟩ + c) into out[0].
func (u ScalarUnit) Forward(out, w, x []float64) float64 {
	checkUnitArgs(u.Dim(), u.p(), 1, out, w, x)
	p := len(x)
	phi, s := u.Act.apply(dot(w[1:1+p], x) + w[p+1])
	out[0] = w[0] * phi
	return s
}

// AddVJP adds cot·(φ, aφ'x, aφ') to g, the gradient of cot·F in (a, b, c).
func (u ScalarUnit) AddVJP(g, w, x, cot []float64, s float64) {
	p := len(x)
	phi := s
	if u.Act == ReLU && s < 0 {
		phi = 0
	}
	g[0] += cot[0] * phi
	dz := cot[0] * w[0] * u.Act.deriv(s)
	axpy(dz, x, g[1:1+p])
	g[p+1] += dz
}

// ReLUUnit is the unit of the paper's experiments (fonfonx/MeanFieldSGD, models.py):
// F(w, x) = a·relu(⟨u, x⟩) ∈ R^K with particle w = (u, a) ∈ R^{p+K}. The network
// output (1/N) Σ_k F(W^k, x) is torch's fc(x)/width with bias-free layers.
type ReLUUnit struct {
	P, K int
}

// Dim returns p + K.
func (u ReLUUnit) Dim() int { return u.P + u.K }

// InDim returns p.
func (u ReLUUnit) InDim() int { return u.P }

// OutDim returns K.
func (u ReLUUnit) OutDim() int { return u.K }

// Forward writes a·relu(⟨u, x⟩) into out and returns z = ⟨u, x⟩.
func (u ReLUUnit) Forward(out, w, x []float64) float64 {
	checkUnitArgs(u.P+u.K, u.P, u.K, out, w, x)
	z := dot(w[:u.P], x)
	r := max(z, 0)
	a := w[u.P:]
	for j := range out {
		out[j] = a[j] * r
	}
	return z
}

// AddVJP adds (1[z>0]⟨a, cot⟩ x, relu(z) cot) to g.
func (u ReLUUnit) AddVJP(g, w, x, cot []float64, z float64) {
	if z <= 0 {
		return
	}
	a := w[u.P:]
	ga := g[u.P:]
	var ac float64
	for j, c := range cot {
		ac += a[j] * c
		ga[j] += z * c
	}
	axpy(ac, x, g[:u.P])
}

// FirstLayerUnit is F(w, x) = φ(⟨u, x⟩) ∈ R with particle w = u ∈ R^p: only the first
// layer is trained and the output weight is fixed, so the network is
// (1/N) Σ_k φ(⟨u_k, x⟩), the setting the theory analyses (output weights 1/N).
type FirstLayerUnit struct {
	P   int
	Act Activation
}

// Dim returns p.
func (u FirstLayerUnit) Dim() int { return u.P }

// InDim returns p.
func (u FirstLayerUnit) InDim() int { return u.P }

// OutDim returns 1.
func (u FirstLayerUnit) OutDim() int { return 1 }

// Forward writes φ(⟨u, x⟩) into out[0].
func (u FirstLayerUnit) Forward(out, w, x []float64) float64 {
	checkUnitArgs(u.P, u.P, 1, out, w, x)
	phi, s := u.Act.apply(dot(w, x))
	out[0] = phi
	return s
}

// AddVJP adds cot·φ'(⟨u, x⟩)·x to g.
func (u FirstLayerUnit) AddVJP(g, w, x, cot []float64, s float64) {
	axpy(cot[0]*u.Act.deriv(s), x, g)
}
