package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// rv is a running-error pair: v is the exact value of a quantity (computed in float64 by a
// plain reference implementation), e a first-order bound on |computed − exact| for the
// value the mixed-precision path (GraphSupervised32) holds.
type rv struct{ v, e []float64 }

func newRV(n int) rv { return rv{make([]float64, n), make([]float64, n)} }

// graphBound32 runs a plain float64 reference of the graph on the rows idx (SoftmaxCE,
// every node kind of a ResNet: convolutions and Dense without activation, BatchNorm,
// ReLU, Dropout, Add, GlobalAvgPool, Flatten) and propagates, operation by operation, a
// first-order bound on the error of each value of GraphSupervised32 (a running error
// analysis, Higham, Accuracy and Stability of Numerical Algorithms, §3.3). With u = 2⁻²⁴
// the unit roundoff of float32, the rules, each mirroring what the float32 path does:
//
//   - rounding a float64 value x (error e) to float32: e + u|x| (inputs, parameters
//     of convolutions and Dense, the output errors, every value BatchNorm, the pools and
//     the loss derivative form in float64 and round once);
//   - a float32 sum a + b: e_a + e_b + u|a + b| (bias additions, Add, contributions to a
//     value used twice);
//   - a product of Sgemm of length k: Σ(|a|e_b + e_a|b|) + (k+2)·u·Σ|a||b| (internal/gemm's
//     bound γ_{k+2}); a col2im sum of kh·kw such products adds kh·kw to k, and the ∂/∂x of
//     a "same" convolution is one product of length kh·kw·co;
//   - ReLU is 1-Lipschitz: its output error is its input's. Its derivative, the mask
//     1{x > 0}, passes the errors of dy unchanged where |x| > 2e_x, and may flip where
//     |x| ≤ 2e_x: the error of dx there is bounded by |dy| + e_dy instead;
//   - BatchNorm (float64 statistics of float32 values): e_μ = mean e_x,
//     e_σ² = mean 2|x−μ|(e_x + e_μ), e_istd = ½·istd³·e_σ², and the derivatives of
//     y = γ(x−μ)·istd + β and of its backward formula in each argument;
//   - the loss ℓ = lse(o) − o_y: Σ_k |p_k − 1{k=y}|·e_{o_k}; its derivative (p − onehot)/B:
//     (p_k·e_{o_k} + p_k·Σ_j p_j e_{o_j})/B, then rounded;
//   - float64 sums (statistics, bias and γ, β gradients, chunk sums): the sum of the
//     errors (their own rounding is 2²⁹ times smaller).
//
// The rules drop products of errors. They enter where values meet nonlinearly: BatchNorm's
// 1/√(σ² + ε) and normalised values x̂ (scale 1), the outputs o (in exp). worstRel, the
// largest of e_istd/istd, e_x̂ and e_o (returned), bounds the dropped terms relative to the
// kept ones; the tests require it below 10⁻², and a factor 1.05 covers them. It returns the
// exact loss and gradient (the reference's), their bounds, the number of ReLU masks that
// may flip and worstRel.
func graphBound32(g *Graph, w []float64, data *Dataset, idx []int, st *GraphState, eval bool, seed, step uint64) (loss, lossTol float64, grad, gradTol []float64, flips int, worstRel float64) {
	const u = 0x1p-24
	B := len(idx)
	vals := make([]rv, len(g.nodes)+1)
	type bnStats struct{ mean, istd, emean, eistd []float64 }
	bns := make([]bnStats, len(g.nodes))
	masks := make([][]float64, len(g.nodes))
	in := g.InDim()
	vals[0] = newRV(B * in)
	for r, i := range idx {
		for j := range in {
			x := data.X.At(i, j)
			vals[0].v[r*in+j], vals[0].e[r*in+j] = x, u*math.Abs(x)
		}
	}
	relu := func(x rv) rv { // 1-Lipschitz: |ReLU(x̂) − ReLU(x)| ≤ |x̂ − x|
		y := newRV(len(x.v))
		for i, v := range x.v {
			y.e[i] = x.e[i]
			if v > 0 {
				y.v[i] = v
			}
		}
		return y
	}
	// unfold returns the unfolded input of a convolution stage for the B samples of x
	// (values and errors gathered alike: im2col only moves values).
	unfold := func(s *stage, x []float64) []float64 {
		if s.direct {
			return x
		}
		m, ni := s.npos()*s.k, s.in.Size()
		cols := make([]float64, B*m)
		for r := range B {
			s.im2col(cols[r*m:(r+1)*m], x[r*ni:(r+1)*ni])
		}
		return cols
	}
	for j := range g.nodes {
		gn := &g.nodes[j]
		x := vals[gn.in[0]]
		no := gn.out.Size()
		y := newRV(B * no)
		switch gn.kind {
		case gStage:
			s := &gn.st
			if s.kind != stageConv || gn.act != Identity {
				panic(fmt.Sprintf("graphBound32: node %d: only convolutions without activation", j))
			}
			co, k := s.out.C, s.k
			Av, Ae := unfold(s, x.v), unfold(s, x.e)
			W, b := w[gn.off:gn.off+co*k], w[gn.off+co*k:gn.off+gn.np]
			rows := B * s.npos()
			for r := range rows {
				for o := range co {
					sum, mag, prop := 0.0, 0.0, 0.0
					for q := range k {
						a, wt := Av[r*k+q], W[o*k+q]
						sum += a * wt
						mag += math.Abs(a * wt)
						prop += Ae[r*k+q]*math.Abs(wt) + math.Abs(a)*u*math.Abs(wt)
					}
					z := sum + b[o]
					y.v[r*co+o] = z
					y.e[r*co+o] = prop + float64(k+2)*u*mag + u*math.Abs(b[o]) + u*math.Abs(z)
				}
			}
		case gBN:
			C := gn.out.C
			P := gn.out.H * gn.out.W
			N := float64(B * P)
			bs := bnStats{make([]float64, C), make([]float64, C), make([]float64, C), make([]float64, C)}
			for c := range C {
				if eval {
					bs.mean[c] = st.Mean[gn.bn][c]
					bs.istd[c] = 1 / math.Sqrt(st.Var[gn.bn][c]+gn.eps)
					continue
				}
				m, em := 0.0, 0.0
				for q := c; q < len(x.v); q += C {
					m += x.v[q]
					em += x.e[q]
				}
				m, em = m/N, em/N
				vr, ev := 0.0, 0.0
				for q := c; q < len(x.v); q += C {
					d := x.v[q] - m
					vr += d * d
					ev += 2 * math.Abs(d) * (x.e[q] + em)
				}
				vr, ev = vr/N, ev/N
				is := 1 / math.Sqrt(vr+gn.eps)
				bs.mean[c], bs.istd[c], bs.emean[c], bs.eistd[c] = m, is, em, 0.5*is*is*is*ev
				worstRel = max(worstRel, bs.eistd[c]/is)
			}
			ga, be := w[gn.off:gn.off+C], w[gn.off+C:gn.off+2*C]
			for q, xv := range x.v {
				c := q % C
				d := xv - bs.mean[c]
				yv := ga[c]*d*bs.istd[c] + be[c]
				y.v[q] = yv
				exh := (x.e[q]+bs.emean[c])*bs.istd[c] + math.Abs(d)*bs.eistd[c] // of x̂, whose scale is 1
				worstRel = max(worstRel, exh)
				y.e[q] = math.Abs(ga[c])*exh + u*math.Abs(yv)
			}
			bns[j] = bs
		case gAct:
			if gn.act != ReLU {
				panic("graphBound32: only ReLU")
			}
			y = relu(x)
		case gDrop:
			if eval || gn.rate == 0 {
				y = x
				break
			}
			keep := float64(float32(1 / (1 - gn.rate)))
			m := make([]float64, B*no)
			var pcg rand.PCG
			for r := range B {
				pcg.Seed(dropSeeds(seed, step, j, idx[r]))
				for q := r * no; q < (r+1)*no; q++ {
					if float64(pcg.Uint64()>>11)*0x1p-53 >= gn.rate {
						m[q] = 1 / (1 - gn.rate)
					}
				}
			}
			for q := range m {
				y.v[q] = x.v[q] * m[q]
				if m[q] != 0 {
					// the float32 mask keep differs from 1/(1−rate) by at most u relative
					y.e[q] = x.e[q]*keep + 2*u*math.Abs(y.v[q])
				}
			}
			masks[j] = m
		case gGAP:
			inS := g.shapes[gn.in[0]]
			P := inS.H * inS.W
			for r := range B {
				for c := range inS.C {
					s, e := 0.0, 0.0
					for p := range P {
						s += x.v[r*inS.Size()+p*inS.C+c]
						e += x.e[r*inS.Size()+p*inS.C+c]
					}
					y.v[r*inS.C+c], y.e[r*inS.C+c] = s/float64(P), e/float64(P)+u*math.Abs(s/float64(P))
				}
			}
		case gFlatten:
			y = x
		case gAdd:
			copy(y.v, x.v)
			copy(y.e, x.e)
			for _, v := range gn.in[1:] {
				for q := range y.v {
					y.v[q] += vals[v].v[q]
					y.e[q] += vals[v].e[q] + u*math.Abs(y.v[q])
				}
			}
		default:
			panic(fmt.Sprintf("graphBound32: node %d: kind %d not supported", j, gn.kind))
		}
		vals[j+1] = y
	}
	// loss and output errors
	K := g.OutDim()
	out := vals[len(g.nodes)]
	d := make([]rv, len(g.nodes)+1)
	dl := newRV(B * K)
	for _, e := range out.e {
		worstRel = max(worstRel, e)
	}
	for r, i := range idx {
		o, eo := out.v[r*K:(r+1)*K], out.e[r*K:(r+1)*K]
		mx := o[0]
		for _, v := range o {
			mx = max(mx, v)
		}
		s := 0.0
		for _, v := range o {
			s += math.Exp(v - mx)
		}
		lse := mx + math.Log(s)
		lab := data.Labels[i]
		loss += (lse - o[lab]) / float64(B)
		pe := 0.0
		for k, v := range o {
			p := math.Exp(v - lse)
			pe += p * eo[k]
			t := p
			if k == lab {
				t--
			}
			lossTol += math.Abs(t) * eo[k] / float64(B)
		}
		for k, v := range o {
			p := math.Exp(v - lse)
			t := p
			if k == lab {
				t--
			}
			dl.v[r*K+k] = t / float64(B)
			dl.e[r*K+k] = (p*eo[k]+p*pe)/float64(B) + u*math.Abs(t/float64(B))
		}
	}
	d[len(g.nodes)] = dl
	grad, gradTol = make([]float64, len(w)), make([]float64, len(w))
	// contribute adds c to d[v] (a float32 sum when d[v] already has a contribution).
	contribute := func(v int, c rv) {
		if d[v].v == nil {
			d[v] = c
			return
		}
		for q := range c.v {
			d[v].e[q] += c.e[q] + u*(math.Abs(d[v].v[q])+math.Abs(c.v[q]))
			d[v].v[q] += c.v[q]
		}
	}
	for j := len(g.nodes) - 1; j >= 0; j-- {
		gn := &g.nodes[j]
		dy := d[j+1]
		if dy.v == nil {
			dy = newRV(B * gn.out.Size())
		}
		x := vals[gn.in[0]]
		ni := g.shapes[gn.in[0]].Size()
		switch gn.kind {
		case gStage:
			s := &gn.st
			co, k := s.out.C, s.k
			Av, Ae := unfold(s, x.v), unfold(s, x.e)
			W := w[gn.off : gn.off+co*k]
			rows := B * s.npos()
			// The weight gradient of a chunk: Sgemm products over each sample's npos rows
			// accumulated sample by sample (one more rounding per sample), at most
			// seqChunk samples, so a chain of at most seqChunk·(npos + 1) + 2 roundings.
			kc := min(seqChunk, B) * (s.npos() + 1)
			for o := range co {
				for q := range k {
					sum, mag, prop := 0.0, 0.0, 0.0
					for r := range rows {
						a, dv := Av[r*k+q], dy.v[r*co+o]
						sum += dv * a
						mag += math.Abs(dv * a)
						prop += dy.e[r*co+o]*math.Abs(a) + math.Abs(dv)*Ae[r*k+q]
					}
					grad[gn.off+o*k+q], gradTol[gn.off+o*k+q] = sum, prop+float64(kc+2)*u*mag
				}
				sum, e := 0.0, 0.0
				for r := range rows {
					sum += dy.v[r*co+o]
					e += dy.e[r*co+o]
				}
				grad[gn.off+co*k+o], gradTol[gn.off+co*k+o] = sum, e
			}
			if gn.in[0] == 0 {
				continue
			}
			// ∂/∂cols = D·W (Sgemm of length co), then col2im sums up to kh·kw of them.
			dcv, dcm, dcp := make([]float64, rows*k), make([]float64, rows*k), make([]float64, rows*k)
			for r := range rows {
				for q := range k {
					for o := range co {
						dv, wt := dy.v[r*co+o], W[o*k+q]
						dcv[r*k+q] += dv * wt
						dcm[r*k+q] += math.Abs(dv * wt)
						dcp[r*k+q] += dy.e[r*co+o]*math.Abs(wt) + math.Abs(dv)*u*math.Abs(wt)
					}
				}
			}
			dx := newRV(B * ni)
			if s.direct {
				for q := range dcv {
					dx.v[q], dx.e[q] = dcv[q], dcp[q]+float64(co+2)*u*dcm[q]
				}
			} else {
				m := s.npos() * k
				mag := make([]float64, B*ni)
				for r := range B {
					s.col2im(dx.v[r*ni:(r+1)*ni], dcv[r*m:(r+1)*m])
					s.col2im(dx.e[r*ni:(r+1)*ni], dcp[r*m:(r+1)*m])
					s.col2im(mag[r*ni:(r+1)*ni], dcm[r*m:(r+1)*m])
				}
				// col2im adds up to kh·kw products of length co; a "same" convolution
				// forms ∂/∂x as one product of length kh·kw·co instead (transposed32).
				mult := float64(co + 2 + s.kh*s.kw)
				if transposed32(s) != nil {
					mult = float64(s.kh*s.kw*co + 2)
				}
				for q := range mag {
					dx.e[q] += mult * u * mag[q]
				}
			}
			contribute(gn.in[0], dx)
		case gBN:
			C := gn.out.C
			N := float64(B * gn.out.H * gn.out.W)
			bs := bns[j]
			ga := w[gn.off : gn.off+C]
			ss, es, sg, eg := make([]float64, C), make([]float64, C), make([]float64, C), make([]float64, C)
			xh, exh := make([]float64, len(x.v)), make([]float64, len(x.v))
			for q, xv := range x.v {
				c := q % C
				dd := xv - bs.mean[c]
				xh[q] = dd * bs.istd[c]
				exh[q] = (x.e[q]+bs.emean[c])*bs.istd[c] + math.Abs(dd)*bs.eistd[c]
				ss[c] += dy.v[q]
				es[c] += dy.e[q]
				sg[c] += dy.v[q] * xh[q]
				eg[c] += dy.e[q]*math.Abs(xh[q]) + math.Abs(dy.v[q])*exh[q]
			}
			for c := range C {
				grad[gn.off+c], gradTol[gn.off+c] = sg[c], eg[c]
				grad[gn.off+C+c], gradTol[gn.off+C+c] = ss[c], es[c]
			}
			if gn.in[0] == 0 {
				continue
			}
			dx := newRV(len(x.v))
			for q := range x.v {
				c := q % C
				if eval {
					dx.v[q] = ga[c] * bs.istd[c] * dy.v[q]
					dx.e[q] = math.Abs(ga[c])*bs.istd[c]*dy.e[q] + u*math.Abs(dx.v[q])
					continue
				}
				t := dy.v[q] - ss[c]/N - xh[q]*sg[c]/N
				et := dy.e[q] + es[c]/N + exh[q]*math.Abs(sg[c])/N + math.Abs(xh[q])*eg[c]/N
				dx.v[q] = ga[c] * bs.istd[c] * t
				dx.e[q] = math.Abs(ga[c])*(bs.eistd[c]*math.Abs(t)+bs.istd[c]*et) + u*math.Abs(dx.v[q])
			}
			contribute(gn.in[0], dx)
		case gAct:
			// dx = dy·1{x > 0}. Where the computed x̂ may have the other sign (|x| within
			// twice its bound), the mask may flip: the error is then up to |dy| + e_dy.
			dx := newRV(len(x.v))
			for q, v := range x.v {
				if v > 0 {
					dx.v[q], dx.e[q] = dy.v[q], dy.e[q]
				}
				if math.Abs(v) <= 2*x.e[q] {
					dx.e[q] = math.Abs(dy.v[q]) + dy.e[q]
					flips++
				}
			}
			contribute(gn.in[0], dx)
		case gDrop:
			if eval || gn.rate == 0 {
				contribute(gn.in[0], rv{append([]float64(nil), dy.v...), append([]float64(nil), dy.e...)})
				break
			}
			keep := float64(float32(1 / (1 - gn.rate)))
			dx := newRV(len(dy.v))
			for q, m := range masks[j] {
				if m != 0 {
					dx.v[q] = dy.v[q] * m
					dx.e[q] = dy.e[q]*keep + 2*u*math.Abs(dx.v[q])
				}
			}
			contribute(gn.in[0], dx)
		case gGAP:
			inS := g.shapes[gn.in[0]]
			P := inS.H * inS.W
			dx := newRV(B * ni)
			for r := range B {
				for p := range P {
					for c := range inS.C {
						v := dy.v[r*inS.C+c] / float64(P)
						dx.v[r*ni+p*inS.C+c] = v
						dx.e[r*ni+p*inS.C+c] = dy.e[r*inS.C+c]/float64(P) + u*math.Abs(v)
					}
				}
			}
			contribute(gn.in[0], dx)
		case gFlatten:
			contribute(gn.in[0], rv{append([]float64(nil), dy.v...), append([]float64(nil), dy.e...)})
		case gAdd:
			for _, v := range gn.in {
				if v != 0 {
					contribute(v, rv{append([]float64(nil), dy.v...), append([]float64(nil), dy.e...)})
				}
			}
		}
	}
	for i := range gradTol {
		gradTol[i] *= 1.05
	}
	return loss, 1.05 * lossTol, grad, gradTol, flips, worstRel
}
