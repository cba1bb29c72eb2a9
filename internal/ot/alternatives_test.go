package ot

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The exact alternatives to the dense search that docs/derivations/ot-assignment.md §6
// measured on the structured W1 cases and did not adopt: an ε-scaling auction (full rows or
// candidate lists) for the prices followed by an exact finish, LAPJV's reduction transfer,
// and multiscale duals. They live here, in test code, so that the figures of §6 can be
// reproduced (TestAlternativesCPUTime, alternatives_cputime_linux_test.go) and their exactness is checked (TestAlternativesExact).

// altSolver is a Solver with the extra state of the alternatives.
type altSolver struct {
	Solver
	queue []int32
	bids  int
	sub   Solver // multiscale: the solver of the subsample
	subC  []float64
	subP  []int
}

// bestTwo returns the smallest and second smallest w_k = c_k − v_k of a row and their
// columns (first index among ties).
func bestTwo(row, v []float64) (w1, w2 float64, j1, j2 int) {
	w1, w2, j1, j2 = math.Inf(1), math.Inf(1), -1, -1
	v = v[:len(row)]
	for k, c := range row {
		if w := c - v[k]; w < w2 {
			if w < w1 {
				w2, j2 = w1, j1
				w1, j1 = w, k
			} else {
				w2, j2 = w, k
			}
		}
	}
	return
}

// bestTwoList is bestTwo over row i's candidate list (refreshRow) with the list's bound
// B on the other columns: prices only rise during an auction (v only decreases), so B stays
// a lower bound off the list; w₁ is exact when w₁ ≤ B, and min(w₂, B) ≤ the true second
// smallest. Otherwise the list is rebuilt with twice the columns.
func (a *altSolver) bestTwoList(cost []float64, m, i int) (w1, w2 float64, j1 int) {
	s := &a.Solver
	for {
		w1, w2, j1 = math.Inf(1), math.Inf(1), -1
		ac := s.adjCost[i]
		for p, j := range s.adj[i] {
			if w := ac[p] - s.v[j]; w < w2 {
				if w < w1 {
					w2 = w1
					w1, j1 = w, int(j)
				} else {
					w2 = w
				}
			}
		}
		if b := s.bound[i]; w1 <= b {
			return w1, math.Min(w2, b), j1
		}
		s.kRow[i] = min(kGrow*s.kRow[i], m)
		s.refreshRow(cost, m, i, false)
	}
}

// auctionPrices runs a forward Gauss–Seidel ε-scaling auction from the current column
// duals: a free row bids on its best column j₁, lowering v_{j₁} by w₂ − w₁ + ε, and takes
// it from its owner; each phase starts with all rows free; ε runs from spread/4 down by
// theta per phase to epsFin·spread. Only the prices are used afterwards. k > 0 makes the
// bids read candidate lists of k columns (bestTwoList) instead of full rows.
func (a *altSolver) auctionPrices(cost []float64, m int, theta, epsFin float64, k int) {
	s := &a.Solver
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < m; i += max(1, m/64) {
		for j, c := range cost[i*m : (i+1)*m] {
			lo, hi = math.Min(lo, c-s.v[j]), math.Max(hi, c-s.v[j])
		}
	}
	spread := hi - lo
	if !(spread > 0) {
		return
	}
	if k > 0 {
		s.resizeLazy(m)
		for i := 0; i < m; i++ {
			s.kRow[i] = min(k, m)
			s.refreshRow(cost, m, i, false)
		}
	}
	r4c, c4r := s.row4col[:m], s.col4row[:m]
	for eps := spread / 4; ; eps /= theta {
		eps = math.Max(eps, epsFin*spread)
		for j := range r4c {
			r4c[j], c4r[j] = -1, -1
		}
		q := a.queue[:0]
		for i := m - 1; i >= 0; i-- {
			q = append(q, int32(i))
		}
		for budget := 50 * m; len(q) > 0 && budget > 0; budget-- {
			i := int(q[len(q)-1])
			q = q[:len(q)-1]
			var w1, w2 float64
			var j1 int
			if k > 0 {
				w1, w2, j1 = a.bestTwoList(cost, m, i)
			} else {
				w1, w2, j1, _ = bestTwo(cost[i*m:(i+1)*m], s.v)
			}
			s.v[j1] -= w2 - w1 + eps
			if o := r4c[j1]; o >= 0 {
				c4r[o] = -1
				q = append(q, int32(o))
			}
			r4c[j1], c4r[i] = i, j1
			a.bids++
		}
		a.queue = q
		if eps == epsFin*spread {
			break
		}
	}
}

