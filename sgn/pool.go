package sgn

import "sync"

// PooledHVP turns a factory of non-concurrent HVPFuncs (for example closures over an
// nn.Hessian, which reuses buffers) into one HVPFunc that is safe for concurrent use: each
// call borrows an instance from a sync.Pool. Instances must give the same result for the
// same input, so that results do not depend on which instance ran.
func PooledHVP(newHVP func() HVPFunc) HVPFunc {
	p := sync.Pool{New: func() any { return newHVP() }}
	return func(dst, v []float64) {
		h := p.Get().(HVPFunc)
		h(dst, v)
		p.Put(h)
	}
}
