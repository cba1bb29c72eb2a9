package gnorm

import "math"

// block is the most channels whose per-channel sums are held at once (on the stack);
// wider samples are processed in channel blocks, which does not change any sum's order.
const block = 128

// Forward normalises one sample x (P·C values, channels last) into y with G groups and
// writes μ_g and istd_g to keep[2g], keep[2g+1]. gamma and beta hold C values. It panics
// if the lengths do not match or G does not divide C.
func Forward[T float32 | float64](y, x []T, C, G int, gamma, beta []float64, eps float64, keep []float64) {
	if C <= 0 || G <= 0 || C%G != 0 || len(x)%C != 0 || len(y) != len(x) || len(gamma) != C || len(beta) != C || len(keep) != 2*G {
		panic("gnorm: Forward: lengths do not match")
	}
	P, cg := len(x)/C, C/G
	inv := 1 / float64(P*cg)
	var buf [3 * block]float64
	s, mc, is := buf[:block], buf[block:2*block], buf[2*block:]
	clear(keep)
	for c0 := 0; c0 < C; c0 += block {
		cb := min(block, C-c0)
		clear(s[:cb])
		sums(s[:cb], x[c0:], C, P)
		for c := range cb {
			keep[2*((c0+c)/cg)] += s[c]
		}
	}
	for g := range G {
		keep[2*g] *= inv
	}
	for c0 := 0; c0 < C; c0 += block {
		cb := min(block, C-c0)
		for c := range cb {
			mc[c] = keep[2*((c0+c)/cg)]
		}
		clear(s[:cb])
		sqdev(s[:cb], mc[:cb], x[c0:], C, P)
		for c := range cb {
			keep[2*((c0+c)/cg)+1] += s[c]
		}
	}
	for g := range G {
		keep[2*g+1] = 1 / math.Sqrt(keep[2*g+1]*inv+eps)
	}
	for c0 := 0; c0 < C; c0 += block {
		cb := min(block, C-c0)
		for c := range cb {
			g := (c0 + c) / cg
			mc[c], is[c] = keep[2*g], keep[2*g+1]
		}
		norm(y[c0:], x[c0:], C, P, mc[:cb], is[:cb], gamma[c0:c0+cb], beta[c0:c0+cb])
	}
}

// Backward back-propagates dy through Forward for one sample x with the kept μ_g, istd_g:
// it adds Σ dy·x̂ to gw[c] and Σ dy to gw[C+c] unless gw is nil, and writes ∂/∂x to dx
// unless dx is nil. It panics if the lengths do not match.
func Backward[T float32 | float64](dx, dy, x []T, C, G int, gamma, keep, gw []float64) {
	if C <= 0 || G <= 0 || C%G != 0 || len(x)%C != 0 || len(dy) != len(x) || len(gamma) != C || len(keep) != 2*G ||
		dx != nil && len(dx) != len(x) || gw != nil && len(gw) != 2*C {
		panic("gnorm: Backward: lengths do not match")
	}
	P, cg := len(x)/C, C/G
	inv := 1 / float64(P*cg)
	var buf [6 * block]float64
	sd, sdh, mc, is := buf[:block], buf[block:2*block], buf[2*block:3*block], buf[3*block:4*block]
	a, b := buf[4*block:5*block], buf[5*block:]
	// Windows of at most block groups: the group sums Σe and Σe·x̂ (e = γ·dy, from the
	// channel sums in channel order) of a window, then its ∂/∂x.
	var gbuf [2 * block]float64
	for g0 := 0; g0 < G; g0 += block {
		gn := min(block, G-g0)
		sge, sgeh := gbuf[:gn], gbuf[block:block+gn]
		clear(sge)
		clear(sgeh)
		lo, hi := g0*cg, (g0+gn)*cg
		for c0 := lo; c0 < hi; c0 += block {
			cb := min(block, hi-c0)
			for c := range cb {
				g := (c0 + c) / cg
				mc[c], is[c] = keep[2*g], keep[2*g+1]
			}
			clear(sd[:cb])
			clear(sdh[:cb])
			backSums(sd[:cb], sdh[:cb], mc[:cb], is[:cb], dy[c0:], x[c0:], C, P)
			for c := range cb {
				g := (c0+c)/cg - g0
				if gw != nil {
					gw[c0+c] += sdh[c]
					gw[C+c0+c] += sd[c]
				}
				sge[g] += float64(gamma[c0+c] * sd[c])
				sgeh[g] += float64(gamma[c0+c] * sdh[c])
			}
		}
		if dx == nil {
			continue
		}
		for c0 := lo; c0 < hi; c0 += block {
			cb := min(block, hi-c0)
			for c := range cb {
				g := (c0 + c) / cg
				mc[c], is[c] = keep[2*g], keep[2*g+1]
				a[c], b[c] = sge[g-g0]*inv, sgeh[g-g0]*inv
			}
			backApply(dx[c0:], dy[c0:], x[c0:], C, P, gamma[c0:c0+cb], mc[:cb], is[:cb], a[:cb], b[:cb])
		}
	}
}

