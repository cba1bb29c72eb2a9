package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"io"
)

// writeGrid writes a PNG of panels side by side (each up to 8×8 images of 28×28 pixels,
// drawn at 2× with a grey gap): the models' samples in table order (MLP, U-Net reflected,
// U-Net free), then real held-out images.
func writeGrid(path string, panels [][]float64) error {
	const side, cols, scale = 28, 8, 2
	cell := side*scale + 2
	panelW := cols * cell
	gap := cell
	img := image.NewGray(image.Rect(0, 0, len(panels)*panelW+(len(panels)-1)*gap, cols*cell))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	for p, x := range panels {
		for k := 0; k < min(cols*cols, len(x)/(side*side)); k++ {
			ox, oy := p*(panelW+gap)+(k%cols)*cell+1, (k/cols)*cell+1
			for i := range side {
				for j := range side {
					v := color.Gray{Y: uint8(255*min(max(x[k*side*side+i*side+j], 0), 1) + 0.5)}
					for a := range scale {
						for b := range scale {
							img.SetGray(ox+j*scale+b, oy+i*scale+a, v)
						}
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err })
}
