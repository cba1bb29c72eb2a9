//go:build race

package meanfield

const raceEnabled = true
