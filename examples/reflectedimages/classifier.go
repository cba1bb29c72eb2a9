package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"

	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// featureNode is the classifier's penultimate node (the 64 ReLU features of the metrics).
const featureNode = 6

// classifierGraph is the evaluation classifier: two 3×3 convolutions with max pooling, a
// 64-unit ReLU layer (the feature space of the Fréchet distance and of precision/recall)
// and the 10 class logits.
func classifierGraph() (*nn.Graph, error) {
	return nn.NewGraph(nn.Shape{C: 1, H: 28, W: 28},
		nn.Node{Layer: nn.Conv2D{Out: 16, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}}, // 0
		nn.Node{Layer: nn.MaxPool{Size: 2, Stride: 2}},                                 // 1: 16×14×14
		nn.Node{Layer: nn.Conv2D{Out: 32, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}}, // 2
		nn.Node{Layer: nn.MaxPool{Size: 2, Stride: 2}},                                 // 3: 32×7×7
		nn.Node{Layer: nn.Flatten{}},                                                   // 4
		nn.Node{Layer: nn.Dense{Out: 64}},                                              // 5
		nn.Node{Layer: nn.Activate{Act: nn.ReLU}},                                      // 6: features
		nn.Node{Layer: nn.Dense{Out: 10}},                                              // 7: logits
	)
}

// classifier is the trained evaluation network.
type classifier struct {
	g    *nn.Graph
	w    []float64
	acc  float64 // test accuracy
	pass *nn.GraphPass
}

// loadOrTrainClassifier reads the classifier from path, or trains it (Adam, epochs over
// the training set) and saves it there (nn.SaveGraphFile: the package's checksummed,
// versioned format), and measures its test accuracy.
func loadOrTrainClassifier(path string, train, test *nn.Dataset, epochs int, seed uint64) (*classifier, error) {
	c := &classifier{}
	f, err := os.Open(path)
	switch {
	case err == nil:
		c.g, c.w, _, err = nn.LoadGraph(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("classifier %s: %w", path, err)
		}
		fmt.Fprintf(os.Stderr, "classifier: loaded %s\n", path)
	case errors.Is(err, fs.ErrNotExist):
		if c.g, err = classifierGraph(); err != nil {
			return nil, err
		}
		c.w = make([]float64, c.g.NumParams())
		c.g.Init(c.w, nn.He, rand.NewPCG(seed, 11))
		obj, err := nn.NewGraphSupervised(c.g, train, nn.SoftmaxCE{})
		if err != nil {
			return nil, err
		}
		steps := epochs * (train.Len() / 128)
		opt := &sam.Adam{LR: 2e-3, Schedule: sam.Cosine{Total: steps, Floor: 0.05}}
		if _, err := sam.Train(c.w, obj, opt, &sam.TrainSettings{Epochs: epochs, Batch: 128, Seed: seed, Progress: os.Stderr, Name: "classifier"}); err != nil {
			return nil, err
		}
		if err := nn.SaveGraphFile(path, c.g, c.w, nil); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	obj, err := nn.NewGraphSupervised(c.g, test, nn.SoftmaxCE{})
	if err != nil {
		return nil, err
	}
	idx := make([]int, test.Len())
	for i := range idx {
		idx[i] = i
	}
	c.acc = obj.Accuracy(c.w, idx)
	c.pass = c.g.NewPass(nil)
	return c, nil
}

// apply returns the features (n×64) and class probabilities (n×10) of n images.
func (c *classifier) apply(x []float64) (feat, probs []float64) {
	const chunk = 256
	n := len(x) / 784
	feat, probs = make([]float64, 0, n*64), make([]float64, n*10)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		out := probs[lo*10 : hi*10]
		c.pass.Forward(out, c.w, x[lo*784:hi*784])
		feat = append(feat, c.pass.Value(featureNode)...)
		for r := range hi - lo {
			softmax(out[r*10 : (r+1)*10])
		}
	}
	return feat, probs
}

func softmax(z []float64) {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for i, v := range z {
		z[i] = math.Exp(v - m)
		s += z[i]
	}
	for i := range z {
		z[i] /= s
	}
}
