package sweep

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// NotifyContext returns a context cancelled by the first SIGINT or SIGTERM. After that
// signal the default handling is restored, so a second Ctrl-C kills the process at once.
// Call stop when done.
func NotifyContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, stop = signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}
