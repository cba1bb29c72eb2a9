package reflected

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// preconditionedUNet returns the tiny U-Net score network with perturbed parameters (off
// the near-zero initial branches) and a fitted preconditioning for process p.
func preconditionedUNet(t testing.TB, p Process) (*ScoreNet, []float64) {
	t.Helper()
	net, err := NewUNetScoreNet(tinyUNet, rand.NewPCG(3, 3))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range net.W {
		net.W[i] += 0.2 * rng.NormFloat64()
	}
	data := stripeImages(30, 0.03, 4)
	if net.Pre, err = NewPrecond(data, net.Dim(), 1e-3, 1, p, 5); err != nil {
		t.Fatal(err)
	}
	return net, data
}

// A saved U-Net score network (with its preconditioning, for either process) loads back
// with the same graph, parameters and preconditioning, and gives the same bits of scores
// at every time.
func TestUNetScoreNetSaveLoad(t *testing.T) {
	for _, p := range []Process{Reflected, Free} {
		net, data := preconditionedUNet(t, p)
		var buf bytes.Buffer
		if err := net.Save(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := LoadScoreNet(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if back.UNet == nil || back.Net != nil || back.Res != nil || !reflect.DeepEqual(back.UNet.Nodes, net.UNet.Nodes) ||
			!slices.Equal(back.W, net.W) || !reflect.DeepEqual(back.Pre, net.Pre) || back.Embed != net.Embed {
			t.Fatalf("%v: loaded U-Net score network differs", p)
		}
		D := net.Dim()
		n := len(data) / D
		ts := make([]float64, n)
		for i := range ts {
			ts[i] = 1e-3 * math.Pow(1e3, float64(i)/float64(n-1))
		}
		a, b := make([]float64, len(data)), make([]float64, len(data))
		net.Score(a, data, ts)
		back.Score(b, data, ts)
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("%v: score %d = %v, loaded %v", p, i, a[i], b[i])
			}
		}
		// every truncation is an error, never a panic
		raw := buf.Bytes()
		for k := 0; k < len(raw); k += 17 {
			if _, err := LoadScoreNet(bytes.NewReader(raw[:k])); err == nil {
				t.Fatalf("truncated to %d of %d bytes: no error", k, len(raw))
			}
		}
	}
	net, _ := preconditionedUNet(t, Reflected)
	net.Embed.Freqs = 2
	if err := net.Save(new(bytes.Buffer)); err == nil || !strings.Contains(err.Error(), "Embed.Freqs = 2") {
		t.Errorf("U-Net with Freqs 2: error %v", err)
	}
}

// FuzzLoadScoreNetUNet feeds corrupted U-Net score-network files to LoadScoreNet: errors,
// never panics; a loaded U-Net has C+1 input and C output channels.
func FuzzLoadScoreNetUNet(f *testing.F) {
	net, _ := preconditionedUNet(f, Reflected)
	var buf bytes.Buffer
	if err := net.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := LoadScoreNet(bytes.NewReader(b))
		if err != nil || n.UNet == nil {
			return
		}
		if len(n.W) != n.UNet.NumParams() || n.UNet.In.C != n.UNet.OutShape().C+1 {
			t.Errorf("loaded U-Net: %d parameters for %d, input %v, output %v", len(n.W), n.UNet.NumParams(), n.UNet.In, n.UNet.OutShape())
		}
	})
}
