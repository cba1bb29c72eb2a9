package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"time"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/reflected"
)

// preflightRow is one oracle check.
type preflightRow struct {
	check string
	D     int
	w1    float64 // W1(gen, ref)
	floor float64 // W1(ref′, ref)
	other float64 // memorising: W1(train×(m/n), ref); oracle: on-subspace W1
	pass  bool
}

// memoN is the training-set size of the memorising check; it divides m (checked) so that the
// training set can be replicated to m points for an exact W1 against the reference.
const memoN = 100

// preflight runs the oracle checks of docs/derivations/reflected.md §10 for every D:
//  1. the exact score in the sampler (see oracle) must give W1(gen, ref) ≤ 2·floor, which
//     isolates the sampler's discretisation error;
//  2. (smallest D only) the memorising score of n = 100 training points must reproduce them:
//     |W1(gen, ref) − W1(train replicated, ref)| ≤ floor.
func preflight(c *config) error {
	fmt.Println("pre-flight oracle checks:")
	var rows []preflightRow
	ok := true
	for _, D := range c.Ds {
		target, err := c.target(D)
		if err != nil {
			return err
		}
		refs, err := c.references(target, 0)
		if err != nil {
			return err
		}
		// 1. exact score.
		t0 := time.Now()
		oracleTarget, q, oracleRefs, err := c.oracle(D, target, refs)
		if err != nil {
			return err
		}
		gen := make([]float64, c.m*D)
		if err := c.sampler(reflected.FinalTweedie).Sample(gen, q, seedFor(kindSampler, 0, D, 1)); err != nil {
			return err
		}
		dist, err := reflected.W1(gen, oracleRefs.ref, D)
		if err != nil {
			return err
		}
		on, err := c.onW1(oracleTarget, gen, oracleRefs)
		if err != nil {
			return err
		}
		r := preflightRow{check: "exact score", D: D, w1: dist, floor: oracleRefs.floorMean, other: on, pass: dist <= 2*oracleRefs.floorMean}
		fmt.Printf("  D=%d exact score:      W1 %.4f  floor %.4f (this pair %.4f)  on-subspace %.4f (reference %.4f)  need W1 ≤ 2·floor: %s  [%.1fs]\n",
			D, dist, oracleRefs.floorMean, oracleRefs.floor, on, oracleRefs.onRef, verdict(r.pass), time.Since(t0).Seconds())
		rows = append(rows, r)
		ok = ok && r.pass

		// 2. memorising score, for the smallest D only: it checks that sampler and metric are
		// consistent, and its cost (2·n·D kernel evaluations per particle and step) grows with D.
		if D != c.Ds[0] {
			continue
		}
		if c.m%memoN != 0 {
			fmt.Printf("  D=%d memorising check skipped: m = %d is not a multiple of %d\n", D, c.m, memoN)
			continue
		}
		t0 = time.Now()
		train := make([]float64, memoN*D)
		target.Sample(train, stream(kindMemo, 0, 0, memoN))
		es, err := reflected.NewEmpiricalScore(train, D)
		if err != nil {
			return err
		}
		if err := c.sampler(reflected.FinalTweedie).Sample(gen, es, seedFor(kindSampler, 0, D, 2)); err != nil {
			return err
		}
		rep := make([]float64, 0, c.m*D)
		for len(rep) < c.m*D {
			rep = append(rep, train...)
		}
		dist, err = reflected.W1(gen, refs.ref, D)
		if err != nil {
			return err
		}
		w1train, err := reflected.W1(rep, refs.ref, D)
		if err != nil {
			return err
		}
		toTrain, err := reflected.W1(gen, rep, D)
		if err != nil {
			return err
		}
		diff := dist - w1train
		r = preflightRow{check: "memorising score", D: D, w1: dist, floor: refs.floorMean, other: w1train, pass: math.Abs(diff) <= refs.floorMean}
		fmt.Printf("  D=%d memorising score: W1 %.4f  W1(train,ref) %.4f  W1(gen,train) %.4f  floor %.4f  need |Δ| ≤ floor: %s  [%.1fs]\n",
			D, dist, w1train, toTrain, refs.floorMean, verdict(r.pass), time.Since(t0).Seconds())
		rows = append(rows, r)
		ok = ok && r.pass
	}
	if err := writePreflight(c, rows); err != nil {
		return err
	}
	if !ok {
		fmt.Println("  WARNING: a pre-flight check failed; the grid below still runs, read it with care")
	}
	return nil
}

// oracle returns the target, exact score and references of the exact-score check: for d = 1
// the experiment's target with its QuadratureScore; for d = 2, where a tensor quadrature at
// t₀ is too slow, the axis-aligned Uniform([0,1]²) × δ_{½} with its closed-form score
// (docs/derivations/reflected.md §10 allows either).
func (c *config) oracle(D int, target *reflected.Subspace, refs *references) (*reflected.Subspace, reflected.ScoreModel, *references, error) {
	if c.d == 1 {
		q, err := reflected.NewQuadratureScore(target)
		return target, q, refs, err
	}
	point := make([]float64, D-2)
	for i := range point {
		point[i] = 0.5
	}
	axis, err := reflected.AxisAligned(D, point)
	if err != nil {
		return nil, nil, nil, err
	}
	score, err := reflected.NewAxisAlignedScore(axis)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := c.references(axis, 0)
	return axis, score, r, err
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func writePreflight(c *config, rows []preflightRow) error {
	return atomicfile.WriteFile(filepath.Join(c.out, "preflight.csv"), 0, func(f io.Writer) error {
		fmt.Fprintln(f, "check,d,D,m,w1,floor,other,pass")
		for _, r := range rows {
			fmt.Fprintf(f, "%s,%d,%d,%d,%.6g,%.6g,%.6g,%v\n", r.check, c.d, r.D, c.m, r.w1, r.floor, r.other, r.pass)
		}
		return nil
	})
}
