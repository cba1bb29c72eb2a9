package reflected

import "fmt"

// Process selects the forward noising process that DSM training and the reverse sampler
// assume. The zero value is Reflected, the model of this package.
type Process int

const (
	// Reflected is standard reflected Brownian motion on [0,1]^D: X_t = fold(X₀ + √t·Z),
	// DSM target √t·∂ₓ log q_t(X_t | X₀) from the reflected heat kernel, reverse steps folded
	// back into the cube, start from Uniform([0,1]^D).
	Reflected Process = iota
	// Free is plain Brownian motion on R^D without reflection, the baseline a reflected model
	// is compared with: X_t = X₀ + √t·Z, DSM target √t·(−(X_t − X₀)/t) = −Z, reverse steps
	// unconstrained from N(½, T·I) (the forward law at T up to the data's own spread), and
	// the final sample clamped into [0,1]^D (which puts mass exactly on the walls).
	Free
)

// String returns "reflected" or "free".
func (p Process) String() string {
	switch p {
	case Reflected:
		return "reflected"
	case Free:
		return "free"
	}
	return fmt.Sprintf("Process(%d)", int(p))
}

// valid reports whether p is one of the defined processes.
func (p Process) valid() bool { return p == Reflected || p == Free }
