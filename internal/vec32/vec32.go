package vec32

// Add sets dst[i] += s[i] in float32. It panics if the lengths differ.
func Add(dst, s []float32) {
	if len(s) != len(dst) {
		panic("vec32: Add: lengths differ")
	}
	n := 0
	if useAVX2 {
		n = len(dst) &^ 7
		if n > 0 {
			addAVX2(dst[:n], s[:n])
		}
	}
	add(dst[n:], s[n:])
}

func add(dst, s []float32) {
	s = s[:len(dst)]
	for i := range dst {
		dst[i] += s[i]
	}
}

// Sum sets dst[i] = a[i] + b[i] in float32. It panics if the lengths differ.
func Sum(dst, a, b []float32) {
	if len(a) != len(dst) || len(b) != len(dst) {
		panic("vec32: Sum: lengths differ")
	}
	n := 0
	if useAVX2 {
		n = len(dst) &^ 7
		if n > 0 {
			sumAVX2(dst[:n], a[:n], b[:n])
		}
	}
	sum(dst[n:], a[n:], b[n:])
}

func sum(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// ColSums adds, for every channel k, the values x[r·C+k] widened to float64 to s[k], row
// after row (C = len(s)): the per-channel sums of a bias gradient. It panics unless len(x)
// is a multiple of C > 0.
func ColSums(s []float64, x []float32) {
	C := len(s)
	if C == 0 || len(x)%C != 0 {
		panic("vec32: ColSums: lengths do not match")
	}
	if useAVX2 && C%4 == 0 && len(x) > 0 {
		colSumsAVX2(s, x)
		return
	}
	colSums(s, x)
}

func colSums(s []float64, x []float32) {
	C := len(s)
	for r := 0; r+C <= len(x); r += C {
		xr := x[r : r+C]
		for k, v := range xr {
			s[k] += float64(v)
		}
	}
}
