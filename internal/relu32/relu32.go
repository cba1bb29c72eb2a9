package relu32

import "math"

// Forward sets y[i] = x[i] if x[i] > 0 or x[i] is NaN, and +0 otherwise. It panics unless
// len(y) = len(x).
func Forward(y, x []float32) {
	if len(y) != len(x) {
		panic("relu32: Forward: lengths differ")
	}
	n := 0
	if useAVX2 {
		n = len(x) &^ 7
		if n > 0 {
			forwardAVX2(y[:n], x[:n])
		}
	}
	forward(y[n:], x[n:])
}

func forward(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		if !(v > 0) && v == v {
			v = 0
		}
		y[i] = v
	}
}

// Back sets dx[i] = dy[i] if the bits of x[i] are positive as an int32, and +0 otherwise
// (branch-free). It panics unless all lengths are equal.
func Back(dx, dy, x []float32) {
	if len(dx) != len(x) || len(dy) != len(x) {
		panic("relu32: Back: lengths differ")
	}
	n := 0
	if useAVX2 {
		n = len(x) &^ 7
		if n > 0 {
			backAVX2(dx[:n], dy[:n], x[:n])
		}
	}
	back(dx[n:], dy[n:], x[n:])
}

func back(dx, dy, x []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		b := int32(math.Float32bits(v))
		m := uint32((-b >> 31) &^ (b >> 31))
		dx[i] = math.Float32frombits(math.Float32bits(dy[i]) & m)
	}
}
