package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/floats"
)

// forward runs the graph on the ws.batch rows gathered in ws.val[0] and returns the output
// (batch × OutDim).
func (g *Graph) forward(ws *graphWS) []float64 {
	if g.hasBN && ws.train && ws.batch < 2 {
		panic(fmt.Sprintf("nn: BatchNorm in training mode needs a batch of at least 2 samples, got len(idx) = %d", ws.batch))
	}
	for j := range g.nodes {
		if g.nodes[j].kind == gBN {
			g.bnForward(ws, j)
			continue
		}
		ws.task.run(gopFwd, j)
	}
	return ws.val[len(g.nodes)][:ws.batch*g.OutDim()]
}

// bnForward normalises node j: in training mode with the batch statistics, reduced over
// the chunks in chunk order (two passes: the mean, then the mean squared deviation).
func (g *Graph) bnForward(ws *graphWS, j int) {
	gn := &g.nodes[j]
	C := gn.out.C
	mean, vari, istd := ws.mean[j], ws.vari[j], ws.istd[j]
	if ws.train {
		N := float64(ws.batch * gn.out.H * gn.out.W)
		ws.task.run(gopBNSum, j)
		ws.reduce(mean, C)
		floats.Scale(1/N, mean)
		ws.task.run(gopBNVar, j)
		ws.reduce(vari, C)
		floats.Scale(1/N, vari)
		for c, v := range vari {
			istd[c] = 1 / math.Sqrt(v+gn.eps)
		}
	} else {
		copy(mean, ws.rmean[gn.bn])
		for c, v := range ws.rvar[gn.bn] {
			istd[c] = 1 / math.Sqrt(v+gn.eps)
		}
	}
	ws.task.run(gopBNApply, j)
}

// reduce sets dst (n values) to the sum of the chunks' partial sums ws.part[c][:n], in
// chunk order.
func (ws *graphWS) reduce(dst []float64, n int) {
	copy(dst[:n], ws.part[0][:n])
	for c := 1; c < ws.chunks(); c++ {
		floats.Add(dst[:n], ws.part[c][:n])
	}
}

// backward back-propagates the output errors in ws.d[last] through the graph and writes
// the parameter gradient into ws.grad unless it is nil.
func (g *Graph) backward(ws *graphWS) {
	last := len(g.nodes)
	clear(ws.written)
	ws.written[last] = true
	for j := last - 1; j >= 0; j-- {
		gn := &g.nodes[j]
		if !ws.written[j+1] { // the output of node j feeds nothing
			clear(ws.d[j+1][:ws.batch*gn.out.Size()])
			ws.written[j+1] = true
		}
		switch gn.kind {
		case gBN:
			ws.task.run(gopBNBackSum, j)
			C := gn.out.C
			s := ws.part[0][:2*C] // reduced in place: chunk 0's partial sums are not needed again
			for c := 1; c < ws.chunks(); c++ {
				floats.Add(s, ws.part[c][:2*C])
			}
			if ws.grad != nil {
				copy(ws.grad[gn.off:gn.off+C], s[C:])     // ∂/∂γ = Σ dy·x̂
				copy(ws.grad[gn.off+C:gn.off+2*C], s[:C]) // ∂/∂β = Σ dy
			}
			if gn.in[0] != 0 {
				ws.task.dst = ws.target(gn.in[0])
				ws.task.run(gopBNBackApply, j)
				ws.commit(gn.in[0])
			}
		case gAdd:
			// Every input receives ∂/∂y: added to a value that already has a contribution,
			// copied to one that has none, except that input 0, taken last, gets the buffer
			// of ∂/∂y itself when it has none (the two are swapped, same size, no copy).
			for k := len(gn.in) - 1; k >= 0; k-- {
				v := gn.in[k]
				switch {
				case v == 0:
					continue
				case k == 0 && !ws.written[v]:
					ws.d[v], ws.d[j+1] = ws.d[j+1], ws.d[v]
				default:
					ws.task.k, ws.task.dst = k, ws.d[v][:ws.batch*gn.out.Size()]
					ws.task.add = ws.written[v]
					ws.task.run(gopAddBack, j)
				}
				ws.written[v] = true
			}
		case gCustom:
			g.backwardCustom(ws, j)
		case gConcat:
			for k, v := range gn.in {
				if v == 0 {
					continue
				}
				ws.task.k, ws.task.dst = k, ws.target(v)
				ws.task.run(gopConcatBack, j)
				ws.commit(v)
			}
		default:
			v := gn.in[0]
			ws.task.dst = nil
			if v != 0 {
				ws.task.dst = ws.target(v)
			} else if gn.np == 0 {
				continue
			}
			ws.task.run(gopBwd, j)
			if gn.np > 0 && ws.grad != nil {
				gw := ws.grad[gn.off : gn.off+gn.np]
				copy(gw, ws.gpart[0][:gn.np])
				for c := 1; c < ws.chunks(); c++ {
					floats.Add(gw, ws.gpart[c][:gn.np])
				}
			}
			if v != 0 {
				ws.commit(v)
			}
		}
	}
}

