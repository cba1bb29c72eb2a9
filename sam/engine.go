package sam

import (
	"gonum.org/v1/gonum/floats"

	"github.com/sdeml/sdeml/internal/parallel"
)

// unitRunner describes K independent units of work (micro-batches, RW-SAM corrections),
// each producing a vector v_j, to be reduced as acc = Σ_j a_j v_j.
type unitRunner interface {
	// unit writes v_j into dst using the scratch sc and returns unit j's loss and cost.
	// It runs concurrently with other units.
	unit(sc *scratch, dst []float64, j int) (loss float64, c Cost)
	// weight returns a_j and an optional vector s_j (nil: none) that the reduction
	// subtracts, acc += a_j (v_j − s_j); s_j must stay valid until run returns. It is
	// called serially, in increasing j, after unit j ran.
	weight(j int, loss float64, c Cost) (float64, []float64)
}

// engine runs the units of a unitRunner in parallel and reduces them in index order.
//
// Units run in rounds of 4 per worker on all cores through parallel.Run when the work is
// large enough, else inline in rounds of one (per-worker scratch). After each round the
// slots are added to acc in increasing j, coordinate chunk by coordinate chunk, so each chunk
// of acc stays in cache while the slots stream through it; on the last round the same chunk
// pass adds the base vector and checks finiteness. Every coordinate therefore receives
//
//	acc[i] = a_0 (v_0[i] − s_0[i]);  acc[i] += a_1 (v_1[i] − s_1[i]);  …;  acc[i] += base[i]
//
// in this order whatever the number of workers or the round size, so the result is
// bit-identical for any GOMAXPROCS.
type engine struct {
	work  []scratch
	slots [][]float64
	loss  []float64
	cost  []Cost
	a     []float64
	sub   [][]float64
	bad   []int
	tmp   [][]float64 // per-worker buffers of addScaled
	ut    unitTask
	rt    reduceTask
}

// unitTask runs units j0+i of a round (parallel.Task; a pointer to it does not allocate).
type unitTask struct {
	e  *engine
	r  unitRunner
	j0 int
}

func (t *unitTask) Do(wk, i int) {
	e := t.e
	e.loss[i], e.cost[i] = t.r.unit(&e.work[wk], e.slots[i], t.j0+i)
}

// reduceTask adds the cnt slots of a round to acc on coordinate chunk c, slots in order.
// On the first round the first slot's term is stored instead of added; on the last round
// base (if not nil) is added and the chunk's first non-finite coordinate is recorded in
// e.bad[c] (-1: none).
type reduceTask struct {
	e           *engine
	acc, base   []float64
	cnt         int
	first, last bool
}

func (t *reduceTask) Do(wk, c int) {
	lo, hi := c*chunk, min((c+1)*chunk, len(t.acc))
	dst := t.acc[lo:hi]
	i0 := 0
	if t.first {
		setScaled(dst, t.e.a[0], t.e.slots[0][lo:hi], t.e.sub[0], lo, hi)
		i0 = 1
	}
	for i := i0; i < t.cnt; i++ {
		addScaled(dst, t.e.a[i], t.e.slots[i][lo:hi], t.e.sub[i], t.e.tmp[wk], lo, hi)
	}
	if t.last {
		t.e.bad[c] = addCheck(dst, t.base, lo, hi)
	}
}

// setScaled does dst = a·(v − s[lo:hi]) (s nil: dst = a·v), vectorized, each entry rounded
// as the scalar a·(v_i − s_i).
func setScaled(dst []float64, a float64, v, s []float64, lo, hi int) {
	v = v[:len(dst)]
	if s == nil {
		floats.ScaleTo(dst, a, v)
		return
	}
	floats.SubTo(dst, v, s[lo:hi][:len(dst)])
	floats.Scale(a, dst)
}

