package reflected

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/sdeml/sdeml/internal/binfmt"
	"github.com/sdeml/sdeml/nn"
)

// ScoreNet file format, version 2 (integers little-endian):
//
//	magic   "SDEMLRSN"   8 bytes
//	version uint32 = 2
//	freqs   uint32       TimeEmbedding.Freqs, ≤ maxFreqs
//	pre     uint64 length L, then L bytes (L = 0: no preconditioning): an internal/binfmt
//	        file "SDEMLRPC" version 1 with free (bool), Mean, Var, LogT, LogCOut (float
//	        lists), CRC-32 checked
//	body    uint32       0: an nn.MLP follows, 1: an nn.ResMLP, 2: a U-Net (nn.Graph)
//	net     body 0: nn.Save (architecture, mask and parameters, checksummed by nn);
//	        body 1: an internal/binfmt file "SDEMLRES" version 1 with In, Cond, Width,
//	        Blocks, Out (int64) and the parameters (float list), CRC-32 checked;
//	        body 2: nn.SaveGraph (the graph's nodes, parameters and empty model state,
//	        checksummed by nn); freqs must be 0 (the U-Net embeds the time itself)
//
// Version 1 is version 2 without the pre and body fields (always an MLP); LoadScoreNet reads
// both.
const (
	scoreNetMagic   = "SDEMLRSN"
	scoreNetVersion = 2
	maxFreqs        = 1 << 16
	precondMagic    = "SDEMLRPC"
	maxPrecondBytes = 1 << 30
	resMagic        = "SDEMLRES"
	maxResBytes     = 1 << 34
	maxResSize      = 1 << 24
)

// Save writes the network architecture, sparsity mask, time embedding, preconditioning and
// parameters to w; LoadScoreNet reads them back bit for bit. Every network body (nn.MLP,
// nn.ResMLP and the U-Net graph of NewUNetScoreNet) is supported.
func (n *ScoreNet) Save(w io.Writer) error {
	if n.bodies() != 1 {
		return fmt.Errorf("reflected: ScoreNet.Save: need exactly one of Net, Res and UNet (Net nil: %v, Res nil: %v, UNet nil: %v)", n.Net == nil, n.Res == nil, n.UNet == nil)
	}
	if n.UNet != nil && n.Embed.Freqs != 0 {
		return fmt.Errorf("reflected: ScoreNet.Save: Embed.Freqs = %d with a U-Net, want 0", n.Embed.Freqs)
	}
	var hdr [24]byte
	copy(hdr[:8], scoreNetMagic)
	binary.LittleEndian.PutUint32(hdr[8:], scoreNetVersion)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(n.Embed.Freqs))
	var pre bytes.Buffer
	if p := n.Pre; p != nil {
		e := binfmt.NewEncoder(precondMagic, 1)
		e.Bool(p.Free)
		for _, f := range [][]float64{p.Mean, p.Var, p.LogT, p.LogCOut} {
			e.Floats(f)
		}
		if _, err := e.WriteTo(&pre); err != nil {
			return fmt.Errorf("reflected: ScoreNet.Save: %w", err)
		}
	}
	binary.LittleEndian.PutUint64(hdr[16:], uint64(pre.Len()))
	if _, err := w.Write(hdr[:]); err != nil {
		return fmt.Errorf("reflected: ScoreNet.Save: %w", err)
	}
	if _, err := w.Write(pre.Bytes()); err != nil {
		return fmt.Errorf("reflected: ScoreNet.Save: %w", err)
	}
	var kind [4]byte
	switch {
	case n.Res != nil:
		binary.LittleEndian.PutUint32(kind[:], 1)
	case n.UNet != nil:
		binary.LittleEndian.PutUint32(kind[:], 2)
	}
	if _, err := w.Write(kind[:]); err != nil {
		return fmt.Errorf("reflected: ScoreNet.Save: %w", err)
	}
	if n.UNet != nil {
		if err := nn.SaveGraph(w, n.UNet, n.W, nil); err != nil {
			return fmt.Errorf("reflected: ScoreNet.Save: %w", err)
		}
		return nil
	}
	if n.Res == nil {
		return nn.Save(w, n.Net, n.W)
	}
	if len(n.W) != n.Res.NumParams() {
		return fmt.Errorf("reflected: ScoreNet.Save: len(W) = %d, want %d", len(n.W), n.Res.NumParams())
	}
	e := binfmt.NewEncoder(resMagic, 1)
	for _, v := range []int{n.Res.In, n.Res.Cond, n.Res.Width, n.Res.Blocks, n.Res.Out} {
		e.Int(v)
	}
	e.Floats(n.W)
	if _, err := e.WriteTo(w); err != nil {
		return fmt.Errorf("reflected: ScoreNet.Save: %w", err)
	}
	return nil
}

