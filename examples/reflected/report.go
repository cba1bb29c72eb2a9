package main

import (
	"fmt"
	"math"
	"slices"
)

// series returns, for dimension D, the sizes n and the seed-averaged metric f.
func series(rows []row, D int, f func(row) float64) (ns, ys []float64) {
	sum := map[int]float64{}
	cnt := map[int]int{}
	for _, r := range rows {
		if r.D == D {
			sum[r.n] += f(r)
			cnt[r.n]++
		}
	}
	var keys []int
	for n := range sum {
		keys = append(keys, n)
	}
	slices.Sort(keys)
	for _, n := range keys {
		ns = append(ns, float64(n))
		ys = append(ys, sum[n]/float64(cnt[n]))
	}
	return ns, ys
}

// slope returns the least-squares slope of log y on log x.
func slope(x, y []float64) float64 {
	if len(x) < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += math.Log(x[i])
		my += math.Log(y[i])
	}
	mx /= float64(len(x))
	my /= float64(len(x))
	var sxy, sxx float64
	for i := range x {
		dx := math.Log(x[i]) - mx
		sxy += dx * (math.Log(y[i]) - my)
		sxx += dx * dx
	}
	return sxy / sxx
}

// metrics are the reported metrics, in table order.
var metrics = []struct {
	name string
	f    func(row) float64
}{
	{"W1 (exact, LSAP)", func(r row) float64 { return r.w1 }},
	{"on-subspace W1", func(r row) float64 { return r.on }},
	{"memorisation baseline", func(r row) float64 { return r.memo }},
}

// report prints the per-run table, the slopes per D and the agreement verdict.
func report(c *config, rows []row) {
	fmt.Printf("\nExperiment %s (d = %d): W1 of %d generated vs %d reference points; on-subspace W1 ", c.exp, c.d, c.m, c.m)
	if c.d == 1 {
		fmt.Println("exact against the law of Z (no reference noise)")
	} else {
		fmt.Println("by LSAP on the 2-D coordinates")
	}
	fmt.Printf("%3s %5s %4s | %8s %8s | %8s %8s %8s | %9s %9s %9s | %7s",
		"D", "n", "seed", "W1", "floor*", "on", "onFloor", "memo", "off(Twd)", "off(none)", "W1(none)", "loss")
	if c.ema > 0 {
		fmt.Printf(" %8s %8s", "lossLast", "lossEMA")
	}
	fmt.Println()
	for _, r := range rows {
		fmt.Printf("%3d %5d %4d | %8.4f %8.4f | %8.4f %8.4f %8.4f | %9.4f %9.4f %9.4f | %7.4f",
			r.D, r.n, r.seed, r.w1, r.floorMean, r.on, r.onFloor, r.memo, r.offT, r.offN, r.w1None, r.loss)
		if c.ema > 0 {
			fmt.Printf(" %8.4f %8.4f", r.lossLast, r.lossEMA)
		}
		fmt.Println()
	}
	pairs := floorPairs
	if c.d > 1 {
		pairs = 3
	}
	if c.exp == "study" {
		pairs = nullK
	}
	fmt.Printf("* floor = mean W1 of %d independent reference pairs of size m (single pairs scatter widely)\n", pairs)
	fmt.Println("\nfitted log-log slopes d log W1 / d log n (seed-averaged):")
	fmt.Printf("%-24s", "metric")
	for _, D := range c.Ds {
		fmt.Printf("  D=%-5d", D)
	}
	fmt.Printf("  spread  agree(≤0.15)\n")
	for _, m := range metrics {
		fmt.Printf("%-24s", m.name)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, D := range c.Ds {
			s := slope(series(rows, D, m.f))
			lo, hi = min(lo, s), max(hi, s)
			fmt.Printf("  %+7.3f", s)
		}
		spread := hi - lo
		fmt.Printf("  %6.3f  %v\n", spread, spread <= 0.15)
	}
}
