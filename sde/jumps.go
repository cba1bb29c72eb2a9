package sde

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Jumps adds compound-Poisson jumps to the SDE,
//
//	dX = f(t, X) dt + g(t, X) dW + dJ,   J(t) = Σ_{τ_k ≤ t} c(τ_k, X(τ_k−), Z_k),
//
// where the jump times τ_k are those of a Poisson process of intensity Rate
// and the marks Z_k are drawn by Size. The solver steps exactly to each jump
// time inside a step (with the method's step over the shortened interval),
// applies X(τ) = X(τ−) + c, and continues to the end of the step, so jump
// times are exact whatever the step size. The jump times and marks of path
// i come from their own stream derived from (Seed, i), separate from the
// Brownian increments, so a path with and without jumps sees the same W on
// every common interval. Fixed-step solves only (no Adaptive, no Event).
//
// A compensated jump martingale (as in Merton's model, where the drift
// carries −λ E[c]) is obtained by subtracting Rate·E[c] in the drift.
type Jumps struct {
	// Rate is the Poisson intensity λ ≥ 0 (jumps per unit time); 0 means
	// no jumps.
	Rate float64
	// Size writes the jump c(t, x, Z) into dst (len Dim) for the pre-jump
	// state x at the jump time t, drawing its random mark Z from r. It must
	// not retain dst, x or r.
	Size func(dst []float64, t float64, x []float64, r *rand.Rand)
}

// Validate returns an error naming the field if Rate is negative or not
// finite, or Size is nil while Rate > 0.
func (j *Jumps) Validate() error {
	if !(j.Rate >= 0) || math.IsInf(j.Rate, 0) {
		return fmt.Errorf("sde: Jumps.Rate = %v, want finite and >= 0", j.Rate)
	}
	if j.Rate > 0 && j.Size == nil {
		return fmt.Errorf("sde: Jumps.Size is nil with Jumps.Rate = %v", j.Rate)
	}
	return nil
}

// jumper holds one path's jump clock and marks.
type jumper struct {
	j    *Jumps
	pcg  rand.PCG
	r    *rand.Rand
	next float64   // time of the next jump
	c    []float64 // jump size scratch
}

func newJumper(j *Jumps, d int) *jumper {
	jp := &jumper{j: j, c: padded(d)}
	jp.r = rand.New(&jp.pcg)
	return jp
}

// reset reseeds the jump stream of path i and draws the first jump time
// after t0.
func (jp *jumper) reset(seed uint64, i int, t0 float64) {
	jp.pcg.Seed(parallel.StreamSeeds(TreeSeed(seed, i)^0x6a756d70 /* "jump" */, 0))
	jp.next = math.Inf(1)
	if jp.j.Rate > 0 {
		jp.next = t0 + jp.r.ExpFloat64()/jp.j.Rate
	}
}

// step advances x from t0 to t1 with sv's method, stopping at every jump
// time in (t0, t1] to apply the jump. It returns the number of method
// steps taken and the time reached, or an error for a non-finite state.
func (jp *jumper) step(sv *solver, x []float64, t0, t1 float64) (int, error) {
	n := 0
	for {
		end := min(jp.next, t1)
		if end > t0 {
			sv.bm.Increment(sv.dw, sv.u, t0, end)
			sv.st.Step(x, t0, end-t0, x, sv.dw, sv.u)
			n++
			if sv.set.Domain != nil {
				sv.set.Domain.Project(x)
			}
			if !finite(x) {
				return n, fmt.Errorf("sde: non-finite state at t = %v (step %d)", end, sv.steps+n)
			}
			t0 = end
		}
		if jp.next > t1 {
			return n, nil
		}
		jp.j.Size(jp.c, jp.next, x, jp.r)
		for i := range x {
			x[i] += jp.c[i]
		}
		if sv.set.Domain != nil {
			sv.set.Domain.Project(x)
		}
		if !finite(x) {
			return n, fmt.Errorf("sde: non-finite state after the jump at t = %v", jp.next)
		}
		jp.next += jp.r.ExpFloat64() / jp.j.Rate
	}
}

// runJumps is the fixed-step loop of run with Settings.Jumps.
func (sv *solver) runJumps(ts []float64, out func(k int, x []float64)) error {
	x := sv.x
	for k := 1; k < len(ts); k++ {
		a, b := ts[k-1], ts[k]
		ns, dt, err := sv.interval(ts, k, sv.steps)
		if err != nil {
			return err
		}
		t0 := a
		for j := 1; j <= ns; j++ {
			t1 := a + float64(j)*dt
			if j == ns {
				t1 = b
			}
			n, err := sv.jump.step(sv, x, t0, t1)
			sv.steps += n
			if err != nil {
				return err
			}
			t0 = t1
		}
		out(k, x)
	}
	return nil
}
