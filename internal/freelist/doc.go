// Package freelist keeps scratch values for reuse across calls, like sync.Pool, but is not
// emptied by the garbage collector: a sync.Pool drops its values at every collection, so
// the next calls allocate again (the 1–4 allocations per step that a ResNet training step
// showed through internal/gemm's pools), and large scratch reallocated that way triggers
// the next collection in turn.
package freelist
