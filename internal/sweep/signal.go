package sweep

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// NotifyContext returns a context cancelled by the first SIGINT or SIGTERM. Once it is
// cancelled, a SIGINT kills the process at once (a second Ctrl-C), while further SIGTERMs are
// ignored: schedulers deliver SIGTERM more than once for one stop request (Slurm's
// `scancel --full` and preemption signal the batch script and the sweep, and the script's
// trap passes it on), and the units in progress must still finish and be stored. Call stop
// when done; it restores the default handling of both signals.
func NotifyContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-c:
			// Drop further SIGTERMs and restore SIGINT's default before the cancellation
			// is visible, so a signal that follows it is never caught by nobody.
			signal.Ignore(syscall.SIGTERM)
			signal.Stop(c)
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		cancel()
		<-done
		signal.Stop(c)
		signal.Reset(syscall.SIGTERM)
	}
}
