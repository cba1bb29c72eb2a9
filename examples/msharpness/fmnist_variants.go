package main

import "github.com/sdeml/sdeml/sam"

// fmnistVariants lists the SAM variants of the fmnist study, each with its paper's
// defaults and ρ from the study's grid (GSAM: ρ_max, with ρ_min = 0 and the base's cosine
// schedule, so ρ_t ∝ lr_t); base makes the study's base updater, total is the number of
// steps of its cosine schedule. m = 0: drawn as horizontal lines against m.
func fmnistVariants(base func() sam.Updater, total int) []method {
	return []method{
		{"GSAM (α=0.4)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.GSAM{Base: base(), Rho: rho, Schedule: sam.Cosine{Total: total}}
		}},
		{"WSAM (γ=0.9)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.WSAM{Base: base(), Rho: rho}
		}},
		{"ESAM (β=0.6, κ=0.5)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.ESAM{Base: base(), Rho: rho, Seed: seed}
		}},
		{"LookSAM (k=5, α=0.7)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.LookSAM{Base: base(), Rho: rho}
		}},
		{"F-SAM (σ=1, λ=0.9)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.FriendlySAM{Base: base(), Rho: rho}
		}},
		{"SAM every 5 steps", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.IntervalSAM{Base: base(), Rho: rho}
		}},
	}
}
