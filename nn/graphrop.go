package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/floats"
)

// HVP writes into dst the exact Hessian-vector product H(w)v of the mean loss
// L(w) = (1/|idx|)Σ_{i∈idx} ℓᵢ(w) over idx, by Pearlmutter's R-operator
// R{·} = d/dr (·)(w + r v)|_{r=0} applied to every line of the forward and backward passes
// (forward-over-reverse; docs/derivations/batchnorm-hvp.md). Convolutions and the linear
// layers go as in SeqSupervised.HVP. BatchNorm in training mode differentiates through the
// batch statistics, which depend on every sample of the batch: with N values per channel,
// x̂ = (x − μ)·s, s = (σ² + ε)^{-1/2}, forward
//
//	R{μ} = ΣR{x}/N,   R{σ²} = (2/N)Σ(x − μ)(R{x} − R{μ}),   R{s} = −½s³R{σ²},
//	R{x̂} = (R{x} − R{μ})s + (x − μ)R{s},   R{y} = V_γx̂ + γR{x̂} + V_β,
//
// and backward, with e = ∂L/∂y, S₁ = Σe, S₂ = Σe·x̂ and u = e − S₁/N − x̂S₂/N (so that
// ∂L/∂x = γ·s·u, ∂L/∂γ = S₂, ∂L/∂β = S₁),
//
//	(Hv)_γ = R{S₂} = Σ(R{e}·x̂ + e·R{x̂}),   (Hv)_β = R{S₁} = ΣR{e},
//	R{∂L/∂x} = (V_γs + γR{s})·u + γs·(R{e} − R{S₁}/N − R{x̂}S₂/N − x̂R{S₂}/N).
//
// In evaluation mode μ and s are the running statistics (R{μ} = R{s} = 0, no S terms).
// Dropout masks and max-pool argmaxes are those of the forward pass, and for ReLU σ″ = 0
// off the kinks: on ReLU networks this is the Hessian of the loss on the current
// activation region. The passes run serially, chunk by chunk, so the result is the same
// bits for any GOMAXPROCS. If Loss is not a SecondOrderLoss, HVP falls back to central
// differences of LossGrad. HVP panics if idx is empty (or has one sample with BatchNorm in
// training mode). It is safe for concurrent use and does not allocate in steady state.
func (s *GraphSupervised) HVP(dst, w, v []float64, idx []int) {
	n := s.Dim()
	if len(dst) != n || len(w) != n || len(v) != n {
		panic(fmt.Sprintf("nn: GraphSupervised.HVP lengths dst %d, w %d, v %d, want %d", len(dst), len(w), len(v), n))
	}
	if len(idx) == 0 {
		panic("nn: HVP with empty idx")
	}
	sl, ok := s.Loss.(SecondOrderLoss)
	if !ok {
		(&Hessian{Obj: s, Difference: true}).MulVec(dst, w, v, idx)
		return
	}
	s.Net.checkParams(w)
	ws := s.get(idx)
	defer s.wss.put(ws)
	r := s.rops.get()
	if r == nil {
		r = new(graphR)
	}
	defer s.rops.put(r)
	block := graphBlock
	if s.coupled() {
		block = len(idx)
	}
	clear(dst)
	scale := 1 / float64(len(idx))
	for lo := 0; lo < len(idx); lo += block {
		sub := idx[lo:min(lo+block, len(idx))]
		out := s.pass(ws, w, sub, s.State.Step, true, scale)
		r.ensure(ws)
		g := s.Net
		g.rforward(ws, r, v)
		last := len(g.nodes)
		B, K := ws.batch, g.OutDim()
		copy(r.e[last][:B*K], ws.d[last][:B*K])
		sl.HessVec(general(B, K, r.re[last]), scale, general(B, K, out), general(B, K, r.rv[last]), s.Data, sub)
		g.rbackward(ws, r, dst, v)
	}
}

// graphR is the scratch of the R-operator passes of a Graph: for every value the
// direction R{value}, the error e = ∂L/∂value and its direction R{e}.
type graphR struct {
	cap            int
	rv, e, re      [][]float64 // per value, batch × size
	rz             [][]float64 // R{z} of a convolution node with an activation
	rmu, rs        [][]float64 // BatchNorm: R{μ}, R{s} per channel
	cols, rcols    []float64   // unfolded input and direction of one chunk
	dcols          []float64
	tmp            []float64 // one sample's contribution
	s1, s2, r1, r2 []float64 // BatchNorm sums per channel
}