// target returns where the next contribution to ∂/∂value v goes: ws.d[v] for the first,
// the scratch ws.tmp (added by commit) for later ones.
func (ws *graphWS) target(v int) []float64 {
	n := ws.batch * ws.g.shapes[v].Size()
	if ws.written[v] {
		return ws.tmp[:n]
	}
	return ws.d[v][:n]
}

// commit adds a contribution made in ws.tmp to ws.d[v] and marks v as written.
func (ws *graphWS) commit(v int) {
	if ws.written[v] {
		n := ws.batch * ws.g.shapes[v].Size()
		floats.Add(ws.d[v][:n], ws.tmp[:n])
	}
	ws.written[v] = true
}

// Do runs the task's operation on chunk c.
func (t *graphTask) Do(worker, c int) {
	ws := t.ws
	g := ws.g
	gn := &g.nodes[t.j]
	lo, hi := ws.rows(c)
	ni, no := g.shapes[gn.in[0]].Size(), gn.out.Size()
	x := ws.val[gn.in[0]][lo*ni : hi*ni]
	y := ws.val[t.j+1][lo*no : hi*no]
	switch t.op {
	case gopFwd:
		t.forward(worker, c, lo, hi, x, y)
	case gopBNSum, gopBNVar:
		C := gn.out.C
		p := ws.part[c][:C]
		clear(p)
		mean := ws.mean[t.j][:C]
		for r := 0; r+C <= len(x); r += C {
			row := x[r : r+C]
			if t.op == gopBNSum {
				floats.Add(p, row)
				continue
			}
			mu, p := mean[:len(row)], p[:len(row)]
			for k := range row {
				e := row[k] - mu[k]
				p[k] += e * e
			}
		}
	case gopBNApply:
		C := gn.out.C
		gamma, beta := ws.w[gn.off:gn.off+C], ws.w[gn.off+C:gn.off+2*C]
		mean, istd := ws.mean[t.j][:C], ws.istd[t.j][:C]
		for r := 0; r+C <= len(x); r += C {
			xr := x[r : r+C]
			// Slices of len(xr): the compiler drops the bounds checks of the inner loop.
			yr, mu, is, ga, be := y[r:r+len(xr)], mean[:len(xr)], istd[:len(xr)], gamma[:len(xr)], beta[:len(xr)]
			for k := range xr {
				h := (xr[k] - mu[k]) * is[k] // x̂, recomputed (same bits) by the backward pass
				yr[k] = ga[k]*h + be[k]
			}
		}
	case gopBNBackSum:
		C := gn.out.C
		p := ws.part[c][:2*C]
		clear(p)
		ps, pg := p[:C], p[C:2*C]
		dy := ws.d[t.j+1][lo*no : hi*no]
		mean, istd := ws.mean[t.j][:C], ws.istd[t.j][:C]
		for r := 0; r+C <= len(dy); r += C {
			dr := dy[r : r+C]
			xr, mu, is, ps, pg := x[r:r+len(dr)], mean[:len(dr)], istd[:len(dr)], ps[:len(dr)], pg[:len(dr)]
			for k := range dr {
				v := dr[k]
				ps[k] += v
				pg[k] += v * ((xr[k] - mu[k]) * is[k])
			}
		}
	case gopBNBackApply:
		// dx = γ·istd·(dy − Σdy/N − x̂·Σdy·x̂/N) in training mode, γ·istd·dy in evaluation
		// mode; the sums were reduced into ws.part[0].
		C := gn.out.C
		gamma, mean, istd := ws.w[gn.off:gn.off+C], ws.mean[t.j][:C], ws.istd[t.j][:C]
		ss, sg := ws.part[0][:C], ws.part[0][C:2*C]
		dy := ws.d[t.j+1][lo*no : hi*no]
		dx := t.dst[lo*ni : hi*ni]
		invN := 1 / float64(ws.batch*gn.out.H*gn.out.W)
		for r := 0; r+C <= len(dy); r += C {
			dr := dy[r : r+C]
			xr, dxr, ga, mu, is := x[r:r+len(dr)], dx[r:r+len(dr)], gamma[:len(dr)], mean[:len(dr)], istd[:len(dr)]
			if !ws.train {
				for k := range dr {
					dxr[k] = ga[k] * is[k] * dr[k]
				}
				continue
			}
			ss, sg := ss[:len(dr)], sg[:len(dr)]
			for k := range dr {
				v := dr[k] - (ss[k]*invN + ((xr[k]-mu[k])*is[k])*sg[k]*invN)
				dxr[k] = ga[k] * is[k] * v
			}
		}
	case gopBwd:
		t.backward(worker, c, lo, hi, x, y)
	case gopCustomBack:
		t.customBackward(c, lo, hi, y)
	case gopAddBack:
		if t.add {
			floats.Add(t.dst[lo*no:hi*no], ws.d[t.j+1][lo*no:hi*no])
		} else {
			copy(t.dst[lo*no:hi*no], ws.d[t.j+1][lo*no:hi*no])
		}
	case gopConcatBack:
		off := 0
		for _, v := range gn.in[:t.k] {
			off += g.shapes[v].C
		}
		ck, C := g.shapes[gn.in[t.k]].C, gn.out.C
		dy := ws.d[t.j+1]
		for p := lo * gn.out.H * gn.out.W; p < hi*gn.out.H*gn.out.W; p++ {
			copy(t.dst[p*ck:(p+1)*ck], dy[p*C+off:p*C+off+ck])
		}
	}
}

