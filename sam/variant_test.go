package sam

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// variants returns one configured value of each SAM variant with the given base.
func variants(base func() Updater) []struct {
	name string
	opt  func() Optimizer
} {
	return []struct {
		name string
		opt  func() Optimizer
	}{
		{"GSAM", func() Optimizer {
			return &GSAM{Base: base(), Rho: 0.1, RhoMin: 0.02, Alpha: 0.3, Schedule: Cosine{Total: 20}}
		}},
		{"WSAM", func() Optimizer { return &WSAM{Base: base(), Rho: 0.05} }},
		{"ESAM", func() Optimizer { return &ESAM{Base: base(), Rho: 0.1, Seed: 3} }},
		{"LookSAM", func() Optimizer { return &LookSAM{Base: base(), Rho: 0.1, K: 3} }},
		{"FriendlySAM", func() Optimizer { return &FriendlySAM{Base: base(), Rho: 0.1} }},
		{"IntervalSAM", func() Optimizer { return &IntervalSAM{Base: base(), Rho: 0.1, Every: 3} }},
	}
}

// A run stopped by its context, checkpointed, saved, loaded and resumed ends with the same
// parameters, losses and cost as the uninterrupted run, bit for bit, for every variant with
// SGD momentum and Adam bases, stopped in the middle of an epoch, at its end, and between
// a LookSAM/IntervalSAM SAM step and the reuse steps.
func TestVariantsResumeBitIdentical(t *testing.T) {
	obj, w0 := smallTask(41, 40, 6)
	settings := func() *TrainSettings { return &TrainSettings{Epochs: 3, Batch: 6, Seed: 4, KeepLast: true} }
	for _, base := range []func() Updater{
		func() Updater { return &SGD{LR: 0.05, Momentum: 0.9} },
		func() Updater { return &Adam{LR: 0.01} },
	} {
		for _, c := range variants(base) {
			for _, stopAt := range []int{4, 7, 11} {
				want := append([]float64(nil), w0...)
				hWant, err := Train(want, obj, c.opt(), settings())
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				var saved bytes.Buffer
				s := settings()
				s.Context = ctx
				s.SaveCheckpoint = func(cp *Checkpoint) error { return cp.Save(&saved) }
				w := append([]float64(nil), w0...)
				first := &statefulCancel{&cancelOpt{inner: c.opt(), after: stopAt, cancel: cancel}}
				if _, err := Train(w, obj, first, s); !errors.Is(err, context.Canceled) {
					t.Fatalf("%s: first leg err = %v", c.name, err)
				}
				cp, err := LoadCheckpoint(&saved)
				if err != nil {
					t.Fatal(err)
				}
				s = settings()
				s.Resume = cp
				got := make([]float64, len(w0))
				hGot, err := Train(got, obj, c.opt(), s)
				if err != nil {
					t.Fatal(err)
				}
				if !bitsEqual(got, want) || !bitsEqual(hGot.TrainLoss, hWant.TrainLoss) || hGot.Cost != hWant.Cost {
					t.Errorf("%s (%T base) stopped after step %d: resumed run differs", c.name, base(), stopAt)
				}
			}
		}
	}
}

// Restoring a state of the wrong form is an error, never a panic.
func TestVariantsBadState(t *testing.T) {
	for _, c := range variants(func() Updater { return &SGD{} }) {
		if err := c.opt().(Stateful).UnmarshalState([]byte("not a state")); err == nil {
			t.Errorf("%s: garbage state accepted", c.name)
		}
	}
}