// ensure sizes r for ws's batch.
func (r *graphR) ensure(ws *graphWS) {
	g := ws.g
	if r.rv != nil && r.cap >= ws.batch && len(r.rv) == len(g.shapes) {
		return
	}
	rows := max(ws.batch, r.cap)
	n := len(g.nodes)
	r.rv, r.e, r.re = make([][]float64, n+1), make([][]float64, n+1), make([][]float64, n+1)
	r.rz, r.rmu, r.rs = make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for v, sh := range g.shapes {
		r.rv[v] = make([]float64, rows*sh.Size())
		r.e[v] = make([]float64, rows*sh.Size())
		r.re[v] = make([]float64, rows*sh.Size())
	}
	maxCols := 0
	for j := range g.nodes {
		gn := &g.nodes[j]
		switch {
		case gn.kind == gStage && gn.st.kind == stageConv:
			if gn.act != Identity {
				r.rz[j] = make([]float64, rows*gn.out.Size())
			}
			if !gn.st.direct {
				maxCols = max(maxCols, seqChunk*gn.st.npos()*gn.st.k)
			}
		case gn.kind == gBN:
			r.rmu[j], r.rs[j] = make([]float64, gn.out.C), make([]float64, gn.out.C)
		}
	}
	r.cols, r.rcols, r.dcols = make([]float64, maxCols), make([]float64, maxCols), make([]float64, maxCols)
	r.tmp = make([]float64, ws.maxSize)
	r.s1, r.s2, r.r1, r.r2 = make([]float64, g.maxC), make([]float64, g.maxC), make([]float64, g.maxC), make([]float64, g.maxC)
	r.cap = rows
}

// unfoldTo returns the unfolded rows of the n samples x (x itself for a direct stage).
func (st *stage) unfoldTo(cols, x []float64, n int) []float64 {
	if st.direct {
		return x
	}
	m, ni := st.npos()*st.k, st.in.Size()
	for s := range n {
		st.im2col(cols[s*m:(s+1)*m], x[s*ni:(s+1)*ni])
	}
	return cols[:n*m]
}

// rforward fills r.rv (and r.rz, r.rmu, r.rs) with the directions along v of every value
// of the forward pass held in ws; the input's direction is 0.
func (g *Graph) rforward(ws *graphWS, r *graphR, v []float64) {
	B := ws.batch
	clear(r.rv[0][:B*g.InDim()])
	for j := range g.nodes {
		gn := &g.nodes[j]
		in := gn.in[0]
		ni, no := g.shapes[in].Size(), gn.out.Size()
		x, y := ws.val[in][:B*ni], ws.val[j+1][:B*no]
		rx, ry := r.rv[in][:B*ni], r.rv[j+1][:B*no]
		switch gn.kind {
		case gStage:
			st := &gn.st
			switch st.kind {
			case stageConv:
				co, k := st.out.C, st.k
				rz := ry
				if gn.act != Identity {
					rz = r.rz[j][:B*no]
				}
				for lo := 0; lo < B; lo += seqChunk {
					hi := min(lo+seqChunk, B)
					rows := (hi - lo) * st.npos()
					Z := general(rows, co, rz[lo*no:hi*no])
					A := st.unfoldTo(r.cols, x[lo*ni:hi*ni], hi-lo)
					gemm(blas.NoTrans, blas.Trans, 1, general(rows, k, A), general(co, k, v[gn.off:]), 0, Z)
					if in != 0 {
						RA := st.unfoldTo(r.rcols, rx[lo*ni:hi*ni], hi-lo)
						gemm(blas.NoTrans, blas.Trans, 1, general(rows, k, RA), general(co, k, ws.w[gn.off:]), 1, Z)
					}
				}
				addRows(rz, v[gn.off+co*k:gn.off+gn.np])
				if gn.act != Identity {
					copy(ry, rz)
					gn.act.scaleByDerivative(ry, ws.z[j][:B*no], y)
				}
			case stageMax:
				for s := range B {
					st.maxPoolR(ry[s*no:(s+1)*no], rx[s*ni:(s+1)*ni], nil, ws.arg[j][s*no:(s+1)*no])
				}
			case stageAvg:
				for s := range B {
					st.avgPool(ry[s*no:(s+1)*no], rx[s*ni:(s+1)*ni])
				}
			}
		case gFlatten:
			copy(ry, rx)
		case gAct:
			copy(ry, rx)
			gn.act.scaleByDerivative(ry, x, y)
		case gDrop:
			copy(ry, rx)
			if ws.train && gn.rate != 0 {
				for q, m := range ws.mask[j][:B*no] {
					ry[q] *= m
				}
			}
		case gGAP:
			C, P := gn.out.C, g.shapes[in].H*g.shapes[in].W
			for s := range B {
				ys := ry[s*C : (s+1)*C]
				clear(ys)
				for p := range P {
					floats.Add(ys, rx[s*ni+p*C:s*ni+(p+1)*C])
				}
				floats.Scale(1/float64(P), ys)
			}
		case gAdd:
			copy(ry, rx)
			for _, u := range gn.in[1:] {
				floats.Add(ry, r.rv[u][:B*no])
			}
		case gUp:
			sh, f := g.shapes[in], gn.factor
			C := sh.C
			for s := range B {
				for h := range gn.out.H {
					for c := range gn.out.W {
						o, i := s*no+(h*gn.out.W+c)*C, s*ni+((h/f)*sh.W+c/f)*C
						copy(ry[o:o+C], rx[i:i+C])
					}
				}
			}
		case gConcat:
			C, off := gn.out.C, 0
			for _, u := range gn.in {
				ck := g.shapes[u].C
				for p := range B * gn.out.H * gn.out.W {
					copy(ry[p*C+off:p*C+off+ck], r.rv[u][p*ck:(p+1)*ck])
				}
				off += ck
			}
		case gBN:
			g.bnR(ws, r, j, v)
		}
	}
}

