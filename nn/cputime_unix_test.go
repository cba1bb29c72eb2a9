//go:build unix

package nn_test

import "syscall"

// cpuSeconds returns the user+system CPU time of this process so far (all threads), so
// benchmarks can report work per step that is less sensitive to other load than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + 1e-6*float64(ru.Utime.Usec+ru.Stime.Usec)
}
