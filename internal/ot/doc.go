// Package ot computes exact optimal-transport distances between equal-size point samples,
// for the W1 metrics of sdeml's reflected diffusion experiments.
//
// Between two samples x₁..x_m and y₁..y_m in ℝ^D with uniform weights, an optimal coupling
// is a permutation (Birkhoff–von Neumann), so
//
//	W_p(x, y)^p = min_π (1/m) Σᵢ ‖xᵢ − y_π(i)‖^p,
//
// a linear sum assignment problem (LSAP). Solver solves LSAPs exactly by shortest augmenting
// paths in the Jonker–Volgenant family (R. Jonker, A. Volgenant, Computing 38, 1987;
// D. F. Crouse, IEEE Trans. Aerosp. Electron. Syst. 52(4), 2016): a column-reduction start,
// then for each free row a Dijkstra search over reduced costs c_ij − u_i − v_j, dual updates
// and an augmentation. It is O(m³) in the worst case, keeps the duals (u, v) as an
// optimality certificate, and allocates nothing once its workspace is sized. Solve scans
// whole rows. SolveSparse, which W1 uses, first matches over each row's cheapest pairs and
// repairs the certificate in one pass, then scans only each row's cheapest columns under the
// current duals and reads the rest of a row only when a lower bound on it is reached (every
// such search is exact), and finishes with the dense search when searches grow long. Below
// m = 1000, and on data that looks one-dimensional or has many duplicate points, it calls
// Solve.
//
// Samples near curves, segments and other low-dimensional sets are the hard inputs for
// W1: the optimal duals are a 1-Lipschitz potential, every pair of points along one of its
// transport rays has zero reduced cost, and a search must finalise every column of such a
// block before it reaches a free one. On those the solver runs at the dense rate (about
// scipy's); on samples spread over a region the sparse phases make it about 3× faster.
// docs/derivations/ot-assignment.md gives the derivation and the measurements.
//
// W1 and W2 wrap the solver with Euclidean and squared-Euclidean costs; W1Sorted1D is the
// exact 1-D distance by sorting (W1 = mean |x₍ᵢ₎ − y₍ᵢ₎|); SlicedW1 averages W1 over random
// projections onto the unit sphere, a lower bound on W1 that is cheap in high dimension
// (not comparable across ambient dimensions: a random projection shrinks distances like
// 1/√D). Samples are row-major []float64 with dim columns.
package ot