// bnR is the forward R-operator of BatchNorm node j (see HVP).
func (g *Graph) bnR(ws *graphWS, r *graphR, j int, v []float64) {
	gn := &g.nodes[j]
	B, C := ws.batch, gn.out.C
	size := B * gn.out.Size()
	x, rx, ry := ws.val[gn.in[0]][:size], r.rv[gn.in[0]][:size], r.rv[j+1][:size]
	mean, istd := ws.mean[j][:C], ws.istd[j][:C]
	rmu, rs := r.rmu[j][:C], r.rs[j][:C]
	clear(rmu)
	clear(rs)
	if ws.train {
		N := float64(size / C)
		for o := 0; o < size; o += C {
			floats.Add(rmu, rx[o:o+C])
		}
		floats.Scale(1/N, rmu)
		rvar := rs // R{σ²} first, then R{s} in place
		for o := 0; o < size; o += C {
			for c := range C {
				rvar[c] += (x[o+c] - mean[c]) * (rx[o+c] - rmu[c])
			}
		}
		for c := range C {
			rs[c] = -0.5 * istd[c] * istd[c] * istd[c] * (2 / N * rvar[c])
		}
	}
	gamma := ws.w[gn.off : gn.off+C]
	vg, vb := v[gn.off:gn.off+C], v[gn.off+C:gn.off+2*C]
	for o := 0; o < size; o += C {
		for c := range C {
			xc := x[o+c] - mean[c]
			rh := (rx[o+c]-rmu[c])*istd[c] + xc*rs[c]
			ry[o+c] = vg[c]*xc*istd[c] + gamma[c]*rh + vb[c]
		}
	}
}

