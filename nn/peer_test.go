package nn

import (
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var hvpPeer = flag.String("hvppeer", "", "prefix of JSON files for the PyTorch HVP cross-check (docs/bench/peers/torch_hvp.py --check)")

// TestHVPPeerDump writes, with -hvppeer PREFIX, PREFIX-<act>.json holding a network, data,
// a point w, a direction v and HVP's result, for the independent double-backward check in
// docs/bench/peers/torch_hvp.py. It is skipped without the flag.
func TestHVPPeerDump(t *testing.T) {
	if *hvpPeer == "" {
		t.Skip("needs -hvppeer")
	}
	for _, act := range []Activation{ReLU, Tanh, GELU} {
		net, _ := NewMLP([]int{784, 32, 32, 10}, act, Identity)
		data := randomData(1000, 64, 784, 10)
		obj, err := NewSupervised(net, data, SoftmaxCE{})
		if err != nil {
			t.Fatal(err)
		}
		w, v := randomParams(net, 1001), randomParams(net, 1002)
		hv := make([]float64, len(w))
		obj.HVP(hv, w, v, seq(64))
		b, err := json.Marshal(map[string]any{
			"sizes": net.Sizes, "act": act.String(), "x": data.X.RawMatrix().Data,
			"labels": data.Labels, "w": w, "v": v, "hv": hv,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*hvpPeer+"-"+act.String()+".json", b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
