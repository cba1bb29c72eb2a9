package nn

import "gonum.org/v1/gonum/floats"

// im2col writes the unfolded input of one sample for a convolution stage: row p = (oh, ow)
// of cols (npos×k) holds the input values under the kernel at output position p, in
// (i, j, c) order, with zeros where the kernel overhangs the padded border. Then the
// convolution of the sample is the matrix product cols·Wᵀ (see docs/derivations/conv.md).
// x is the sample's input (H×W×C, channels last).
//
// Each kernel row is a run of kw·C values contiguous in x, moved by one copy; short
// runs go column by column instead (im2colByColumn).
func (st *stage) im2col(cols, x []float64) { im2colT(st, cols, x) }

// im2colByColumn is im2col for short kernel rows (kw·C < shortRun values, e.g. a
// one-channel image), where a copy call per row would cost more than the values it moves:
// for each output row it fills the columns t = (i, j, c) of that row's block of cols in
// turn, a strided loop over the output positions whose input lies inside the image (zeros
// elsewhere). The block (out.W·k values) stays in the L1 cache across its columns.
func (st *stage) im2colByColumn(cols, x []float64) { im2colByColumnT(st, cols, x) }

// ceilDiv is ⌈a/b⌉ for b > 0 (a of any sign).
func ceilDiv(a, b int) int {
	if a <= 0 {
		return -(-a / b)
	}
	return (a + b - 1) / b
}

// shortRun is the kernel-row length (kw·C values) below which im2col fills columns
// instead of copying rows.
const shortRun = 16

// col2im is the adjoint of im2col: it sets dx (H×W×C) to the sum, over output positions
// and kernel offsets, of the entries of dcols (npos×k) at the input values they were
// copied from (the padding entries are dropped). The additions for each input value are
// made in increasing (p, i, j) order, so the result does not depend on scheduling.
func (st *stage) col2im(dx, dcols []float64) { col2imT(st, dx, dcols, addRun64) }

// addRun64 sets d[q] += s[q], with floats.Add for runs of at least shortRun values.
func addRun64(d, s []float64) {
	if len(s) >= shortRun {
		floats.Add(d, s)
		return
	}
	for q, v := range s {
		d[q] += v
	}
}
