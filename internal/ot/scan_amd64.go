//go:build amd64 && !purego

package ot

import "github.com/sdeml/sdeml/internal/cpu"

var (
	useAVX512 = cpu.AVX512
	useAVX2   = cpu.AVX2FMA
)

// scanAVX512 is the row scan of scan.go over len(row) columns, a multiple of 16, sixteen
// lanes with AVX-512F; it writes the lanes' state into lanes (scan_amd64.s).
//
//go:noescape
func scanAVX512(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes)

// scanAVX2 is the same with AVX2, eight lanes (two sets of four), len(row) a multiple of 8
// (scan_avx2_amd64.s). The lane state is at the offsets of scanLanes: low at 0, idx at 128.
//
//go:noescape
func scanAVX2(row, v, spc []float64, path, free []int32, base float64, i int, lanes *scanLanes)
