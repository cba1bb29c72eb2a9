package data

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/nn"
)

// Augment draws the random image augmentations of the SAM literature's training recipes for
// each sample of each epoch:
//
//   - a random crop with zero padding: the H×W image is padded by Pad zero pixels on every
//     side and an H×W window is cut at an offset (dy, dx) uniform on {0, …, 2·Pad}², so
//     out[h, w] = in[h + dy − Pad, w + dx − Pad] (0 outside the image);
//   - a horizontal flip with probability ½ (Flip): out[h, w] = in[h, W − 1 − w], applied after
//     the crop.
//
// Rows are images in nn's channels-last layout (index (h·W + w)·C + c of Shape). The draws
// for sample i in epoch e come from a PCG stream of its own, derived from (Seed, e, i), so the
// augmented data of an epoch are the same bits for any GOMAXPROCS, any batch order and after a
// resume. The zero value (no padding, no flip) copies the images.
type Augment struct {
	// Shape is the C×H×W shape of one row.
	Shape nn.Shape
	// Pad is the crop padding in pixels, 0 <= Pad < min(H, W) (0 = no crop).
	Pad int
	// Flip turns on the random horizontal flip.
	Flip bool
	// Seed seeds the per-(epoch, sample) streams.
	Seed uint64
}

// Validate checks the shape against a row length of cols and the padding.
func (a *Augment) Validate(cols int) error {
	s := a.Shape
	switch {
	case s.C < 1 || s.H < 1 || s.W < 1:
		return fmt.Errorf("data: Augment.Shape = %v: every dimension must be >= 1", s)
	case s.Size() != cols:
		return fmt.Errorf("data: Augment.Shape = %v has %d values, the rows have %d", s, s.Size(), cols)
	case a.Pad < 0:
		return fmt.Errorf("data: Augment.Pad = %d: must be >= 0", a.Pad)
	case a.Pad >= min(s.H, s.W):
		return fmt.Errorf("data: Augment.Pad = %d: must be below min(H, W) = %d", a.Pad, min(s.H, s.W))
	}
	return nil
}

// Apply writes into dst the augmented rows of src for epoch (dst and src of the same shape,
// not aliased). Rows are processed in parallel; the result does not depend on GOMAXPROCS.
// It returns an error for a bad configuration or mismatched matrices, and never allocates
// per row.
func (a *Augment) Apply(dst, src *mat.Dense, epoch int) error {
	n, cols := src.Dims()
	if r, c := dst.Dims(); r != n || c != cols {
		return fmt.Errorf("data: Augment.Apply: dst is %d×%d, src is %d×%d", r, c, n, cols)
	}
	if err := a.Validate(cols); err != nil {
		return err
	}
	if epoch < 0 {
		return fmt.Errorf("data: Augment.Apply: epoch = %d: must be >= 0", epoch)
	}
	es := epochSeed(a.Seed, epoch)
	parallel.For(n, func(_, i int) {
		var pcg rand.PCG
		pcg.Seed(parallel.StreamSeeds(es, i))
		dy, dx, flip := a.draw(&pcg)
		a.row(dst.RawRowView(i), src.RawRowView(i), dy, dx, flip)
	})
	return nil
}

// Draw returns the crop offsets (dy, dx) in {0, …, 2·Pad} and the flip that Apply uses for
// sample i in epoch e (for inspection and tests).
func (a *Augment) Draw(epoch, i int) (dy, dx int, flip bool) {
	var pcg rand.PCG
	pcg.Seed(parallel.StreamSeeds(epochSeed(a.Seed, epoch), i))
	return a.draw(&pcg)
}

// epochSeed is the first draw of stream (seed, epoch): the seed of that epoch's per-sample
// streams, which so depends on both.
func epochSeed(seed uint64, epoch int) uint64 {
	var pcg rand.PCG
	pcg.Seed(parallel.StreamSeeds(seed, epoch))
	return pcg.Uint64()
}

// draw takes the sample's three decisions from its stream, always in the same order.
func (a *Augment) draw(pcg *rand.PCG) (dy, dx int, flip bool) {
	if a.Pad > 0 {
		span := uint64(2*a.Pad + 1)
		dy = int(pcg.Uint64() % span) // modulo bias < span/2⁶⁴, far below any test's resolution
		dx = int(pcg.Uint64() % span)
	}
	if a.Flip {
		flip = pcg.Uint64()>>63 == 1
	}
	return dy, dx, flip
}

// row writes one augmented image: out[h, w] = in[h + dy − P, w' + dx − P] with w' = W−1−w
// if flipped, else w; zero where the source pixel is outside the image.
func (a *Augment) row(out, in []float64, dy, dx int, flip bool) {
	C, H, W, P := a.Shape.C, a.Shape.H, a.Shape.W, a.Pad
	for h := 0; h < H; h++ {
		sh := h + dy - P
		orow := out[h*W*C : (h+1)*W*C]
		if sh < 0 || sh >= H {
			clear(orow)
			continue
		}
		irow := in[sh*W*C : (sh+1)*W*C]
		if !flip { // one run: out columns [lo, hi) read source columns [lo+dx−P, hi+dx−P)
			lo, hi := max(0, P-dx), min(W, W+P-dx)
			clear(orow[:lo*C])
			copy(orow[lo*C:hi*C], irow[(lo+dx-P)*C:])
			clear(orow[hi*C:])
			continue
		}
		for w := 0; w < W; w++ {
			cw := w
			if flip {
				cw = W - 1 - w
			}
			sw := cw + dx - P
			o := orow[w*C : (w+1)*C]
			if sw < 0 || sw >= W {
				clear(o)
				continue
			}
			copy(o, irow[sw*C:(sw+1)*C])
		}
	}
}
