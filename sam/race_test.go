//go:build race

package sam

// raceEnabled reports a -race build: sync.Pool then drops items at random on purpose, so
// allocation counts are meaningless.
const raceEnabled = true
