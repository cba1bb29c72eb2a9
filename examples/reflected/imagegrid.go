package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
)

// gridCols is the number of images per row of a panel; a panel shows gridCols² images.
const gridCols = 8

// writeGrid writes <data>_<side>x<side>.png: three panels side by side, the reflected
// model's samples, the free (clamped) model's samples and real held-out images, each pixel
// drawn as a block so that 8×8 and 14×14 images are visible.
func (c *imageConfig) writeGrid(set *imageSet, d dataRow, runs []imageRun) error {
	side := set.side
	D := side * side
	scale := max(1, 56/side)
	cell := side*scale + 2 // 2-pixel gap between images
	panelW := gridCols * cell
	gap := 3 * cell / 2
	panels := [][]float64{runs[0].gen, runs[1].gen, d.real}
	img := image.NewGray(image.Rect(0, 0, len(panels)*panelW+(len(panels)-1)*gap, gridCols*cell))
	for i := range img.Pix {
		img.Pix[i] = 128 // grey background separates images whose border pixels are 0
	}
	for p, x := range panels {
		for k := 0; k < min(gridCols*gridCols, len(x)/D); k++ {
			ox, oy := p*(panelW+gap)+(k%gridCols)*cell+1, (k/gridCols)*cell+1
			for i := 0; i < side; i++ {
				for j := 0; j < side; j++ {
					v := color.Gray{Y: uint8(255*x[k*D+i*side+j] + 0.5)}
					for a := 0; a < scale; a++ {
						for b := 0; b < scale; b++ {
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
	return writeFileAtomic(filepath.Join(c.out, fmt.Sprintf("%s_%dx%d.png", set.name, side, side)), buf.Bytes())
}
