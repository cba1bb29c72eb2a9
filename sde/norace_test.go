//go:build !race

package sde

// raceEnabled reports a -race build (see statsize_test.go).
const raceEnabled = false
