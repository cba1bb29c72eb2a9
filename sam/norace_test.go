//go:build !race

package sam

// raceEnabled reports a -race build (see race_test.go).
const raceEnabled = false