// forward computes the output y of node t.j for the samples [lo, hi) from their input x.
func (t *graphTask) forward(worker, c, lo, hi int, x, y []float64) {
	ws := t.ws
	g := ws.g
	gn := &g.nodes[t.j]
	ni, no := g.shapes[gn.in[0]].Size(), gn.out.Size()
	n := hi - lo
	switch gn.kind {
	case gStage:
		st := &gn.st
		switch st.kind {
		case stageConv:
			rows, co := n*st.npos(), st.out.C
			A := t.unfold(worker, st, x, n)
			z := y
			if gn.act != Identity {
				z = ws.z[t.j][lo*no : hi*no]
			}
			gemm(blas.NoTrans, blas.Trans, 1, general(rows, st.k, A), general(co, st.k, ws.w[gn.off:]), 0, general(rows, co, z))
			if b := ws.w[gn.off+co*st.k : gn.off+gn.np]; gn.act == Identity {
				addRows(y, b) // z is y: the bias in place, as applyBias would add it
			} else {
				gn.act.applyBias(y, z, b)
			}
		case stageMax:
			for s := range n {
				st.maxPool(y[s*no:(s+1)*no], ws.arg[t.j][(lo+s)*no:(lo+s+1)*no], x[s*ni:(s+1)*ni])
			}
		case stageAvg:
			for s := range n {
				st.avgPool(y[s*no:(s+1)*no], x[s*ni:(s+1)*ni])
			}
		}
	case gFlatten:
		copy(y, x)
	case gCustom:
		t.customForward(c, lo, hi, y)
	case gAct:
		gn.act.apply(y, x)
	case gDrop:
		if !ws.train || gn.rate == 0 {
			copy(y, x)
			return
		}
		m := ws.mask[t.j][lo*no : hi*no]
		keep := 1 / (1 - gn.rate)
		pcg := &ws.pcg[worker]
		for s := range n {
			pcg.Seed(dropSeeds(ws.seed, ws.step, t.j, ws.idx[lo+s]))
			for q := s * no; q < (s+1)*no; q++ {
				u := float64(pcg.Uint64()>>11) * 0x1p-53
				m[q] = 0
				if u >= gn.rate {
					m[q] = keep
				}
				y[q] = x[q] * m[q]
			}
		}
	case gGAP:
		in := g.shapes[gn.in[0]]
		C, P := in.C, in.H*in.W
		for s := range n {
			ys := y[s*C : (s+1)*C]
			clear(ys)
			xs := x[s*ni : (s+1)*ni]
			for p := range P {
				floats.Add(ys, xs[p*C:(p+1)*C])
			}
			floats.Scale(1/float64(P), ys)
		}
	case gAdd:
		copy(y, x)
		for _, v := range gn.in[1:] {
			floats.Add(y, ws.val[v][lo*no:hi*no])
		}
	case gUp:
		in, f := g.shapes[gn.in[0]], gn.factor
		C, W := in.C, in.W
		for s := range n {
			xs, ys := x[s*ni:(s+1)*ni], y[s*no:(s+1)*no]
			for h := range gn.out.H {
				for w := range gn.out.W {
					copy(ys[(h*gn.out.W+w)*C:(h*gn.out.W+w+1)*C], xs[((h/f)*W+w/f)*C:((h/f)*W+w/f+1)*C])
				}
			}
		}
	case gConcat:
		C, off := gn.out.C, 0
		for _, v := range gn.in {
			ck := g.shapes[v].C
			src := ws.val[v]
			for p := lo * gn.out.H * gn.out.W; p < hi*gn.out.H*gn.out.W; p++ {
				copy(ws.val[t.j+1][p*C+off:p*C+off+ck], src[p*ck:(p+1)*ck])
			}
			off += ck
		}
	}
}

