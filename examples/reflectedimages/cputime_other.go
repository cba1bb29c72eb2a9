//go:build !unix

package main

import "time"

var start = time.Now()

// cpuSeconds returns the wall time since start (no CPU clock on this platform).
func cpuSeconds() float64 { return time.Since(start).Seconds() }
