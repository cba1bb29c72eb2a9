package sweep

import (
	"context"
	"os"
	"path/filepath"
)

// Program is the sweep state a study command shares between main and its sweeps: the
// -shard, -merge and -resume flags (Config, registered by main), the context that
// SIGINT/SIGTERM cancels (set by Notify), and the first interruption a sweep reported
// (Err), so that main writes what exists and exits non-zero.
type Program struct {
	Config Config
	Err    error
	ctx    context.Context
}

// Notify makes Ctx cancelled by the first SIGINT or SIGTERM (see NotifyContext); call the
// returned stop when done.
func (p *Program) Notify() (stop context.CancelFunc) {
	p.ctx, stop = NotifyContext(context.Background())
	return stop
}

// Ctx is the context of the program's sweeps: context.Background until Notify.
func (p *Program) Ctx() context.Context {
	if p.ctx == nil {
		return context.Background()
	}
	return p.ctx
}

// RunIn runs plan with p's flags in the folder out/sub (and, when merging, reads the units
// from sub of every merged folder), reporting progress on stderr. An interrupted result's
// Err is recorded in p.Err; the result is returned as from Run.
func RunIn[R any](p *Program, out, sub string, plan Plan, fn func(ctx context.Context, k int) (R, error)) (*Result[R], error) {
	c := p.Config
	c.Dir = filepath.Join(out, sub)
	c.Progress = os.Stderr
	c.Merge = nil
	for _, d := range p.Config.Merge {
		c.Merge = append(c.Merge, filepath.Join(d, sub))
	}
	r, err := Run(p.Ctx(), c, plan, fn)
	if err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil && p.Err == nil {
		p.Err = err
	}
	return r, nil
}
