package main

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"time"

	"github.com/sdeml/sdeml/reflected"
	"github.com/sdeml/sdeml/sam"
)

// cpuSeconds returns the user + system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// speed times the residual score network of docs/PERFORMANCE.md ("reflected: residual score
// network"): one DSM Adam step at batch 128 and the default sampler (200 EM steps + Tweedie)
// on 1000 particles, D = 16, width 128, 3 blocks, 8 time frequencies, float64. It reports
// wall and CPU time per operation (CPU time is robust to other jobs on a shared machine).
func speed(steps, samples int) error {
	target, _ := reflected.CentredBox(16, 2, 0.5)
	data := make([]float64, 1000*16)
	target.Sample(data, rand.NewPCG(1, 3))
	net, err := reflected.NewResScoreNet(16, 128, 3, reflected.TimeEmbedding{Freqs: 8}, rand.NewPCG(2, 2))
	if err != nil {
		return err
	}
	if net.Pre, err = reflected.NewPrecond(data, 16, 2e-4, reflected.MixingTime(16, 1e-3), reflected.Reflected, 1); err != nil {
		return err
	}
	obj, _ := reflected.NewDSM(net, data, 2e-4, reflected.MixingTime(16, 1e-3), 1)
	opt := &sam.Adam{LR: 1e-3}
	batch := make([]int, 128)
	for i := range batch {
		batch[i] = (i * 7) % 1000
	}
	fmt.Printf("go: GOMAXPROCS %d, %d parameters, float64\n", runtime.GOMAXPROCS(0), len(net.W))
	for k := 0; k < 5; k++ { // warm-up
		obj.Round = uint64(k)
		opt.Step(net.W, obj, batch)
	}
	w0, c0 := time.Now(), cpuSeconds()
	for k := 0; k < steps; k++ {
		obj.Round = uint64(k + 5)
		if _, err := opt.Step(net.W, obj, batch); err != nil {
			return err
		}
	}
	fmt.Printf("go: DSM Adam step, batch 128: wall %.2f ms, CPU %.2f ms per step (%d steps)\n",
		1e3*time.Since(w0).Seconds()/float64(steps), 1e3*(cpuSeconds()-c0)/float64(steps), steps)
	dst := make([]float64, 1000*16)
	s := &reflected.Sampler{Steps: 200, Final: reflected.FinalTweedie}
	w0, c0 = time.Now(), cpuSeconds()
	for k := 0; k < samples; k++ {
		if err := s.Sample(dst, net, uint64(k)); err != nil {
			return err
		}
	}
	fmt.Printf("go: sampler 200 EM steps + Tweedie, 1000 particles: wall %.3f s, CPU %.3f s per run (%d runs)\n",
		time.Since(w0).Seconds()/float64(samples), (cpuSeconds()-c0)/float64(samples), samples)
	return nil
}
