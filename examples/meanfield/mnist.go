package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/meanfield"
	"github.com/sdeml/sdeml/nn/data"
)

// runMNIST is the optional real-data run after the paper's code (fonfonx/MeanFieldSGD):
// ReLU units F = a·relu(⟨u, x⟩) on 784 normalised pixels, K = 10, softmax cross-entropy,
// torch-default initialisation, minibatch SGD with M = 100 shared by all neurons and
// torch learning rate γN^β. For each β it compares the marginal of one first-layer weight
// (pixel `pixel` across neurons, the paper's weight[:, 0]) with that of a wide reference
// run at the same β and M, by the 1-D W1 distance.
func runMNIST(nTrain int, Ns []int, nRef int, betas []float64, T float64, pixel int, seed uint64, out string) {
	dir, err := data.MNISTDir()
	check(err)
	train, _, err := data.LoadMNISTSubset(dir, nTrain, 1)
	check(err)
	const p, K, M = 784, 10, 100
	n := train.Len()
	x := make([]float64, n*p)
	y := make([]float64, n*K)
	for i := range n {
		for j := range p {
			x[i*p+j] = (train.X.At(i, j) - 0.1307) / 0.3081 // torchvision Normalize((0.1307,), (0.3081,))
		}
		y[i*K+train.Labels[i]] = 1
	}
	data, err := meanfield.NewPoints(p, K, x, y, nil)
	check(err)
	unit := meanfield.ReLUUnit{P: p, K: K}
	fmt.Printf("\n== MNIST (%d training images): ReLU units, torch init, SGD M = %d, γ = 1, T = %g; W1 of the pixel-%d first-layer marginal against N = %d ==\n", n, M, T, pixel, nRef)
	csv := newCSV(out, "mnist.csv", "beta", "N", "iterations", "train_risk", "w1_pixel_marginal")
	defer csv.close()
	run := func(N int, beta float64) (*meanfield.Particles, int, float64) {
		ps, err := meanfield.NewParticles(N, unit.Dim())
		check(err)
		check(ps.InitTorchDefault(unit, rand.NewPCG(seed, uint64(N))))
		s := meanfield.Schedule{Gamma: 1, Beta: beta, N: N}
		it := s.Iterations(T)
		tr := &meanfield.Trainer{Unit: unit, Loss: meanfield.SoftmaxCE{}, Method: meanfield.SGD, Data: data, Batch: M, Schedule: s, Seed: seed + uint64(N)}
		prog := newProgress(fmt.Sprintf("MNIST β=%g N=%d", beta, N), it)
		check(tr.Run(ps, 0, it, func(int, float64) error { prog.add(1); return nil }))
		// Training risk on the whole subset at the end.
		f := meanfield.ComputeField(nil, unit, ps, data)
		var r float64
		for q := range n {
			r += meanfield.SoftmaxCE{}.ValueGrad(nil, f[q*K:(q+1)*K], y[q*K:(q+1)*K]) / float64(n)
		}
		return ps, it, r
	}
	fmt.Printf("%6s %7s %11s %11s %14s\n", "β", "N", "iterations", "train risk", "W1(pixel)")
	for _, beta := range betas {
		ref, itRef, rRef := run(nRef, beta)
		fmt.Printf("%6.2f %7d %11d %11.4f %14s\n", beta, nRef, itRef, rRef, "(reference)")
		for _, N := range Ns {
			ps, it, r := run(N, beta)
			w1, err := meanfield.MarginalW1(ps, ref, pixel)
			check(err)
			fmt.Printf("%6.2f %7d %11d %11.4f %14.4e\n", beta, N, it, r, w1)
			csv.row(beta, N, it, r, w1)
		}
	}
}