// unfold returns the unfolded input (n·npos × k) of a convolution on the n samples x: x
// itself for a direct stage, else their im2col in the worker's scratch.
func (t *graphTask) unfold(worker int, st *stage, x []float64, n int) []float64 {
	if st.direct {
		return x
	}
	m, ni := st.npos()*st.k, st.in.Size()
	cols := t.ws.cols[worker][:n*m]
	for s := range n {
		st.im2col(cols[s*m:(s+1)*m], x[s*ni:(s+1)*ni])
	}
	return cols
}

// backward back-propagates ∂/∂y of node t.j for the samples [lo, hi): the layer's
// parameter gradient of the chunk goes to ws.gpart[c], ∂/∂x to t.dst (unless nil).
func (t *graphTask) backward(worker, c, lo, hi int, x, y []float64) {
	ws := t.ws
	g := ws.g
	gn := &g.nodes[t.j]
	ni, no := g.shapes[gn.in[0]].Size(), gn.out.Size()
	n := hi - lo
	dy := ws.d[t.j+1][lo*no : hi*no]
	var dx []float64
	if t.dst != nil {
		dx = t.dst[lo*ni : hi*ni]
	}
	switch gn.kind {
	case gStage:
		st := &gn.st
		switch st.kind {
		case stageConv:
			rows, co := n*st.npos(), st.out.C
			if gn.act != Identity {
				gn.act.scaleByDerivative(dy, ws.z[t.j][lo*no:hi*no], y)
			}
			D := general(rows, co, dy)
			A := t.unfold(worker, st, x, n)
			gp := ws.gpart[c]
			gemm(blas.Trans, blas.NoTrans, 1, D, general(rows, st.k, A), 0, general(co, st.k, gp))
			columnSums(gp[co*st.k:gn.np], D)
			if dx == nil {
				return
			}
			W := general(co, st.k, ws.w[gn.off:])
			if st.direct {
				gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, dx))
				return
			}
			m := st.npos() * st.k
			dc := ws.dcols[worker][:n*m]
			gemm(blas.NoTrans, blas.NoTrans, 1, D, W, 0, general(rows, st.k, dc))
			for s := range n {
				st.col2im(dx[s*ni:(s+1)*ni], dc[s*m:(s+1)*m])
			}
		case stageMax:
			for s := range n {
				st.maxPoolBack(dx[s*ni:(s+1)*ni], dy[s*no:(s+1)*no], y[s*no:(s+1)*no], ws.arg[t.j][(lo+s)*no:(lo+s+1)*no], false)
			}
		case stageAvg:
			for s := range n {
				st.avgPoolBack(dx[s*ni:(s+1)*ni], dy[s*no:(s+1)*no])
			}
		}
	case gFlatten:
		copy(dx, dy)
	case gAct:
		if gn.act == ReLU {
			reluBack(dx, dy, x)
			return
		}
		copy(dx, dy)
		gn.act.scaleByDerivative(dx, x, y)
	case gDrop:
		if !ws.train || gn.rate == 0 {
			copy(dx, dy)
			return
		}
		m := ws.mask[t.j][lo*no : hi*no]
		for q, v := range dy {
			dx[q] = v * m[q]
		}
	case gUp:
		// dx at (h, w) is the sum of dy over its f×f copies, in row-major order of the copies.
		in, f := g.shapes[gn.in[0]], gn.factor
		C, W, oW := in.C, in.W, gn.out.W
		for s := range n {
			dxs, dys := dx[s*ni:(s+1)*ni], dy[s*no:(s+1)*no]
			clear(dxs)
			for h := range gn.out.H {
				for w := range oW {
					d := dxs[((h/f)*W+w/f)*C : ((h/f)*W+w/f+1)*C]
					for k, v := range dys[(h*oW+w)*C : (h*oW+w+1)*C] {
						d[k] += v
					}
				}
			}
		}
	case gGAP:
		in := g.shapes[gn.in[0]]
		C, P := in.C, in.H*in.W
		inv := 1 / float64(P)
		for s := range n {
			for p := range P {
				for k := range C {
					dx[s*ni+p*C+k] = dy[s*C+k] * inv
				}
			}
		}
	}
}

// reluBack sets dx = dy·ReLU'(x) in one pass, with the bits of copying dy and applying
// Activation.scaleByDerivative (the same branch-free mask: dy kept iff x > 0).
func reluBack(dx, dy, x []float64) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		b := int64(math.Float64bits(v))
		m := uint64((-b >> 63) &^ (b >> 63))
		dx[i] = math.Float64frombits(math.Float64bits(dy[i]) & m)
	}
}
