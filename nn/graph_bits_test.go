//go:build amd64

package nn

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

// bitsHash is the FNV-64a hash of the bits of every value of every slice.
func bitsHash(vs ...[]float64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range vs {
		for _, x := range v {
			u := math.Float64bits(x)
			for i := range b {
				b[i] = byte(u >> (8 * i))
			}
			h.Write(b[:])
		}
	}
	return h.Sum64()
}

// graphBitsCases are the passes whose results TestGraphBitsPinned pins: a ResNet (BatchNorm
// followed by ReLU, residual Add followed by ReLU) and oddGraph (every built-in layer)
// through GraphSupervised and GraphSupervised32 (training LossGrad on 21 samples, three
// chunks; LossGradUpdate's running statistics; evaluation-mode losses and gradient; the
// float64 HVP), and U-Nets through GraphPass and GraphPass32 (Forward and Backward on 19
// samples).
func graphBitsCases(t *testing.T) map[string]uint64 {
	got := map[string]uint64{}
	res, err := ResNet{Width: 8, Blocks: []int{1, 1}, Classes: 3, Dropout: 0.2}.Graph(Shape{C: 2, H: 8, W: 6})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		g    *Graph
	}{{"resnet", res}, {"odd", oddGraph(t)}} {
		obj, w := graphObjective(t, c.g, 21, SoftmaxCE{}, 7)
		randomizeState(obj.State, 7)
		obj32, err := NewGraphSupervised32(c.g, obj.Data, obj.Loss)
		if err != nil {
			t.Fatal(err)
		}
		obj32.Seed = obj.Seed
		randomizeState(obj32.State, 7)
		idx := seq(21)
		for _, o := range []struct {
			prec string
			obj  interface {
				LossGrad(grad, w []float64, idx []int) float64
				LossGradUpdate(grad, w []float64, idx []int) float64
				Losses(dst, w []float64, idx []int)
			}
			st   *GraphState
			eval func() (interface {
				LossGrad(grad, w []float64, idx []int) float64
				Losses(dst, w []float64, idx []int)
			}, error)
		}{
			{"64", obj, obj.State, func() (interface {
				LossGrad(grad, w []float64, idx []int) float64
				Losses(dst, w []float64, idx []int)
			}, error) {
				return obj.EvalOn(obj.Data)
			}},
			{"32", obj32, obj32.State, func() (interface {
				LossGrad(grad, w []float64, idx []int) float64
				Losses(dst, w []float64, idx []int)
			}, error) {
				return obj32.EvalOn(obj32.Data)
			}},
		} {
			grad := make([]float64, len(w))
			loss := o.obj.LossGrad(grad, w, idx)
			got[c.name+o.prec+" train LossGrad"] = bitsHash([]float64{loss}, grad)
			loss = o.obj.LossGradUpdate(grad, w, idx[:13])
			var st []float64
			for b := range o.st.Mean {
				st = append(st, o.st.Mean[b]...)
				st = append(st, o.st.Var[b]...)
			}
			got[c.name+o.prec+" LossGradUpdate"] = bitsHash([]float64{loss}, grad, st)
			e, err := o.eval()
			if err != nil {
				t.Fatal(err)
			}
			ls := make([]float64, len(idx))
			e.Losses(ls, w, idx)
			loss = e.LossGrad(grad, w, idx)
			got[c.name+o.prec+" eval"] = bitsHash(ls, []float64{loss}, grad)
		}
		v := make([]float64, len(w))
		rng := rand.New(rand.NewPCG(3, 3))
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		hv := make([]float64, len(w))
		obj.HVP(hv, w, v, idx)
		got[c.name+"64 HVP"] = bitsHash(hv)
	}
	for _, c := range []struct {
		name string
		u    UNet
	}{
		{"unet small", UNet{C: 2, H: 6, W: 4, Widths: []int{4, 6}, Groups: 2, Freqs: 2, Embed: 5}},
		{"unet wide", UNet{C: 1, H: 8, W: 8, Widths: []int{8, 16}, Groups: 4}},
	} {
		g, err := NewUNet(c.u)
		if err != nil {
			t.Fatal(err)
		}
		const n = 19
		w, x, rng := unetInputs(g, n)
		dOut := make([]float64, n*g.OutDim())
		for i := range dOut {
			dOut[i] = rng.NormFloat64()
		}
		p32, err := g.NewPass32(nil)
		if err != nil {
			t.Fatal(err)
		}
		for prec, p := range map[string]interface {
			Forward(out, w, x []float64)
			Backward(grad, w, dOut []float64)
		}{"64": g.NewPass(nil), "32": p32} {
			out, grad := make([]float64, len(dOut)), make([]float64, len(w))
			p.Forward(out, w, x)
			p.Backward(grad, w, dOut)
			got[c.name+prec] = bitsHash(out, grad)
		}
	}
	return got
}

