package nn

import (
	"fmt"
	"math"

	"github.com/sdeml/sdeml/internal/bnorm"
	igemm "github.com/sdeml/sdeml/internal/gemm"
	"github.com/sdeml/sdeml/internal/relu32"
)

// check32 returns an error if a node of g has no float32 kernel (a custom layer without
// one).
func (g *Graph) check32() error {
	for j := range g.nodes {
		gn := &g.nodes[j]
		switch {
		case gn.kind == gCustom:
			if _, ok := gn.cn.cl.(customLayer32); !ok {
				return fmt.Errorf("nn: Graph node %d (%s) has no float32 kernel", j, layerName(gn.cn.cl))
			}
		}
	}
	return nil
}

// forward32 runs the graph in mixed precision on the ws.batch rows gathered in ws.val[0]
// and returns the output (batch × OutDim, float32).
func (g *Graph) forward32(ws *graphWS32) []float32 {
	if g.hasBN && ws.train && ws.batch < 2 {
		panic(fmt.Sprintf("nn: BatchNorm in training mode needs a batch of at least 2 samples, got len(idx) = %d", ws.batch))
	}
	for j := range g.nodes {
		if g.nodes[j].kind == gBN {
			g.bnForward32(ws, j)
			continue
		}
		ws.task.run(gopFwd, j)
	}
	return ws.val[len(g.nodes)][:ws.batch*g.OutDim()]
}

// bnForward32 is bnForward on float32 values: the statistics are float64 sums of the
// float32 values, reduced over the chunks in chunk order.
func (g *Graph) bnForward32(ws *graphWS32, j int) {
	gn := &g.nodes[j]
	C := gn.out.C
	mean, vari, istd := ws.mean[j], ws.vari[j], ws.istd[j]
	if ws.train {
		// One pass: Σx and Σx² per channel in float64 (exact for sums of up to 2²⁹
		// products of float32 values), σ² = Σx²/N − μ². The float64 cancellation error,
		// about 2⁻⁵³·(μ² + σ²)/σ² relative, stays far below float32's 2⁻²⁴ unless
		// |μ| > 10⁴σ.
		inv := 1 / float64(ws.batch*gn.out.H*gn.out.W)
		ws.task.run(gopBNSum, j)
		ws.reduce(ws.part[0][:2*C], 2*C)
		s := ws.part[0]
		for c := range mean {
			mean[c] = s[c] * inv
			vari[c] = max(s[C+c]*inv-mean[c]*mean[c], 0)
			istd[c] = 1 / math.Sqrt(vari[c]+gn.eps)
		}
	} else {
		copy(mean, ws.rmean[gn.bn])
		for c, v := range ws.rvar[gn.bn] {
			istd[c] = 1 / math.Sqrt(v+gn.eps)
		}
	}
	ws.task.run(gopBNApply, j)
}

// backward32 back-propagates the output errors in ws.d[last] through the graph and writes
// the parameter gradient (float64) into ws.grad unless it is nil.
func (g *Graph) backward32(ws *graphWS32) {
	last := len(g.nodes)
	clear(ws.written)
	ws.written[last] = true
	for j := last - 1; j >= 0; j-- {
		gn := &g.nodes[j]
		if !ws.written[j+1] {
			clear(ws.d[j+1][:ws.batch*gn.out.Size()])
			ws.written[j+1] = true
		}
		switch gn.kind {
		case gBN:
			ws.task.run(gopBNBackSum, j)
			C := gn.out.C
			s := ws.part[0][:2*C]
			for c := 1; c < ws.chunks(); c++ {
				addTo(s, ws.part[c][:2*C])
			}
			// Σdy·x̂ = istd·(Σdy·x − μ·Σdy): the float64 cancellation error, about
			// 2⁻⁵³·|μ|·Σ|dy|, stays far below the float32 rounding of dy (u·Σ|dy||x̂|)
			// unless |μ| > 10⁶σ.
			mean, istd := ws.mean[j], ws.istd[j]
			for c := range C {
				s[C+c] = istd[c] * (s[C+c] - mean[c]*s[c])
			}
			if ws.grad != nil {
				copy(ws.grad[gn.off:gn.off+C], s[C:])
				copy(ws.grad[gn.off+C:gn.off+2*C], s[:C])
			}
			if gn.in[0] != 0 {
				ws.task.dst = ws.target(gn.in[0])
				ws.task.run(gopBNBackApply, j)
				ws.commit(gn.in[0])
			}
		case gAdd:
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
			g.backwardCustom32(ws, j)
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
					addTo(gw, ws.gpart[c][:gn.np])
				}
			}
			if v != 0 {
				ws.commit(v)
			}
		}
	}
}