func TestVariantsBadInput(t *testing.T) {
	obj, w := smallTask(10, 4, 3)
	nanW := append([]float64(nil), w...)
	nanW[1] = math.NaN()
	nan := math.NaN()
	b := func() Updater { return &SGD{} }
	cases := []struct {
		name string
		opt  Optimizer
		w    []float64
		want string
	}{
		{"gsam alpha>1", &GSAM{Base: b(), Rho: 0.1, Alpha: 1.5}, w, "GSAM.Alpha = 1.5"},
		{"gsam alpha<0", &GSAM{Base: b(), Rho: 0.1, Alpha: -0.1}, w, "GSAM.Alpha = -0.1"},
		{"gsam alpha NaN", &GSAM{Base: b(), Rho: 0.1, Alpha: nan}, w, "GSAM.Alpha = NaN"},
		{"gsam rhomin>rho", &GSAM{Base: b(), Rho: 0.1, RhoMin: 0.2}, w, "GSAM.RhoMin = 0.2"},
		{"gsam rhomin NaN", &GSAM{Base: b(), Rho: 0.1, RhoMin: nan}, w, "GSAM.RhoMin = NaN"},
		{"gsam factors", &GSAM{Base: b(), Rho: 0.1, FactorMin: 2}, w, "GSAM.FactorMin = 2"},
		{"gsam rho NaN", &GSAM{Base: b(), Rho: nan}, w, "Rho = NaN"},
		{"wsam gamma=1", &WSAM{Base: b(), Rho: 0.1, Gamma: 1}, w, "WSAM.Gamma = 1"},
		{"wsam gamma NaN", &WSAM{Base: b(), Rho: 0.1, Gamma: nan}, w, "WSAM.Gamma = NaN"},
		{"wsam rho<0", &WSAM{Base: b(), Rho: -1}, w, "Rho = -1"},
		{"esam keep>1", &ESAM{Base: b(), Rho: 0.1, Keep: 1.5}, w, "ESAM.Keep = 1.5"},
		{"esam keep<0", &ESAM{Base: b(), Rho: 0.1, Keep: -0.2}, w, "ESAM.Keep = -0.2"},
		{"esam keep NaN", &ESAM{Base: b(), Rho: 0.1, Keep: nan}, w, "ESAM.Keep = NaN"},
		{"esam beta>1", &ESAM{Base: b(), Rho: 0.1, Beta: 2}, w, "ESAM.Beta = 2"},
		{"esam beta NaN", &ESAM{Base: b(), Rho: 0.1, Beta: nan}, w, "ESAM.Beta = NaN"},
		{"looksam k<0", &LookSAM{Base: b(), Rho: 0.1, K: -1}, w, "LookSAM.K = -1"},
		{"looksam alpha NaN", &LookSAM{Base: b(), Rho: 0.1, Alpha: nan}, w, "LookSAM.Alpha = NaN"},
		{"fsam sigma NaN", &FriendlySAM{Base: b(), Rho: 0.1, Sigma: nan}, w, "FriendlySAM.Sigma = NaN"},
		{"fsam lambda=1", &FriendlySAM{Base: b(), Rho: 0.1, Lambda: 1}, w, "FriendlySAM.Lambda = 1"},
		{"interval every<0", &IntervalSAM{Base: b(), Rho: 0.1, Every: -2}, w, "IntervalSAM.Every = -2"},
		{"interval NaN w", &IntervalSAM{Base: b(), Rho: 0.1}, nanW, "w[1] = NaN"},
		{"gsam nil base", &GSAM{Rho: 0.1}, w, "Base = nil"},
		{"esam NaN w", &ESAM{Base: b(), Rho: 0.1}, nanW, "w[1] = NaN"},
		{"wsam clip NaN", &WSAM{Base: b(), Rho: 0.1, ClipNorm: nan}, w, "WSAM.ClipNorm = NaN"},
		{"fsam ascent clip<0", &FriendlySAM{Base: b(), Rho: 0.1, AscentClipNorm: -1}, w, "AscentClipNorm = -1"},
		{"looksam eps NaN", &LookSAM{Base: b(), Rho: 0.1, Eps: nan}, w, "Eps = NaN"},
		{"sam ascent clip NaN", &SAM{Base: b(), Rho: 0.1, AscentClipNorm: nan}, w, "AscentClipNorm = NaN"},
		{"nsam ascent clip<0", &NSAM{Base: b(), Rho: 0.1, AscentClipNorm: -3}, w, "AscentClipNorm = -3"},
	}
	for _, c := range cases {
		_, err := c.opt.Step(c.w, obj, seq(4))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// A diverging run of each variant stops with a non-finite error instead of continuing.
func TestVariantsDivergence(t *testing.T) {
	for _, c := range variants(func() Updater { return &SGD{LR: 10} }) {
		opt := c.opt()
		w := []float64{1, 1}
		var err error
		for k := 0; k < 2000 && err == nil; k++ {
			_, err = opt.Step(w, &quad{a: []float64{3, 1}}, []int{0})
		}
		if err == nil || !strings.Contains(err.Error(), "not finite") {
			t.Errorf("%s: err = %v, want a non-finite error", c.name, err)
		}
	}
}

// A steady-state step of every variant allocates nothing (on an objective that allocates
// nothing itself; ESAM with its masks and selection on).
func TestVariantsNoAlloc(t *testing.T) {
	obj := &quads{a: []float64{1, 2, 3}, c: [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}}}
	for _, c := range variants(func() Updater { return &SGD{LR: 0.01, Momentum: 0.9} }) {
		opt := c.opt()
		w := []float64{0.3, -0.2, 0.5}
		batch := []int{0, 1, 2, 3}
		if _, err := opt.Step(w, obj, batch); err != nil { // sizes the buffers
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() {
			if _, err := opt.Step(w, obj, batch); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: %v allocations per step", c.name, a)
		}
	}
}
