package testutil

import (
	"syscall"
	"time"
	"unsafe"
)

// ThreadCPU returns the CPU time used by the calling OS thread, from
// clock_gettime(CLOCK_THREAD_CPUTIME_ID = 3), which counts nanoseconds (getrusage's thread
// times are tick-based and too coarse for batches of a few milliseconds). Callers lock their
// goroutine to its thread (runtime.LockOSThread) around a measurement. Unlike wall-clock
// time it does not count the time the thread waits for a core on a loaded machine.
func ThreadCPU() time.Duration {
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		panic(errno)
	}
	return time.Duration(ts.Nano())
}

// ProcessCPU returns the CPU time used by all threads of the process, from
// clock_gettime(CLOCK_PROCESS_CPUTIME_ID = 2): with GOMAXPROCS = 1, the CPU time of a
// benchmark's work (and of the collector) whatever the load on the machine.
func ProcessCPU() time.Duration {
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 2, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		panic(errno)
	}
	return time.Duration(ts.Nano())
}
