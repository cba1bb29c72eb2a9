package nn

import (
	"fmt"
	"testing"

	"github.com/sdeml/sdeml/internal/cpu"
	"github.com/sdeml/sdeml/internal/testutil"
)

// BenchmarkMLPGrad32 is BenchmarkMLPGrad on Supervised32 (mixed precision); the kernel
// level ends the names.
func BenchmarkMLPGrad32(b *testing.B) {
	obj64, w := benchObjective(b, false)
	obj, err := NewSupervised32(obj64.Net, obj64.Data, obj64.Loss)
	if err != nil {
		b.Fatal(err)
	}
	g := make([]float64, len(w))
	for _, batch := range []int{4, 16, 128} {
		b.Run(fmt.Sprintf("batch=%d/level=%s", batch, cpu.Active()), func(b *testing.B) {
			idx := seqInts(batch)
			obj.LossGrad(g, w, idx)
			b.ReportAllocs()
			cpu0, n := testutil.ProcessCPU(), 0
			for b.Loop() {
				obj.LossGrad(g, w, idx)
				n++
			}
			if cpu := testutil.ProcessCPU() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(max(n, 1)), "cpu-ms/op")
			}
		})
	}
}
