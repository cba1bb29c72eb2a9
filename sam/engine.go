package sam

import "github.com/sdeml/sdeml/internal/parallel"

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
// Units run in rounds of len(slots) on all cores (parallel.Run, per-worker scratch); after
// each round the slots are added to acc in increasing j, split over coordinate chunks. Every
// coordinate therefore receives acc[i] += a_0 v_0[i]; acc[i] += a_1 v_1[i]; … in the same
// order as the serial loop, so the result is bit-identical to it for any GOMAXPROCS.
type engine struct {
	work  []scratch
	slots [][]float64
	loss  []float64
	cost  []Cost
	a     []float64
	sub   [][]float64
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
type reduceTask struct {
	e   *engine
	acc []float64
	cnt int
}

func (t *reduceTask) Do(_, c int) {
	lo, hi := c*chunk, min((c+1)*chunk, len(t.acc))
	dst := t.acc[lo:hi]
	for i := range t.cnt {
		addScaled(dst, t.e.a[i], t.e.slots[i][lo:hi], t.e.sub[i], lo, hi)
	}
}

// addScaled does dst += a·(v − s[lo:hi]) (s nil: dst += a·v).
func addScaled(dst []float64, a float64, v, s []float64, lo, hi int) {
	if s == nil {
		for q, x := range v {
			dst[q] += a * x
		}
		return
	}
	s = s[lo:hi]
	for q, x := range v {
		dst[q] += a * (x - s[q])
	}
}

// chunk is the number of coordinates per reduction task; below serialWork coordinates ×
// units the goroutine overhead outweighs the work and the units run serially (with the
// same per-coordinate order of additions, hence the same bits).
const (
	chunk      = 1 << 14
	serialWork = 1 << 15
)

// run sets acc = Σ_j a_j v_j over units 0..k-1 and returns the summed unit costs, with
// Serial the total number of passes and Depth the largest number in any one unit.
func (e *engine) run(acc []float64, r unitRunner, k int) Cost {
	n := len(acc)
	if len(e.work) == 0 {
		e.work = make([]scratch, 1)
	}
	if k == 1 {
		loss, c := r.unit(&e.work[0], acc, 0)
		a, sub := r.weight(0, loss, c)
		switch {
		case sub != nil:
			sub = sub[:len(acc)]
			for i, x := range acc {
				acc[i] = a * (x - sub[i])
			}
		case a != 1:
			scale(acc, a)
		}
		c.Serial, c.Depth = c.Forward, c.Forward
		return c
	}
	w := parallel.Workers(k)
	if w == 1 || k*n <= serialWork {
		return e.serial(acc, r, k)
	}
	rs := min(4*w, k)
	for len(e.work) < w {
		e.work = append(e.work, scratch{})
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
	clear(acc)
	var total Cost
	e.ut = unitTask{e: e, r: r}
	e.rt = reduceTask{e: e, acc: acc}
	for j0 := 0; j0 < k; j0 += rs {
		cnt := min(rs, k-j0)
		e.ut.j0 = j0
		parallel.Run(cnt, &e.ut)
		for i := range cnt {
			c := e.cost[i]
			e.a[i], e.sub[i] = r.weight(j0+i, e.loss[i], c)
			total.add(c)
			total.Serial += c.Forward
			total.Depth = max(total.Depth, c.Forward)
		}
		e.rt.cnt = cnt
		parallel.Run((n+chunk-1)/chunk, &e.rt)
	}
	e.ut, e.rt = unitTask{}, reduceTask{}
	clear(e.sub)
	return total
}

// serial is run on one goroutine: the same units, weights and order of additions.
func (e *engine) serial(acc []float64, r unitRunner, k int) Cost {
	if len(e.slots) == 0 {
		e.slots = append(e.slots, nil)
	}
	v := resize(e.slots[0], len(acc))
	e.slots[0] = v
	clear(acc)
	var total Cost
	for j := range k {
		loss, c := r.unit(&e.work[0], v, j)
		a, sub := r.weight(j, loss, c)
		total.add(c)
		total.Serial += c.Forward
		total.Depth = max(total.Depth, c.Forward)
		addScaled(acc, a, v, sub, 0, len(acc))
	}
	return total
}
