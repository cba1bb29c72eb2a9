//go:build !linux

package testutil

import "time"

// ProcessCPU returns 0: process CPU time is read only on Linux.
func ProcessCPU() time.Duration { return 0 }
