// Package plotfile saves gonum plots atomically for the examples: the image is rendered
// through plot.WriterTo into internal/atomicfile, so a killed run never leaves a truncated
// PNG (plot.Save would write the file in place).
package plotfile

import (
	"fmt"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

// Save renders p at width × height in the format named by path's extension (png, svg,
// pdf, eps, jpg, tif) and writes it atomically to path.
func Save(p *plot.Plot, width, height vg.Length, path string) error {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	wt, err := p.WriterTo(width, height, ext)
	if err != nil {
		return fmt.Errorf("plotfile: %s: %w", path, err)
	}
	return atomicfile.WriteTo(path, 0, wt)
}
