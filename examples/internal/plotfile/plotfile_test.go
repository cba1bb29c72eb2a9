package plotfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func TestSaveMatchesPlotSave(t *testing.T) {
	p := plot.New()
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 2}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	if err := Save(p, 3*vg.Inch, 2*vg.Inch, a); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(3*vg.Inch, 2*vg.Inch, b); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Fatalf("Save wrote %d bytes, plot.Save %d: want the same image", len(x), len(y))
	}
	if err := Save(p, vg.Inch, vg.Inch, filepath.Join(dir, "c.nope")); err == nil {
		t.Fatal("unknown extension accepted")
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Fatalf("directory holds %d entries, want 2", len(es))
	}
}