// exactBidding is the ε = 0 auction (augmenting row reduction) from the current column
// duals and an empty matching: v_{j₁} −= w₂ − w₁ and u_i = w₂ make (i, j₁) tight and keep
// every reduced cost ≥ 0 (v only decreases). At a tie the row takes j₂ if that is free.
// Ties can cycle, so it stops after budget bids; rows left free get u_i = min_k c_ik − v_k.
func (a *altSolver) exactBidding(cost []float64, m, budget int) {
	s := &a.Solver
	r4c, c4r := s.row4col[:m], s.col4row[:m]
	for j := range r4c {
		r4c[j], c4r[j] = -1, -1
	}
	q := a.queue[:0]
	for i := m - 1; i >= 0; i-- {
		q = append(q, int32(i))
	}
	for ; len(q) > 0 && budget > 0; budget-- {
		i := int(q[len(q)-1])
		q = q[:len(q)-1]
		w1, w2, j1, j2 := bestTwo(cost[i*m:(i+1)*m], s.v)
		if math.IsInf(w2, 1) || w1 == w2 {
			if r4c[j1] >= 0 && j2 >= 0 && r4c[j2] < 0 {
				j1 = j2
			}
			s.u[i] = w1
		} else {
			s.v[j1] -= w2 - w1
			s.u[i] = w2
		}
		if o := r4c[j1]; o >= 0 {
			c4r[o] = -1
			q = append(q, int32(o))
		}
		r4c[j1], c4r[i] = i, j1
	}
	for _, i := range q {
		w1, _, _, _ := bestTwo(cost[int(i)*m:(int(i)+1)*m], s.v)
		s.u[i] = w1
	}
	a.queue = q
}

// finish runs the dense search for every free row and returns the total.
func (a *altSolver) finish(perm []int, cost []float64, m int) (float64, error) {
	s := &a.Solver
	for i := 0; i < m; i++ {
		if s.col4row[i] < 0 {
			if err := s.augment(cost, m, i); err != nil {
				return math.NaN(), err
			}
		}
	}
	var total float64
	for i := 0; i < m; i++ {
		perm[i] = s.col4row[i]
		total += cost[i*m+perm[i]]
	}
	return total, nil
}

// solveAuction: column reduction, auction prices (k = 0: full rows), ε = 0 bidding (4m
// bids), dense searches.
func (a *altSolver) solveAuction(perm []int, cost []float64, m int, theta, epsFin float64, k int) (float64, error) {
	a.resize(m)
	a.columnReduction(cost, m)
	a.queue = make([]int32, 0, m)
	a.auctionPrices(cost, m, theta, epsFin, k)
	a.exactBidding(cost, m, 4*m)
	return a.finish(perm, cost, m)
}

// solveTransfer: column reduction, LAPJV's reduction transfer (v of each assigned column
// lowered by its row's second-smallest reduced cost μ, u = μ; the pair stays tight and
// every reduced cost ≥ 0), dense searches.
func (a *altSolver) solveTransfer(perm []int, cost []float64, m int) (float64, error) {
	s := &a.Solver
	s.resize(m)
	s.columnReduction(cost, m)
	for i := 0; i < m; i++ {
		j1 := s.col4row[i]
		if j1 < 0 {
			continue
		}
		mu := math.Inf(1)
		for j, c := range cost[i*m : (i+1)*m] {
			if j != j1 {
				mu = math.Min(mu, c-s.v[j]-s.u[i])
			}
		}
		if !math.IsInf(mu, 1) {
			s.v[j1] -= mu
			s.u[i] += mu
		}
	}
	return a.finish(perm, cost, m)
}

