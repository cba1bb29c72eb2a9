package bnorm

// Sums adds, per channel k (rows of C = len(sa) values), Σa to sa[k] and Σa·b to sab[k],
// in float64 from float32 a and b, two rows at a time (sa += a₀ + a₁, sab += a₀b₀ + a₁b₁),
// then a last single row: a fixed order. It panics if the lengths do not match.
func Sums(sa, sab []float64, a, b []float32) {
	C := len(sa)
	if len(sab) != C || len(b) != len(a) || C == 0 || len(a)%C != 0 {
		panic("bnorm: Sums: lengths do not match")
	}
	if useAVX2 && C%4 == 0 {
		sumsAVX2(sa, sab, a, b)
		return
	}
	sums(sa, sab, a, b)
}

func sums(sa, sab []float64, a, b []float32) {
	C := len(sa)
	sab = sab[:C]
	r := 0
	for ; r+2*C <= len(a); r += 2 * C {
		a0, a1 := a[r:r+C], a[r+C:r+2*C]
		b0, b1 := b[r:r+C], b[r+C:r+2*C]
		a1, b0, b1 = a1[:len(a0)], b0[:len(a0)], b1[:len(a0)]
		for k, v := range a0 {
			x0, x1 := float64(v), float64(a1[k])
			sa[k] += x0 + x1
			sab[k] += float64(x0*float64(b0[k])) + float64(x1*float64(b1[k]))
		}
	}
	for ; r+C <= len(a); r += C {
		a0, b0 := a[r:r+C], b[r:r+C]
		b0 = b0[:len(a0)]
		for k, v := range a0 {
			x := float64(v)
			sa[k] += x
			sab[k] += float64(x * float64(b0[k]))
		}
	}
}

// Affine sets y = a[k]·x + b[k] per channel k (rows of C = len(a) values), in float64,
// rounded once. It panics if the lengths do not match.
func Affine(y, x []float32, a, b []float64) {
	C := len(a)
	if len(b) != C || len(y) != len(x) || C == 0 || len(x)%C != 0 {
		panic("bnorm: Affine: lengths do not match")
	}
	if useAVX2 && C%4 == 0 {
		affineAVX2(y, x, a, b)
		return
	}
	affine(y, x, a, b)
}

func affine(y, x []float32, a, b []float64) {
	C := len(a)
	for r := 0; r+C <= len(x); r += C {
		xr := x[r : r+C]
		yr, a, b := y[r:r+len(xr)], a[:len(xr)], b[:len(xr)]
		for k, v := range xr {
			yr[k] = float32(float64(a[k]*float64(v)) + b[k])
		}
	}
}

// Back sets dx = ca[k]·(dy − m[k]) + cb[k]·(x − mu[k]) per channel k (rows of C = len(ca)
// values), in float64 from the float32 dy and x, rounded once. It panics if the lengths do
// not match.
func Back(dx, dy, x []float32, ca, m, cb, mu []float64) {
	C := len(ca)
	if len(m) != C || len(cb) != C || len(mu) != C || len(dx) != len(dy) || len(x) != len(dy) || C == 0 || len(dy)%C != 0 {
		panic("bnorm: Back: lengths do not match")
	}
	if useAVX2 && C%4 == 0 {
		backAVX2(dx, dy, x, ca, m, cb, mu)
		return
	}
	back(dx, dy, x, ca, m, cb, mu)
}

func back(dx, dy, x []float32, ca, m, cb, mu []float64) {
	C := len(ca)
	for r := 0; r+C <= len(dy); r += C {
		dr := dy[r : r+C]
		xr, dxr := x[r:r+len(dr)], dx[r:r+len(dr)]
		ca, m, cb, mu := ca[:len(dr)], m[:len(dr)], cb[:len(dr)], mu[:len(dr)]
		for k, v := range dr {
			dxr[k] = float32(float64(ca[k]*(float64(v)-m[k])) + float64(cb[k]*(float64(xr[k])-mu[k])))
		}
	}
}