// LoadScoreNet reads a ScoreNet written by Save (format version 1 or 2). Malformed input
// (bad magic or version, an embedding or preconditioning that does not fit the network
// widths, or any error reported by nn.Load) returns an error, never a panic.
func LoadScoreNet(r io.Reader) (*ScoreNet, error) {
	var hdr [16]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: reading header: %w", err)
	}
	if string(hdr[:8]) != scoreNetMagic {
		return nil, fmt.Errorf("reflected: LoadScoreNet: bad magic %q", hdr[:8])
	}
	v := binary.LittleEndian.Uint32(hdr[8:])
	if v != 1 && v != scoreNetVersion {
		return nil, fmt.Errorf("reflected: LoadScoreNet: version %d, want 1 or %d", v, scoreNetVersion)
	}
	freqs := binary.LittleEndian.Uint32(hdr[12:])
	if freqs > maxFreqs {
		return nil, fmt.Errorf("reflected: LoadScoreNet: TimeEmbedding.Freqs = %d > %d", freqs, maxFreqs)
	}
	var pre *Precond
	if v == 2 {
		var lb [8]byte
		if _, err := io.ReadFull(r, lb[:]); err != nil {
			return nil, fmt.Errorf("reflected: LoadScoreNet: reading preconditioning length: %w", err)
		}
		if l := binary.LittleEndian.Uint64(lb[:]); l > 0 {
			if l > maxPrecondBytes {
				return nil, fmt.Errorf("reflected: LoadScoreNet: preconditioning of %d bytes > %d", l, maxPrecondBytes)
			}
			raw, err := io.ReadAll(io.LimitReader(r, int64(l)))
			if err != nil || uint64(len(raw)) != l {
				return nil, fmt.Errorf("reflected: LoadScoreNet: preconditioning truncated (%d of %d bytes, %v)", len(raw), l, err)
			}
			if pre, err = decodePrecond(raw); err != nil {
				return nil, err
			}
		}
	}
	var body uint32
	if v == 2 {
		var kb [4]byte
		if _, err := io.ReadFull(r, kb[:]); err != nil {
			return nil, fmt.Errorf("reflected: LoadScoreNet: reading body kind: %w", err)
		}
		body = binary.LittleEndian.Uint32(kb[:])
	}
	var sn *ScoreNet
	switch body {
	case 0:
		net, w, err := nn.Load(r)
		if err != nil {
			return nil, err
		}
		if sn, err = NewScoreNetFrom(net, TimeEmbedding{Freqs: int(freqs)}, w); err != nil {
			return nil, err
		}
	case 1:
		var err error
		if sn, err = loadRes(r, TimeEmbedding{Freqs: int(freqs)}); err != nil {
			return nil, err
		}
	case 2:
		var err error
		if sn, err = loadUNet(r, int(freqs)); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("reflected: LoadScoreNet: body kind %d, want 0 (MLP), 1 (ResMLP) or 2 (U-Net)", body)
	}
	if pre != nil {
		if err := pre.validate(sn.Dim()); err != nil {
			return nil, fmt.Errorf("reflected: LoadScoreNet: %w", err)
		}
		sn.Pre = pre
	}
	return sn, nil
}

// decodePrecond parses the pre section of a version-2 ScoreNet file.
func decodePrecond(raw []byte) (*Precond, error) {
	d, err := binfmt.Open(bytes.NewReader(raw), precondMagic, 1, maxPrecondBytes)
	if err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: preconditioning: %w", err)
	}
	p := &Precond{Free: d.Bool("free")}
	p.Mean, p.Var, p.LogT, p.LogCOut = d.Floats("mean"), d.Floats("var"), d.Floats("logT"), d.Floats("logCOut")
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: preconditioning: %w", err)
	}
	return p, nil
}

// loadRes reads the ResMLP body of a version-2 ScoreNet file.
func loadRes(r io.Reader, embed TimeEmbedding) (*ScoreNet, error) {
	d, err := binfmt.Open(r, resMagic, 1, maxResBytes)
	if err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: residual network: %w", err)
	}
	m := &nn.ResMLP{}
	for _, f := range []struct {
		p    *int
		name string
	}{{&m.In, "in"}, {&m.Cond, "cond"}, {&m.Width, "width"}, {&m.Blocks, "blocks"}, {&m.Out, "out"}} {
		*f.p = d.Int(f.name, 0, maxResSize)
	}
	w := d.Floats("parameters")
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: residual network: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: %w", err)
	}
	// An upper bound on the parameter count in floating point, so that sizes from a
	// malformed file cannot overflow NumParams.
	if bound := float64(m.Width+1) * float64(m.Width+m.In+m.Cond+m.Out+1) * float64(3*m.Blocks+3); bound > float64(len(w))+1e6 && bound > 1e12 {
		return nil, fmt.Errorf("reflected: LoadScoreNet: ResMLP sizes %+v too large for %d parameters", *m, len(w))
	}
	switch {
	case m.In != m.Out || m.Cond != embed.Features():
		return nil, fmt.Errorf("reflected: LoadScoreNet: ResMLP In = %d, Out = %d, Cond = %d, want In = Out and Cond = %d", m.In, m.Out, m.Cond, embed.Features())
	case len(w) != m.NumParams():
		return nil, fmt.Errorf("reflected: LoadScoreNet: %d parameters, ResMLP needs %d", len(w), m.NumParams())
	}
	return &ScoreNet{Res: m, Embed: embed, W: w}, nil
}

// loadUNet reads the U-Net body of a version-2 ScoreNet file: a graph from C+1 input
// channels (the image and the time plane) to the C image channels on the same pixels.
func loadUNet(r io.Reader, freqs int) (*ScoreNet, error) {
	if freqs != 0 {
		return nil, fmt.Errorf("reflected: LoadScoreNet: TimeEmbedding.Freqs = %d with a U-Net, want 0", freqs)
	}
	g, w, st, err := nn.LoadGraph(r)
	if err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: U-Net: %w", err)
	}
	in, out := g.In, g.OutShape()
	if in.C < 2 || out != (nn.Shape{C: in.C - 1, H: in.H, W: in.W}) {
		return nil, fmt.Errorf("reflected: LoadScoreNet: U-Net input %v and output %v, want C+1 channels in and C out on the same pixels", in, out)
	}
	if len(st.Mean) != 0 {
		return nil, fmt.Errorf("reflected: LoadScoreNet: U-Net has %d BatchNorm nodes, a score network has none", len(st.Mean))
	}
	return &ScoreNet{UNet: g, W: w}, nil
}
