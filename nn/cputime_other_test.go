//go:build !unix

package nn_test

func cpuSeconds() float64 { return 0 }
