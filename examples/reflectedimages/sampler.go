package main

import (
	"fmt"

	"github.com/sdeml/sdeml/reflected"
)

// parseSampler sets the sampler's scheme and final step from their flag values.
func (c *config) parseSampler(scheme, final string) error {
	switch scheme {
	case "em":
		c.sampler.Scheme = reflected.SchemeEM
	case "heun":
		c.sampler.Scheme = reflected.SchemeHeun
	case "ode":
		c.sampler.Scheme = reflected.SchemeODE
	default:
		return fmt.Errorf("-scheme = %q, want em, heun or ode", scheme)
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

// samplerID names the sampler settings in the sweep's ID.
func (c *config) samplerID() string {
	s := fmt.Sprintf("sampler=%d scheme=%v final=%v t0=%g", c.sampler.Steps, c.sampler.Scheme, c.sampler.Final, c.sampler.T0)
	if c.sampler.Corrector > 0 {
		s += fmt.Sprintf(" corrector=%d", c.sampler.Corrector)
	}
	if c.sample32 {
		s += " sample32"
	}
	return s
}
