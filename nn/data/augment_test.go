package data

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sdeml/sdeml/nn"
)

// randomImages returns n random C×H×W images as rows.
func randomImages(n int, s nn.Shape, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := mat.NewDense(n, s.Size(), nil)
	for i, d := 0, x.RawMatrix().Data; i < len(d); i++ {
		d[i] = rng.Float64()
	}
	return x
}

// naiveAugment is the definition written the other way round: build the zero-padded
// (H+2P)×(W+2P) image, cut the H×W window at (dy, dx), then reverse each row if flipped.
func naiveAugment(in []float64, s nn.Shape, P, dy, dx int, flip bool) []float64 {
	C, H, W := s.C, s.H, s.W
	HP, WP := H+2*P, W+2*P
	padded := make([]float64, HP*WP*C)
	for h := 0; h < H; h++ {
		for w := 0; w < W; w++ {
			for c := 0; c < C; c++ {
				padded[((h+P)*WP+w+P)*C+c] = in[(h*W+w)*C+c]
			}
		}
	}
	out := make([]float64, H*W*C)
	for h := 0; h < H; h++ {
		for w := 0; w < W; w++ {
			for c := 0; c < C; c++ {
				out[(h*W+w)*C+c] = padded[((h+dy)*WP+w+dx)*C+c]
			}
		}
	}
	if flip {
		for h := 0; h < H; h++ {
			for w := 0; w < W/2; w++ {
				for c := 0; c < C; c++ {
					a, b := (h*W+w)*C+c, (h*W+W-1-w)*C+c
					out[a], out[b] = out[b], out[a]
				}
			}
		}
	}
	return out
}

func TestAugmentMatchesDefinition(t *testing.T) {
	for _, tc := range []struct {
		s    nn.Shape
		pad  int
		flip bool
	}{
		{nn.Shape{C: 1, H: 28, W: 28}, 4, true},
		{nn.Shape{C: 3, H: 5, W: 7}, 2, true},
		{nn.Shape{C: 2, H: 9, W: 4}, 3, false},
		{nn.Shape{C: 1, H: 6, W: 6}, 0, true},
		{nn.Shape{C: 2, H: 3, W: 3}, 0, false},
	} {
		a := Augment{Shape: tc.s, Pad: tc.pad, Flip: tc.flip, Seed: 7}
		src := randomImages(40, tc.s, 1)
		dst := mat.NewDense(40, tc.s.Size(), nil)
		for epoch := range 3 {
			if err := a.Apply(dst, src, epoch); err != nil {
				t.Fatal(err)
			}
			for i := range 40 {
				dy, dx, flip := a.Draw(epoch, i)
				want := naiveAugment(src.RawRowView(i), tc.s, tc.pad, dy, dx, flip)
				if !slices.Equal(dst.RawRowView(i), want) {
					t.Fatalf("%+v epoch %d sample %d (dy %d dx %d flip %v): differs from the padded-crop definition", tc, epoch, i, dy, dx, flip)
				}
				if tc.pad == 0 && !tc.flip && !slices.Equal(dst.RawRowView(i), src.RawRowView(i)) {
					t.Fatal("the zero augmentation does not copy")
				}
			}
		}
	}
}

// TestAugmentDrawLaw: offsets are uniform on {0, …, 2P}² and flips fair. A χ² test on
// 20 000 draws with 25 + 2 − 2 = 25 degrees of freedom at level 1e-5, so a correct
// implementation fails about once in 10⁵ runs.
func TestAugmentDrawLaw(t *testing.T) {
	a := Augment{Shape: nn.Shape{C: 1, H: 8, W: 8}, Pad: 2, Flip: true, Seed: 3}
	const n = 20000
	var cells [25]float64
	var flips [2]float64
	for i := range n {
		dy, dx, f := a.Draw(i%5, i)
		cells[dy*5+dx]++
		if f {
			flips[1]++
		} else {
			flips[0]++
		}
	}
	chi2 := 0.0
	for _, c := range cells {
		e := n / 25.0
		chi2 += (c - e) * (c - e) / e
	}
	for _, c := range flips {
		chi2 += (c - n/2.0) * (c - n/2.0) / (n / 2.0)
	}
	crit := distuv.ChiSquared{K: 25}.Quantile(1 - 1e-5)
	if chi2 > crit {
		t.Fatalf("χ² = %.1f above the 1e-5 critical value %.1f", chi2, crit)
	}
}