// solveMultiscale: solve on every st-th row and column, extend the duals by the c-transform
// v_j = min_{i∈S} c_ij − u_i, set u_i = min_j c_ij − v_j (feasible), match each row to its
// cheapest column if free, dense searches.
func (a *altSolver) solveMultiscale(perm []int, cost []float64, m, st int) (float64, error) {
	s := &a.Solver
	n := (m + st - 1) / st
	a.subC = make([]float64, n*n)
	a.subP = make([]int, n)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			a.subC[r*n+c] = cost[r*st*m+c*st]
		}
	}
	if _, err := a.sub.Solve(a.subP, a.subC, n); err != nil {
		return math.NaN(), err
	}
	su, _ := a.sub.Duals()
	s.resize(m)
	for j := range s.v {
		s.v[j] = math.Inf(1)
	}
	for r := 0; r < n; r++ {
		for j, c := range cost[r*st*m : (r*st+1)*m] {
			s.v[j] = math.Min(s.v[j], c-su[r])
		}
	}
	for i := 0; i < m; i++ {
		s.col4row[i], s.row4col[i] = -1, -1
	}
	for i := 0; i < m; i++ {
		w1, _, j1, _ := bestTwo(cost[i*m:(i+1)*m], s.v)
		s.u[i] = w1
		if s.row4col[j1] < 0 {
			s.row4col[j1], s.col4row[i] = i, j1
		}
	}
	return a.finish(perm, cost, m)
}

// alternatives lists the measured variants.
var alternatives = []struct {
	name  string
	solve func(a *altSolver, perm []int, cost []float64, m int) (float64, error)
}{
	{"auction θ=6 ε=1e-4/m", func(a *altSolver, p []int, c []float64, m int) (float64, error) {
		return a.solveAuction(p, c, m, 6, 1e-4/float64(m), 0)
	}},
	{"auction θ=10 ε=1e-2", func(a *altSolver, p []int, c []float64, m int) (float64, error) {
		return a.solveAuction(p, c, m, 10, 1e-2, 0)
	}},
	{"auction k=16 θ=4 ε=1e-3", func(a *altSolver, p []int, c []float64, m int) (float64, error) {
		return a.solveAuction(p, c, m, 4, 1e-3, 16)
	}},
	{"reduction transfer", func(a *altSolver, p []int, c []float64, m int) (float64, error) {
		return a.solveTransfer(p, c, m)
	}},
	{"multiscale s=2", func(a *altSolver, p []int, c []float64, m int) (float64, error) {
		return a.solveMultiscale(p, c, m, 2)
	}},
	{"multiscale s=4", func(a *altSolver, p []int, c []float64, m int) (float64, error) {
		return a.solveMultiscale(p, c, m, 4)
	}},
}

// TestAlternativesExact checks that every alternative returns an optimal assignment with a
// valid certificate: against enumeration for m ≤ 7 on the kinds of randomCost (real,
// small integers with ties, a line of integers, a curve with duplicates), and against Solve
// on the benchmark families at m = 120 plus duplicated and collinear points. Tolerances as
// in TestSolveBruteForce and checkCertificate.
func TestAlternativesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 3))
	for _, alt := range alternatives {
		var a altSolver
		for m := 2; m <= 7; m++ {
			for rep := 0; rep < 12; rep++ {
				cost := randomCost(rng, m, rep%4)
				perm := make([]int, m)
				got, err := alt.solve(&a, perm, cost, m)
				if err != nil {
					t.Fatal(err)
				}
				if want := bruteForce(cost, m); math.Abs(got-want) > 1e-12*float64(m)*30 {
					t.Fatalf("%s: m=%d rep=%d: %v, brute force %v", alt.name, m, rep, got, want)
				}
				checkCertificate(t, &a.Solver, perm, cost, m, got)
			}
		}
		const m = 120
		var ref Solver
		for idx, c := range otCases {
			x, y := caseSamples(c, idx, m)
			if idx == 0 {
				copy(y, x) // duplicated points: W1 = 0
			}
			cost := costMatrix(x, y, c.dim)
			p1, p2 := make([]int, m), make([]int, m)
			want, _ := ref.Solve(p1, cost, m)
			got, err := alt.solve(&a, p2, cost, m)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-12*float64(m)*4 { // costs ≤ √10 < 4
				t.Fatalf("%s: %s: %v, Solve %v", alt.name, c.name, got, want)
			}
			checkCertificate(t, &a.Solver, p2, cost, m, got)
		}
	}
}
