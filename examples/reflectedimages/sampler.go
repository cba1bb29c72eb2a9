package main

import (
	"fmt"

	"github.com/sdeml/sdeml/reflected"
)

// parseSampler sets the sampler's scheme and final step from their flag values.
func (c *config) parseSampler(scheme, final string) error {
	c.schemeAuto = scheme == "auto"
	switch scheme {
	case "auto", "ode":
		c.sampler.Scheme = reflected.SchemeODE
	case "em":
		c.sampler.Scheme = reflected.SchemeEM
	case "heun":
		c.sampler.Scheme = reflected.SchemeHeun
	default:
		return fmt.Errorf("-scheme = %q, want auto, ode, em or heun", scheme)
	}
	switch final {
	case "tweedie":
		c.sampler.Final = reflected.FinalTweedie
	case "mean":
		c.sampler.Final = reflected.FinalMean
	case "none":
		c.sampler.Final = reflected.FinalNone
	default:
		return fmt.Errorf("-final = %q, want tweedie, mean or none", final)
	}
	return nil
}

// samplerFor returns the sampler of a model trained for process proc: c.sampler with that
// process, and with -scheme auto the probability-flow ODE for the reflected process and
// Euler–Maruyama for the free one (the better of the two for each on both data sets, see
// docs/REPRODUCTION.md).
func (c *config) samplerFor(proc reflected.Process) reflected.Sampler {
	s := c.sampler
	s.Process = proc
	if c.schemeAuto {
		s.Scheme = reflected.SchemeODE
		if proc == reflected.Free {
			s.Scheme = reflected.SchemeEM
		}
	}
	return s
}

// samplerID names the sampler settings in the sweep's ID.
func (c *config) samplerID() string {
	scheme := c.sampler.Scheme.String()
	if c.schemeAuto {
		scheme = "auto"
	}
	s := fmt.Sprintf("sampler=%d scheme=%s final=%v t0=%g", c.sampler.Steps, scheme, c.sampler.Final, c.sampler.T0)
	if c.sampler.Corrector > 0 {
		s += fmt.Sprintf(" corrector=%d", c.sampler.Corrector)
	}
	if c.sample32 {
		s += " sample32"
	}
	return s
}