// TestGraphBitsPinned checks that the Graph passes give the bits they gave before the
// graph-level fusions and the chunk-major forward pass (the hashes were computed by the
// code of commit 7bbe1a7, which had neither): those changes reorganise the passes but must
// not change any rounding. The promise holds on amd64 at every kernel level (the float32
// kernels of every level perform the same operations); arm64 fuses multiply-adds in the
// portable loops and so has other bits, hence the build constraint.
func TestGraphBitsPinned(t *testing.T) {
	want := map[string]uint64{
		"odd32 LossGradUpdate":    0x8bd4ba18144161e4,
		"odd32 eval":              0x92963edfbce2311,
		"odd32 train LossGrad":    0x4965e586db59cf87,
		"odd64 HVP":               0x5a9113a3288c387c,
		"odd64 LossGradUpdate":    0x3abe38b10fd73a6e,
		"odd64 eval":              0x125925375bdb7195,
		"odd64 train LossGrad":    0xd79f0ac0385ca414,
		"resnet32 LossGradUpdate": 0x22caf741b37d425f,
		"resnet32 eval":           0x4dd5e3a4f6e20ad6,
		"resnet32 train LossGrad": 0xab7567e4ec6f9c7c,
		"resnet64 HVP":            0xa8b124b88d693be8,
		"resnet64 LossGradUpdate": 0x9e78e070ceeaf766,
		"resnet64 eval":           0x78d8367a82af51b3,
		"resnet64 train LossGrad": 0xa4314282f8235916,
		"unet small32":            0xaa81c4c609610b5e,
		"unet small64":            0x529923691591e36f,
		"unet wide32":             0xe06b0f173af1df09,
		"unet wide64":             0x44f558d658ce1566,
	}
	got := graphBitsCases(t)
	for k, v := range got {
		if w, ok := want[k]; ok && w != v {
			t.Errorf("%s: hash %#x, want %#x", k, v, w)
		}
	}
	if len(want) != len(got) {
		t.Errorf("%d pinned hashes, %d cases", len(want), len(got))
	}
}

// TestMarkFusions checks which nodes a ResNet fuses with the ReLU after them: every
// BatchNorm followed by a ReLU and every residual Add (each read only by that ReLU), and
// no BatchNorm whose output the Add reads.
func TestMarkFusions(t *testing.T) {
	g, err := ResNet{Width: 8, Blocks: []int{1, 1}, Classes: 3}.Graph(Shape{C: 2, H: 8, W: 6})
	if err != nil {
		t.Fatal(err)
	}
	for j := range g.nodes {
		gn := &g.nodes[j]
		want := false
		if j+1 < len(g.nodes) {
			_, relu := g.Nodes[j+1].Layer.(Activate)
			want = relu && (gn.kind == gBN || gn.kind == gAdd)
		}
		if gn.reluNext != want {
			t.Errorf("node %d (%s): reluNext = %v, want %v", j, layerName(g.Nodes[j].Layer), gn.reluNext, want)
		}
	}
	odd := oddGraph(t)
	for j := range odd.nodes {
		if odd.nodes[j].reluNext {
			t.Errorf("oddGraph node %d fused, but no node is followed by a ReLU", j)
		}
	}
}