// The per-channel loops over the P rows (stride C) of a channel block of len(s) channels
// starting at x[0]. Each channel's operations are in row order, each rounded once (the
// conversions float64(a*b) forbid fused multiply-adds, which Go may use on some
// architectures).

// sums adds Σ_p x[p·C+c] to s[c].
func sums[T float32 | float64](s []float64, x []T, C, P int) {
	if f, ok := any(x).([]float32); ok && useAVX2 && len(s)%4 == 0 {
		sumsAVX2(s, f, C, P)
		return
	}
	for p := range P {
		r := x[p*C : p*C+len(s)]
		for c, v := range r {
			s[c] += float64(v)
		}
	}
}

// sqdev adds Σ_p (x[p·C+c] − mc[c])² to q[c].
func sqdev[T float32 | float64](q, mc []float64, x []T, C, P int) {
	if f, ok := any(x).([]float32); ok && useAVX2 && len(q)%4 == 0 {
		sqdevAVX2(q, mc, f, C, P)
		return
	}
	mc = mc[:len(q)]
	for p := range P {
		r := x[p*C : p*C+len(q)]
		for c, v := range r {
			d := float64(v) - mc[c]
			q[c] += float64(d * d)
		}
	}
}

// norm sets y = γ_c·((x − mc[c])·is[c]) + β_c.
func norm[T float32 | float64](y, x []T, C, P int, mc, is, gamma, beta []float64) {
	if f, ok := any(x).([]float32); ok && useAVX2 && len(mc)%4 == 0 {
		normAVX2(any(y).([]float32), f, C, P, mc, is, gamma, beta)
		return
	}
	n := len(mc)
	is, gamma, beta = is[:n], gamma[:n], beta[:n]
	for p := range P {
		r := x[p*C : p*C+n]
		yr := y[p*C : p*C+n]
		for c, v := range r {
			yr[c] = T(float64(gamma[c]*((float64(v)-mc[c])*is[c])) + beta[c])
		}
	}
}

// backSums adds Σ_p dy to sd[c] and Σ_p dy·x̂ to sdh[c], x̂ = (x − mc[c])·is[c].
func backSums[T float32 | float64](sd, sdh, mc, is []float64, dy, x []T, C, P int) {
	if f, ok := any(x).([]float32); ok && useAVX2 && len(sd)%4 == 0 {
		backSumsAVX2(sd, sdh, mc, is, any(dy).([]float32), f, C, P)
		return
	}
	n := len(sd)
	sdh, mc, is = sdh[:n], mc[:n], is[:n]
	for p := range P {
		r := x[p*C : p*C+n]
		dr := dy[p*C : p*C+n]
		for c, v := range r {
			d := float64(dr[c])
			sd[c] += d
			sdh[c] += float64(d * ((float64(v) - mc[c]) * is[c]))
		}
	}
}

// backApply sets dx = is[c]·(γ_c·dy − a[c] − x̂·b[c]), x̂ = (x − mc[c])·is[c].
func backApply[T float32 | float64](dx, dy, x []T, C, P int, gamma, mc, is, a, b []float64) {
	if f, ok := any(x).([]float32); ok && useAVX2 && len(mc)%4 == 0 {
		backApplyAVX2(any(dx).([]float32), any(dy).([]float32), f, C, P, gamma, mc, is, a, b)
		return
	}
	n := len(mc)
	gamma, is, a, b = gamma[:n], is[:n], a[:n], b[:n]
	for p := range P {
		r := x[p*C : p*C+n]
		dr := dy[p*C : p*C+n]
		o := dx[p*C : p*C+n]
		for c, v := range r {
			o[c] = T(is[c] * (float64(gamma[c]*float64(dr[c])) - a[c] - float64(((float64(v)-mc[c])*is[c])*b[c])))
		}
	}
}