// rbackward back-propagates e and R{e} from the output (r.e, r.re of the last value)
// and adds the Hessian-vector product of the batch into hv.
func (g *Graph) rbackward(ws *graphWS, r *graphR, hv, v []float64) {
	B := ws.batch
	for u := range len(g.nodes) {
		n := B * g.shapes[u].Size()
		clear(r.e[u][:n])
		clear(r.re[u][:n])
	}
	for j := len(g.nodes) - 1; j >= 0; j-- {
		gn := &g.nodes[j]
		in := gn.in[0]
		ni, no := g.shapes[in].Size(), gn.out.Size()
		x, y := ws.val[in][:B*ni], ws.val[j+1][:B*no]
		rx := r.rv[in][:B*ni]
		e, re := r.e[j+1][:B*no], r.re[j+1][:B*no]
		ex, rex := r.e[in][:B*ni], r.re[in][:B*ni]
		switch gn.kind {
		case gStage:
			st := &gn.st
			switch st.kind {
			case stageConv:
				g.convRBack(ws, r, hv, v, j)
			case stageMax:
				for s := range B {
					arg := ws.arg[j][s*no : (s+1)*no]
					st.maxPoolBack(r.tmp, e[s*no:(s+1)*no], nil, arg, false)
					floats.Add(ex[s*ni:(s+1)*ni], r.tmp[:ni])
					st.maxPoolBack(r.tmp, re[s*no:(s+1)*no], nil, arg, false)
					floats.Add(rex[s*ni:(s+1)*ni], r.tmp[:ni])
				}
			case stageAvg:
				for s := range B {
					st.avgPoolBack(r.tmp, e[s*no:(s+1)*no])
					floats.Add(ex[s*ni:(s+1)*ni], r.tmp[:ni])
					st.avgPoolBack(r.tmp, re[s*no:(s+1)*no])
					floats.Add(rex[s*ni:(s+1)*ni], r.tmp[:ni])
				}
			}
		case gFlatten:
			floats.Add(ex, e)
			floats.Add(rex, re)
		case gAct:
			// R{e_x} = R{e}⊙σ'(x) + e⊙σ″(x)⊙R{x}, e_x = e⊙σ'(x) (e, R{e} are not needed after).
			gn.act.scaleByDerivative(re, x, y)
			gn.act.addCurvature(re, e, rx, x, y)
			gn.act.scaleByDerivative(e, x, y)
			floats.Add(ex, e)
			floats.Add(rex, re)
		case gDrop:
			if ws.train && gn.rate != 0 {
				for q, m := range ws.mask[j][:B*no] {
					e[q] *= m
					re[q] *= m
				}
			}
			floats.Add(ex, e)
			floats.Add(rex, re)
		case gGAP:
			C, P := gn.out.C, g.shapes[in].H*g.shapes[in].W
			inv := 1 / float64(P)
			for s := range B {
				for p := range P {
					for c := range C {
						ex[s*ni+p*C+c] += e[s*C+c] * inv
						rex[s*ni+p*C+c] += re[s*C+c] * inv
					}
				}
			}
		case gAdd:
			for _, u := range gn.in {
				floats.Add(r.e[u][:B*no], e)
				floats.Add(r.re[u][:B*no], re)
			}
		case gUp:
			sh, f := g.shapes[in], gn.factor
			C := sh.C
			for s := range B {
				for h := range gn.out.H {
					for c := range gn.out.W {
						o, i := s*no+(h*gn.out.W+c)*C, s*ni+((h/f)*sh.W+c/f)*C
						floats.Add(ex[i:i+C], e[o:o+C])
						floats.Add(rex[i:i+C], re[o:o+C])
					}
				}
			}
		case gConcat:
			C, off := gn.out.C, 0
			for _, u := range gn.in {
				ck := g.shapes[u].C
				for p := range B * gn.out.H * gn.out.W {
					floats.Add(r.e[u][p*ck:(p+1)*ck], e[p*C+off:p*C+off+ck])
					floats.Add(r.re[u][p*ck:(p+1)*ck], re[p*C+off:p*C+off+ck])
				}
				off += ck
			}
		case gBN:
			g.bnRBack(ws, r, hv, v, j)
		}
	}
}