// addScaled does dst += a·(v − s[lo:hi]) (s nil: dst += a·v) with gonum's vectorized
// axpy, forming v − s in tmp piece by piece; each entry is rounded exactly as the scalar
// dst_i + a·(v_i − s_i).
func addScaled(dst []float64, a float64, v, s, tmp []float64, lo, hi int) {
	v = v[:len(dst)]
	if s == nil {
		floats.AddScaled(dst, a, v)
		return
	}
	s = s[lo:hi]
	s = s[:len(dst)]
	for p := 0; p < len(dst); p += len(tmp) {
		q := min(p+len(tmp), len(dst))
		t := tmp[:q-p]
		floats.SubTo(t, v[p:q], s[p:q])
		floats.AddScaled(dst[p:q], a, t)
	}
}

// addCheck does dst += b[lo:hi] (b nil: nothing) and returns lo plus the index of the first
// non-finite entry of dst, or -1.
func addCheck(dst, b []float64, lo, hi int) int {
	if b != nil {
		b = b[lo:hi]
		floats.Add(dst, b[:len(dst)])
	}
	if i := firstNonFinite(dst); i >= 0 {
		return lo + i
	}
	return -1
}

// chunk is the number of coordinates per reduction task; below serialWork coordinates ×
// units the goroutine overhead outweighs the work and the units run inline (same
// arithmetic, hence the same bits).
const (
	chunk      = 1 << 14
	serialWork = 1 << 15
	tmpLen     = 1 << 10
)

// run sets acc = Σ_j a_j (v_j − s_j) + base over units 0..k-1 (base nil: no base term) and
// returns the summed unit costs, with Serial the total number of passes and Depth the
// largest number in any one unit, and the index of the first non-finite entry of acc
// (-1: none).
func (e *engine) run(acc, base []float64, r unitRunner, k int) (Cost, int) {
	n := len(acc)
	if len(e.work) == 0 {
		e.work = make([]scratch, 1)
	}
	if k == 1 {
		loss, c := r.unit(&e.work[0], acc, 0)
		a, sub := r.weight(0, loss, c)
		if sub != nil || a != 1 {
			setScaled(acc, a, acc, sub, 0, n)
		}
		c.Serial, c.Depth = c.Forward, c.Forward
		return c, addCheck(acc, base, 0, n)
	}
	w := parallel.Workers(k)
	par := w > 1 && k*n > serialWork
	if !par {
		w = 1
	}
	// Inline, one unit per round: unit j's vector is reduced while still in cache, and a
	// runner may return scratch memory as s_j (scratch.keep).
	rs := 1
	if par {
		rs = min(k, 4*w)
	}
	for len(e.work) < w {
		e.work = append(e.work, scratch{})
	}
	for len(e.tmp) < w {
		e.tmp = append(e.tmp, make([]float64, tmpLen))
	}
	for len(e.slots) < rs {
		e.slots = append(e.slots, nil)
	}
	for i := range rs {
		e.slots[i] = resize(e.slots[i], n)
	}
	if len(e.loss) < rs {
		e.loss, e.cost, e.a, e.sub = make([]float64, rs), make([]Cost, rs), make([]float64, rs), make([][]float64, rs)
	}
	nc := (n + chunk - 1) / chunk
	if len(e.bad) < nc {
		e.bad = make([]int, nc)
	}
	var total Cost
	e.ut = unitTask{e: e, r: r}
	e.rt = reduceTask{e: e, acc: acc, base: base}
	for j0 := 0; j0 < k; j0 += rs {
		cnt := min(rs, k-j0)
		e.ut.j0 = j0
		if par {
			parallel.Run(cnt, &e.ut)
		} else {
			e.work[0].keep = true
			e.ut.Do(0, 0)
			e.work[0].keep = false
		}
		for i := range cnt {
			c := e.cost[i]
			e.a[i], e.sub[i] = r.weight(j0+i, e.loss[i], c)
			total.add(c)
			total.Serial += c.Forward
			total.Depth = max(total.Depth, c.Forward)
		}
		e.rt.cnt, e.rt.first, e.rt.last = cnt, j0 == 0, j0+cnt == k
		if par {
			parallel.Run(nc, &e.rt)
		} else {
			for c := range nc {
				e.rt.Do(0, c)
			}
		}
	}
	e.ut, e.rt = unitTask{}, reduceTask{}
	clear(e.sub)
	bad := -1
	for _, b := range e.bad[:nc] {
		if b >= 0 {
			bad = b
			break
		}
	}
	return total, bad
}