// Do runs the task's operation on chunk c.
func (t *graph32Task) Do(worker, c int) {
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
	case gopBNSum:
		C := gn.out.C
		p := ws.part[c][:2*C]
		clear(p)
		bnorm.Sums(p[:C], p[C:], x, x)
	case gopBNApply:
		// y = a·x + b in float64 from the float32 x, a = γ·istd, b = β − a·μ, rounded
		// once.
		C := gn.out.C
		a, b := ws.part[c][:C], ws.part[c][C:2*C]
		gamma, beta := ws.w[gn.off:gn.off+C], ws.w[gn.off+C:gn.off+2*C]
		mean, istd := ws.mean[t.j][:C], ws.istd[t.j][:C]
		for k := range C {
			a[k] = gamma[k] * istd[k]
			b[k] = beta[k] - a[k]*mean[k]
		}
		bnorm.Affine(y, x, a, b)
	case gopBNBackSum:
		// Σdy and Σdy·x per channel; backward32 turns the second into
		// Σdy·x̂ = istd·(Σdy·x − μ·Σdy).
		C := gn.out.C
		p := ws.part[c][:2*C]
		clear(p)
		bnorm.Sums(p[:C], p[C:], ws.d[t.j+1][lo*no:hi*no], x)
	case gopBNBackApply:
		C := gn.out.C
		gamma, mean, istd := ws.w[gn.off:gn.off+C], ws.mean[t.j][:C], ws.istd[t.j][:C]
		ss, sg := ws.part[0][:C], ws.part[0][C:2*C]
		dy := ws.d[t.j+1][lo*no : hi*no]
		dx := t.dst[lo*ni : hi*ni]
		// dx = γ·istd·(dy − Σdy/N − x̂·Σdy·x̂/N) = a·dy + b·x + c per channel, in float64:
		// a = γ·istd, b = −a·istd·Σdy·x̂/N, c = −a·Σdy/N − b·μ (training mode), a·dy
		// in evaluation mode. The coefficients go to the chunk's partial sums, which
		// are free again.
		invN := 1 / float64(ws.batch*gn.out.H*gn.out.W)
		co := ws.part[c][:2*C]
		if c == 0 {
			co = ws.gpart[c][:2*C] // chunk 0's partial sums hold the reduced ss, sg
		}
		ca, cb, m := co[:C], co[C:2*C], ws.part[c][2*C:3*C]
		for k := range C {
			ca[k] = gamma[k] * istd[k]
			cb[k] = 0
			m[k] = 0
			if ws.train {
				cb[k] = -ca[k] * istd[k] * sg[k] * invN
				m[k] = ss[k] * invN
			}
		}
		if !ws.train {
			for r := 0; r+C <= len(dy); r += C {
				dr := dy[r : r+C]
				dxr, ca := dx[r:r+len(dr)], ca[:len(dr)]
				for k, v := range dr {
					dxr[k] = float32(ca[k] * float64(v))
				}
			}
			return
		}
		// ca·(dy − m) + cb·(x − μ), m = Σdy/N (internal/bnorm).
		bnorm.Back(dx, dy, x, ca, m, cb, mean)
	case gopBwd:
		t.backward(worker, c, lo, hi, x, y)
	case gopCustomBack:
		t.customBackward(c, lo, hi, y)
	case gopAddBack:
		if t.add {
			add32(t.dst[lo*no:hi*no], ws.d[t.j+1][lo*no:hi*no])
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
func (t *graph32Task) forward(worker, c, lo, hi int, x, y []float32) {
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
			co := st.out.C
			z := y
			if gn.act != Identity {
				z = ws.z[t.j][lo*no : hi*no]
			}
			W := ws.w32[gn.off : gn.off+co*st.k]
			if st.direct {
				igemm.Sgemm(false, true, n*st.npos(), co, st.k, 1, x, st.k, W, st.k, 0, z, co)
			} else {
				convForward32(st, ws.cols[worker], z, x, W, n)
			}
			b := ws.w32[gn.off+co*st.k : gn.off+gn.np]
			for r := 0; r+co <= len(z); r += co {
				zr := z[r : r+co]
				for k, v := range b {
					zr[k] += v
				}
			}
			if gn.act != Identity {
				gn.act.apply32(y, z)
			}
		case stageMax:
			for s := range n {
				maxPoolT(st, y[s*no:(s+1)*no], ws.arg[t.j][(lo+s)*no:(lo+s+1)*no], x[s*ni:(s+1)*ni])
			}
		case stageAvg:
			for s := range n {
				avgPoolT(st, y[s*no:(s+1)*no], x[s*ni:(s+1)*ni])
			}
		}
	case gFlatten:
		copy(y, x)
	case gCustom:
		t.customForward(c, lo, hi, y)
	case gAct:
		gn.act.apply32(y, x)
	case gDrop:
		if !ws.train || gn.rate == 0 {
			copy(y, x)
			return
		}
		m := ws.mask[t.j][lo*no : hi*no]
		keep := float32(1 / (1 - gn.rate))
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
		// The mean over the pixels summed in float64, rounded once.
		in := g.shapes[gn.in[0]]
		C, P := in.C, in.H*in.W
		inv := 1 / float64(P)
		for s := range n {
			ys := y[s*C : (s+1)*C]
			xs := x[s*ni : (s+1)*ni]
			for k := range C {
				sum := 0.0
				for p := range P {
					sum += float64(xs[p*C+k])
				}
				ys[k] = float32(sum * inv)
			}
		}
	case gAdd:
		sum32(y, x, ws.val[gn.in[1]][lo*no:hi*no])
		for _, v := range gn.in[2:] {
			add32(y, ws.val[v][lo*no:hi*no])
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

// backward back-propagates ∂/∂y of node t.j for the samples [lo, hi): the layer's
// parameter gradient of the chunk (float64) goes to ws.gpart[c], ∂/∂x to t.dst.
func (t *graph32Task) backward(worker, c, lo, hi int, x, y []float32) {
	ws := t.ws
	g := ws.g
	gn := &g.nodes[t.j]
	ni, no := g.shapes[gn.in[0]].Size(), gn.out.Size()
	n := hi - lo
	dy := ws.d[t.j+1][lo*no : hi*no]
	var dx []float32
	if t.dst != nil {
		dx = t.dst[lo*ni : hi*ni]
	}
	switch gn.kind {
	case gStage:
		st := &gn.st
		switch st.kind {
		case stageConv:
			co := st.out.C
			if gn.act != Identity {
				gn.act.scaleByDerivative32(dy, ws.z[t.j][lo*no:hi*no], y)
			}
			g32, gp := ws.g32[c][:co*st.k], ws.gpart[c][:gn.np]
			if st.direct {
				igemm.Sgemm(true, false, co, st.k, n*st.npos(), 1, dy, co, x, st.k, 0, g32, st.k)
			} else {
				convWeightGrad32(st, ws.cols[worker], ws.dcols[worker], g32, dy, x, n)
			}
			for i, v := range g32 {
				gp[i] = float64(v)
			}
			gb := gp[co*st.k:]
			clear(gb)
			for r := 0; r+co <= len(dy); r += co {
				for k, v := range dy[r : r+co] {
					gb[k] += float64(v)
				}
			}
			if dx == nil {
				return
			}
			W := ws.w32[gn.off : gn.off+co*st.k]
			if st.direct {
				igemm.Sgemm(false, false, n*st.npos(), st.k, co, 1, dy, co, W, st.k, 0, dx, st.k)
				return
			}
			if ts := ws.tstage(t.j); ts != nil {
				// ∂/∂x as the convolution of ∂/∂y with the flipped kernel (transposed32):
				// im2col of dy and one product per sample, no col2im.
				k2 := ts.k
				wT := ws.wT[worker][:ts.out.C*k2]
				flipKernel(wT, W, st)
				convForward32(ts, ws.dcols[worker], dx, dy, wT, n)
				return
			}
			dc := ws.dcols[worker][:st.npos()*st.k]
			for s := range n {
				igemm.Sgemm(false, false, st.npos(), st.k, co, 1, dy[s*no:(s+1)*no], co, W, st.k, 0, dc, st.k)
				col2imT(st, dx[s*ni:(s+1)*ni], dc, addRun32)
			}
		case stageMax:
			for s := range n {
				dxs, arg := dx[s*ni:(s+1)*ni], ws.arg[t.j][(lo+s)*no:(lo+s+1)*no]
				clear(dxs)
				for q, v := range dy[s*no : (s+1)*no] {
					dxs[arg[q]] += v
				}
			}
		case stageAvg:
			for s := range n {
				avgPoolBackT(st, dx[s*ni:(s+1)*ni], dy[s*no:(s+1)*no])
			}
		}
	case gFlatten:
		copy(dx, dy)
	case gAct:
		if gn.act == ReLU {
			reluBack32(dx, dy, x)
			return
		}
		copy(dx, dy)
		gn.act.scaleByDerivative32(dx, x, y)
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
			for k := range C {
				v := float32(float64(dy[s*C+k]) * inv)
				for p := range P {
					dx[s*ni+p*C+k] = v
				}
			}
		}
	}
}

// reluBack32 sets dx = dy·ReLU'(x) in one pass (dy kept iff x > 0, the branch-free mask
// of scaleByDerivative32, internal/relu32).
func reluBack32(dx, dy, x []float32) {
	relu32.Back(dx[:len(x)], dy[:len(x)], x)
}

// transposed32 returns, for a "same" convolution stage (stride 1, odd square kernel, padding
// (k−1)/2: output and input pixels coincide), the stage of its transposed convolution:
// ∂/∂x[p, c] = Σ_{i,j,o} ∂/∂y[p + (i−pad, j−pad), o]·W[o, (k−1−i, k−1−j, c)], a convolution
// of ∂/∂y (out.C channels) with the flipped kernel W' (in.C × k·k·out.C, flipKernel) and
// the same padding. Other stages return nil (their ∂/∂x goes through col2im).
func transposed32(st *stage) *stage {
	if st.kind != stageConv || st.direct || st.stride != 1 || st.kh != st.kw || st.kh%2 == 0 || st.pad != st.kh/2 {
		return nil
	}
	ts := &stage{kind: stageConv, in: st.out, out: st.in, kh: st.kh, kw: st.kw, stride: 1, pad: st.pad, k: st.kh * st.kw * st.out.C}
	return ts
}

// tstage returns the transposed stage of node j, or nil.
func (ws *graphWS32) tstage(j int) *stage {
	if ws.tst == nil {
		return nil
	}
	return ws.tst[j]
}

// flipKernel writes W'[c, (i, j, o)] = W[o, (kh−1−i, kw−1−j, c)] (W: out.C × kh·kw·in.C)
// into wT (in.C × kh·kw·out.C).
func flipKernel(wT, W []float32, st *stage) {
	ci, co, kh, kw := st.in.C, st.out.C, st.kh, st.kw
	k2 := kh * kw * co
	for o := range co {
		for i := range kh {
			for j := range kw {
				src := W[o*st.k+((kh-1-i)*kw+(kw-1-j))*ci:][:ci]
				for c, v := range src {
					wT[c*k2+(i*kw+j)*co+o] = v
				}
			}
		}
	}
}
