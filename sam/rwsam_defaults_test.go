package sam

import (
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/nn/data"
)

var long = flag.Bool("long", false, "run the full-size studies (go test ./sam -run Long -long -v)")

// mnistRun trains the README's 784-128-10 ReLU MLP (He init, seed 1) on the first nTrain
// MNIST images with opt and returns the per-epoch training losses and the test accuracy
// on the first nTest test images.
func mnistRun(t *testing.T, nTrain, nTest, epochs int, opt Optimizer) ([]float64, float64) {
	t.Helper()
	train, test, err := data.LoadMNISTSubset("", nTrain, nTest)
	if err != nil {
		t.Fatal(err)
	}
	net, err := nn.NewMLP([]int{784, 128, 10}, nn.ReLU, nn.Identity)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(1, 1))
	obj, err := nn.NewSupervised(net, train, nn.SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := Train(w, obj, opt, &TrainSettings{Epochs: epochs, Batch: 128, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tobj, err := nn.NewSupervised(net, test, nn.SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	return h.TrainLoss, 100 * tobj.Accuracy(w, seq(nTest))
}

// The new-user report: RW-SAM with only Base and Rho set (the zero value of every other
// field) must train as well as SGD on MNIST. Before issue 15 this configuration meant
// single-sample importance-weighted corrections (k = 4); here (10k images, 3 epochs) that
// old zero value, now spelled Form: Corrections, Unit: 1, measured training losses 0.995,
// 0.661, 0.683 (rising in epoch 3) and 72.6% test accuracy against SGD's 90.9%. The zero
// value is now VirtualMicro with m = 4 and trust ratio τ = 1 (docs/derivations/sam.md §6);
// batch-order seed 1 measured losses 0.7075, 0.2836, 0.2224 and 91.26% against SGD's
// 90.92% (without the trust ratio 0.7096, 0.2877, 0.2264 and 91.22%; the GibbsAscent zero
// value before it: 90.26–90.70% over seeds 1–4, SGD 89.98–90.92%).
//
// Bounds: the training loss must fall every epoch, and the test accuracy must be within
// 1 point of SGD's (seed-to-seed spread of either is about 1 point).
func TestRWSAMZeroValueTrainsMNIST(t *testing.T) {
	sgd := func() *SGD { return &SGD{LR: 0.05, Momentum: 0.9} }
	lSGD, aSGD := mnistRun(t, 10000, 5000, 3, sgd())
	lRW, aRW := mnistRun(t, 10000, 5000, 3, &RWSAM{Base: sgd(), Rho: 0.1})
	t.Logf("10k subset, 3 epochs: SGD losses %.4f, test %.2f%%; RW-SAM zero value losses %.4f, test %.2f%%", lSGD, aSGD, lRW, aRW)
	for e := 1; e < len(lRW); e++ {
		if lRW[e] >= lRW[e-1] {
			t.Errorf("RW-SAM training loss rose in epoch %d: %.4f → %.4f", e+1, lRW[e-1], lRW[e])
		}
	}
	if aRW < aSGD-1 {
		t.Errorf("RW-SAM zero value test accuracy %.2f%%, SGD %.2f%%", aRW, aSGD)
	}
}

// TestLongRWSAMSettingsMNIST is the report's full-size case (60k images, 2 epochs) for SGD,
// the zero value, the old zero value (Corrections, Unit 1, k = 4) and Corrections with
// 16-sample units; it prints the table quoted in docs/REPRODUCTION.md and checks the
// zero value against SGD as above.
func TestLongRWSAMSettingsMNIST(t *testing.T) {
	if !*long {
		t.Skip("full-size study: run with -long")
	}
	sgd := func() *SGD { return &SGD{LR: 0.05, Momentum: 0.9} }
	cases := []struct {
		name string
		opt  Optimizer
	}{
		{"SGD", sgd()},
		{"RWSAM{Base, Rho: 0.1} (VirtualMicro)", &RWSAM{Base: sgd(), Rho: 0.1}},
		{"GibbsAscent", &RWSAM{Form: GibbsAscent, Base: sgd(), Rho: 0.1}},
		{"SAM ρ=0.1", &SAM{Base: sgd(), Rho: 0.1}},
		{"Corrections Unit 1, k = 4 (old zero value)", &RWSAM{Form: Corrections, Unit: 1, Base: sgd(), Rho: 0.1}},
		{"Corrections Unit 16, k = 4", &RWSAM{Form: Corrections, Unit: 16, Base: sgd(), Rho: 0.1}},
	}
	acc := make([]float64, len(cases))
	for i, c := range cases {
		l, a := mnistRun(t, 60000, 10000, 2, c.opt)
		acc[i] = a
		t.Logf("%-45s train loss %.4f → %.4f  test %.2f%%", c.name, l[0], l[len(l)-1], a)
	}
	if acc[1] < acc[0]-1 {
		t.Errorf("zero value %.2f%% vs SGD %.2f%%", acc[1], acc[0])
	}
}
