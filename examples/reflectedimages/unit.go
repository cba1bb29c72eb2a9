package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/internal/sweep"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/reflected"
)

// unit trains model md on the images, samples c.m images and scores them.
func (c *config) unit(ctx context.Context, md model, images []float64, ref *reference, cls *classifier) (unitResult, error) {
	var r unitResult
	src := parallel.Stream(c.seed, 1)
	var net *reflected.ScoreNet
	var err error
	if md.name == "unet" {
		net, err = reflected.NewUNetScoreNet(nn.UNet{C: 1, H: 28, W: 28, Widths: c.widths}, src)
	} else {
		net, err = reflected.NewScoreNet(784, c.mlp, reflected.TimeEmbedding{Freqs: 8}, src)
	}
	if err != nil {
		return r, err
	}
	r.Params = net.NumParams()
	name := fmt.Sprintf("%s %s", c.data, md.key())
	fmt.Fprintf(os.Stderr, "%s: %d parameters, training\n", name, r.Params)
	cpu, wall := cpuSeconds(), time.Now()
	res, err := reflected.TrainContext(ctx, net, images, nil, &reflected.TrainSettings{
		Steps: c.steps, Batch: c.batch, Process: md.proc, Seed: c.seed, DataDim: 784, EvalPoints: 1000,
		Progress: prefixWriter{name}, ProgressEvery: max(c.steps/20, 1)})
	if err != nil {
		return r, err
	}
	r.Loss = sweep.Float(res.Loss)
	r.TrainCPU, r.TrainWall = sweep.Float(cpuSeconds()-cpu), sweep.Float(time.Since(wall).Seconds())
	cpu = cpuSeconds()
	gen := make([]float64, c.m*784)
	s := &reflected.Sampler{Steps: c.samplerSteps, Final: reflected.FinalTweedie, Process: md.proc}
	if err := s.Sample(gen, net, c.seed+1000); err != nil {
		return r, err
	}
	r.SampleCPU = sweep.Float(cpuSeconds() - cpu)
	fmt.Fprintf(os.Stderr, "%s: trained in %.0f s CPU, sampled %d in %.0f s CPU\n", name, float64(r.TrainCPU), c.m, float64(r.SampleCPU))
	if r.Metrics, err = evaluate(gen, ref, cls); err != nil {
		return r, err
	}
	r.Grid = gen[:min(64, c.m)*784]
	return r, nil
}

// prefixWriter writes each progress line to stderr prefixed by a name.
type prefixWriter struct{ name string }

func (p prefixWriter) Write(b []byte) (int, error) {
	fmt.Fprintf(os.Stderr, "%s: %s", p.name, b)
	return len(b), nil
}
