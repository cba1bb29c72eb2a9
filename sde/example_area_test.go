package sde_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/sde"
)

// Non-commuting noise on a user-supplied path that stores Lévy areas: a
// coarse and a fine SRIGeneral solve see the same Brownian path and areas
// (the fine solve refines the stored intervals by the Lévy-area bridge),
// and the areas satisfy Chen's relation at any split point.
func ExampleNewBrownianPathArea() {
	sys := &sde.System{Dim: 2, NoiseDim: 2, Noise: sde.General,
		Drift: func(dst []float64, _ float64, x []float64) {
			dst[0] = 0.1*x[1] - 0.5*x[0]
			dst[1] = -0.5 * x[1]
		},
		Diffusion: func(dst []float64, _ float64, x []float64) {
			dst[0], dst[1] = 0.5, 0
			dst[2], dst[3] = 0.2*x[1], 0.6*x[0]
		}}
	path, err := sde.NewBrownianPathArea(rand.NewPCG(1, 2), 2, 0, sde.PathLevy)
	if err != nil {
		panic(err)
	}
	x0, ts := []float64{1, 0.5}, []float64{0, 1}
	coarse, _ := sde.Solve(sys, sde.SRIGeneral{}, x0, ts, &sde.Settings{Step: 1.0 / 16, Brownian: path})
	fine, _ := sde.Solve(sys, sde.SRIGeneral{}, x0, ts, &sde.Settings{Step: 1.0 / 256, Brownian: path})
	d := math.Hypot(coarse.X.At(1, 0)-fine.X.At(1, 0), coarse.X.At(1, 1)-fine.X.At(1, 1))
	fmt.Println("stored times:", path.Len())
	fmt.Println("coarse within 0.1 of fine:", d < 0.1)

	whole, a := make([]float64, 2), make([]float64, 1)
	path.IncrementArea(whole, a, 0, 1)
	w1, a1 := make([]float64, 2), make([]float64, 1)
	w2, a2 := make([]float64, 2), make([]float64, 1)
	path.IncrementArea(w1, a1, 0, 0.3)
	path.IncrementArea(w2, a2, 0.3, 1)
	sum, as := make([]float64, 2), make([]float64, 1)
	sde.CombineAreas(sum, as, w1, a1, w2, a2)
	fmt.Println("Chen's relation:", math.Abs(as[0]-a[0]) < 1e-12)
	// Output:
	// stored times: 257
	// coarse within 0.1 of fine: true
	// Chen's relation: true
}
