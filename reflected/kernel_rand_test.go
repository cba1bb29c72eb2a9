package reflected

import "math/rand/v2"

// kernelRand returns a seeded generator for tests.
func kernelRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5deed)) }
