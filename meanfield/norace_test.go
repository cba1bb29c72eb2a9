//go:build !race

package meanfield

const raceEnabled = false
