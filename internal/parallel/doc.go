// Package parallel holds the deterministic parallel loops shared by sdeml's packages.
//
// Work is split into items; each item's result must depend only on its index (and on
// per-item random streams derived from (seed, index), see Stream), never on which
// goroutine ran it or in what order. Reductions are then done serially in index order
// by the caller, so results are bit-identical for any GOMAXPROCS.
//
// Loops run on long-lived helper goroutines (started on first need, up to GOMAXPROCS−1)
// together with the calling goroutine, so a loop costs no goroutine start and, through
// Run with a pointer Task, no allocation. Nested loops are safe: when every helper is
// busy, the caller runs the items itself. A task that panics on a helper goroutine does
// not crash the process from there: the panic is recovered and raised again in the
// caller's goroutine as a *Panic carrying the value and the helper's stack, so a caller
// (or an entry point of a package above) can recover it.
package parallel
