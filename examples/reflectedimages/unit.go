package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sdeml/sdeml/internal/sweep"
)

// unit trains model md on the images (or continues or loads it, see train), samples c.m
// images and scores them.
func (c *config) unit(ctx context.Context, md model, images []float64, ref *reference, cls *classifier) (unitResult, error) {
	var r unitResult
	name := fmt.Sprintf("%s %s", c.data, md.key())
	net, info, err := c.train(ctx, md, images, name)
	if err != nil {
		return r, err
	}
	r.Params = net.NumParams()
	r.Loss, r.TrainCPU, r.TrainWall = info.Loss, info.TrainCPU, info.TrainWall
	cpu := cpuSeconds()
	gen := make([]float64, c.m*784)
	s := c.samplerFor(md.proc)
	net.Float32 = c.sample32 && net.UNet != nil
	if err := s.Sample(gen, net, c.seed+1000); err != nil {
		return r, err
	}
	r.SampleCPU = sweep.Float(cpuSeconds() - cpu)
	fmt.Fprintf(os.Stderr, "%s: %d parameters, trained in %.0f s CPU, sampled %d in %.0f s CPU\n", name, r.Params, float64(r.TrainCPU), c.m, float64(r.SampleCPU))
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