// TestAugmentDeterminism: the same (seed, epoch) gives the same bits at any GOMAXPROCS;
// another epoch or seed gives other images.
func TestAugmentDeterminism(t *testing.T) {
	s := nn.Shape{C: 1, H: 12, W: 12}
	src := randomImages(300, s, 2)
	run := func(procs int, seed uint64, epoch int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		dst := mat.NewDense(300, s.Size(), nil)
		a := Augment{Shape: s, Pad: 3, Flip: true, Seed: seed}
		if err := a.Apply(dst, src, epoch); err != nil {
			t.Fatal(err)
		}
		return dst.RawMatrix().Data
	}
	base := run(1, 5, 2)
	if !slices.Equal(base, run(4, 5, 2)) {
		t.Fatal("GOMAXPROCS changed the augmented data")
	}
	if slices.Equal(base, run(2, 5, 3)) || slices.Equal(base, run(2, 6, 2)) {
		t.Fatal("another epoch or seed gave the same data")
	}
}

func TestAugmentErrors(t *testing.T) {
	src := mat.NewDense(2, 16, nil)
	for _, tc := range []struct {
		a    Augment
		dst  *mat.Dense
		want string
	}{
		{Augment{Shape: nn.Shape{C: 1, H: 4, W: 4}, Pad: -1}, mat.NewDense(2, 16, nil), "Pad = -1"},
		{Augment{Shape: nn.Shape{C: 1, H: 4, W: 4}, Pad: 4}, mat.NewDense(2, 16, nil), "Pad = 4"},
		{Augment{Shape: nn.Shape{C: 1, H: 4, W: 5}}, mat.NewDense(2, 16, nil), "Shape = 1×4×5"},
		{Augment{}, mat.NewDense(2, 16, nil), "Shape = 0×0×0"},
		{Augment{Shape: nn.Shape{C: 1, H: 4, W: 4}}, mat.NewDense(3, 16, nil), "dst is 3×16"},
	} {
		err := tc.a.Apply(tc.dst, src, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "data: ") {
			t.Errorf("%+v: error %v, want one containing %q", tc.a, err, tc.want)
		}
	}
	a := Augment{Shape: nn.Shape{C: 1, H: 4, W: 4}}
	if err := a.Apply(mat.NewDense(2, 16, nil), src, -1); err == nil || !strings.Contains(err.Error(), "epoch = -1") {
		t.Errorf("negative epoch: %v", err)
	}
}

// TestAugmentAllocs: an epoch's augmentation allocates a constant amount (the loop's
// closure), not per row.
func TestAugmentAllocs(t *testing.T) {
	s := nn.Shape{C: 1, H: 28, W: 28}
	src := randomImages(256, s, 4)
	dst := mat.NewDense(256, s.Size(), nil)
	a := Augment{Shape: s, Pad: 2, Flip: true}
	allocs := testing.AllocsPerRun(5, func() { _ = a.Apply(dst, src, 1) })
	if allocs > 4 || math.IsNaN(allocs) {
		t.Fatalf("%.0f allocations per Apply of 256 rows", allocs)
	}
}

func BenchmarkAugment(b *testing.B) {
	s := nn.Shape{C: 1, H: 28, W: 28}
	src := randomImages(10000, s, 4)
	dst := mat.NewDense(10000, s.Size(), nil)
	a := Augment{Shape: s, Pad: 2, Flip: true}
	b.ReportAllocs()
	for b.Loop() {
		_ = a.Apply(dst, src, 1)
	}
}