// convRBack is the backward R-operator of convolution (or Dense) node j: with δ = e⊙σ'(z)
// and R{δ} = R{e}⊙σ'(z) + e⊙σ″(z)⊙R{z}, (Hv)_W += R{δ}ᵀ·cols + δᵀ·R{cols},
// (Hv)_b += ΣR{δ}, e_x += col2im(δ·W) and R{e_x} += col2im(R{δ}·W + δ·V).
func (g *Graph) convRBack(ws *graphWS, r *graphR, hv, v []float64, j int) {
	gn := &g.nodes[j]
	st := &gn.st
	in := gn.in[0]
	B := ws.batch
	ni, no := st.in.Size(), gn.out.Size()
	co, k := st.out.C, st.k
	e, re := r.e[j+1][:B*no], r.re[j+1][:B*no]
	if gn.act != Identity {
		z, y := ws.z[j][:B*no], ws.val[j+1][:B*no]
		gn.act.scaleByDerivative(re, z, y)
		gn.act.addCurvature(re, e, r.rz[j][:B*no], z, y)
		gn.act.scaleByDerivative(e, z, y)
	}
	hW, hb := general(co, k, hv[gn.off:]), hv[gn.off+co*k:gn.off+gn.np]
	W, V := general(co, k, ws.w[gn.off:]), general(co, k, v[gn.off:])
	for lo := 0; lo < B; lo += seqChunk {
		hi := min(lo+seqChunk, B)
		rows := (hi - lo) * st.npos()
		D, RD := general(rows, co, e[lo*no:hi*no]), general(rows, co, re[lo*no:hi*no])
		A := st.unfoldTo(r.cols, ws.val[in][lo*ni:hi*ni], hi-lo)
		gemm(blas.Trans, blas.NoTrans, 1, RD, general(rows, k, A), 1, hW)
		for q := range rows {
			floats.Add(hb, RD.Data[q*co:(q+1)*co])
		}
		if in == 0 {
			continue
		}
		RA := st.unfoldTo(r.rcols, r.rv[in][lo*ni:hi*ni], hi-lo)
		gemm(blas.Trans, blas.NoTrans, 1, D, general(rows, k, RA), 1, hW)
		ex, rex := r.e[in][lo*ni:hi*ni], r.re[in][lo*ni:hi*ni]
		if st.direct {
			gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 1, general(rows, k, ex))
			gemm(blas.NoTrans, blas.NoTrans, 1, RD, W, 1, general(rows, k, rex))
			gemm(blas.NoTrans, blas.NoTrans, 1, D, V, 1, general(rows, k, rex))
			continue
		}
		m := st.npos() * k
		dc := general(rows, k, r.dcols)
		gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, dc)
		for s := range hi - lo {
			st.col2im(r.tmp, r.dcols[s*m:(s+1)*m])
			floats.Add(ex[s*ni:(s+1)*ni], r.tmp[:ni])
		}
		gemm(blas.NoTrans, blas.NoTrans, 1, RD, W, 0, dc)
		gemm(blas.NoTrans, blas.NoTrans, 1, D, V, 1, dc)
		for s := range hi - lo {
			st.col2im(r.tmp, r.dcols[s*m:(s+1)*m])
			floats.Add(rex[s*ni:(s+1)*ni], r.tmp[:ni])
		}
	}
}

// bnRBack is the backward R-operator of BatchNorm node j (see HVP).
func (g *Graph) bnRBack(ws *graphWS, r *graphR, hv, v []float64, j int) {
	gn := &g.nodes[j]
	in := gn.in[0]
	B, C := ws.batch, gn.out.C
	size := B * gn.out.Size()
	x, rx := ws.val[in][:size], r.rv[in][:size]
	e, re := r.e[j+1][:size], r.re[j+1][:size]
	mean, istd, rmu, rs := ws.mean[j][:C], ws.istd[j][:C], r.rmu[j][:C], r.rs[j][:C]
	gamma, vg := ws.w[gn.off:gn.off+C], v[gn.off:gn.off+C]
	s1, s2, r1, r2 := r.s1[:C], r.s2[:C], r.r1[:C], r.r2[:C]
	clear(s1)
	clear(s2)
	clear(r1)
	clear(r2)
	for o := 0; o < size; o += C {
		for c := range C {
			xc := x[o+c] - mean[c]
			h, rh := xc*istd[c], (rx[o+c]-rmu[c])*istd[c]+xc*rs[c]
			s1[c] += e[o+c]
			s2[c] += e[o+c] * h
			r1[c] += re[o+c]
			r2[c] += re[o+c]*h + e[o+c]*rh
		}
	}
	floats.Add(hv[gn.off:gn.off+C], r2)
	floats.Add(hv[gn.off+C:gn.off+2*C], r1)
	if in == 0 {
		return
	}
	ex, rex := r.e[in][:size], r.re[in][:size]
	invN := 0.0
	if ws.train {
		invN = 1 / float64(size/C)
	}
	for o := 0; o < size; o += C {
		for c := range C {
			xc := x[o+c] - mean[c]
			h, rh := xc*istd[c], (rx[o+c]-rmu[c])*istd[c]+xc*rs[c]
			u := e[o+c] - s1[c]*invN - h*s2[c]*invN
			ru := re[o+c] - r1[c]*invN - rh*s2[c]*invN - h*r2[c]*invN
			ex[o+c] += gamma[c] * istd[c] * u
			rex[o+c] += (vg[c]*istd[c]+gamma[c]*rs[c])*u + gamma[c]*istd[c]*ru
		}
	}
}
