package gemm

import "fmt"

// AddBias32 sets dst[r·C + k] = src[r·C + k] + b[k] for every row r of C = len(b) values
// (a bias added to each row of a row-major matrix, e.g. each pixel of a convolution's
// output), one float32 addition per value: the bits of Go's float32 +, on every kernel
// level. dst and src have the same length, a multiple of len(b); dst may be src (in
// place) but must not overlap it otherwise. It panics with a gemm: message otherwise.
func AddBias32(dst, src, b []float32) {
	if len(dst) != len(src) || (len(b) == 0 && len(dst) != 0) || (len(b) > 0 && len(dst)%len(b) != 0) {
		panic(fmt.Sprintf("gemm: AddBias32 lengths dst %d, src %d, b %d", len(dst), len(src), len(b)))
	}
	addBias32(dst, src, b)
}

// addBias32Go is AddBias32 in portable Go.
func addBias32Go(dst, src, b []float32) {
	C := len(b)
	if C == 0 {
		return
	}
	for r := 0; r+C <= len(dst); r += C {
		d, s := dst[r:r+C:r+C], src[r:r+C:r+C]
		for k, v := range b {
			d[k] = s[k] + v
		}
	}
}
