// Package maxpool holds the kernel of the fused ReLU convolution and 2×2 max pool of
// nn.Sequential: for every output pixel of a row and every channel, the maximum of the
// four activations max(z + b, 0) of its window and the index of the first maximal one.
//
// The activations are +0, positive or NaN (one bit pattern for every NaN), whose IEEE 754
// bit patterns order as unsigned integers do (NaN above +Inf), so the maximum is taken on
// the bits: a NaN in a window is its maximum, and the result is the same bits as a scalar
// loop over the window in order with a strict comparison. On amd64 the kernel runs eight
// channels per instruction with AVX-512F (channel counts that are multiples of eight) or four
// with AVX2 (multiples of four; internal/cpu's SDEML_CPU can force this level); elsewhere,
// with the build tag purego, or for other channel counts, a portable loop gives the same
// bits.
package maxpool
