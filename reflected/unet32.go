package reflected

// unetPass is the graph pass of a U-Net ScoreNet: nn.GraphPass (float64) or
// nn.GraphPass32 (mixed precision, ScoreNet.Float32).
type unetPass interface {
	Forward(out, w, x []float64)
	Infer(out, w, x []float64) // Forward without what only Backward reads
	Backward(grad, w, dOut []float64)
}

// newUNetScratch returns the U-Net scratch of n: a float32 pass when n.Float32 is set.
func (n *ScoreNet) newUNetScratch() *unetScratch {
	if !n.Float32 {
		return &unetScratch{pass: n.UNet.NewPass(nil)}
	}
	p, err := n.UNet.NewPass32(nil)
	if err != nil { // every layer of nn.NewUNet has a float32 kernel
		panic("reflected: " + err.Error())
	}
	return &unetScratch{pass: p, f32: true}
}
