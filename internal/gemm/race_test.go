//go:build race

package gemm

// raceEnabled reports whether the race detector is on (it makes sync.Pool drop items).
const raceEnabled = true
