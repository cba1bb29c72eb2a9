package reflected

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/sdeml/sdeml/nn"
)

// ScoreNet file format, version 1 (integers little-endian):
//
//	magic   "SDEMLRSN"   8 bytes
//	version uint32 = 1
//	freqs   uint32       TimeEmbedding.Freqs, ≤ maxFreqs
//	net     nn.Save      architecture, mask and parameters (checksummed by nn)
const (
	scoreNetMagic   = "SDEMLRSN"
	scoreNetVersion = 1
	maxFreqs        = 1 << 16
)

// Save writes the network architecture, sparsity mask, time embedding and parameters to w;
// Load reads them back bit for bit.
func (n *ScoreNet) Save(w io.Writer) error {
	var hdr [16]byte
	copy(hdr[:8], scoreNetMagic)
	binary.LittleEndian.PutUint32(hdr[8:], scoreNetVersion)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(n.Embed.Freqs))
	if _, err := w.Write(hdr[:]); err != nil {
		return fmt.Errorf("reflected: ScoreNet.Save: %w", err)
	}
	return nn.Save(w, n.Net, n.W)
}

// LoadScoreNet reads a ScoreNet written by Save. Malformed input (bad magic or version, an
// embedding that does not fit the network widths, or any error reported by nn.Load) returns
// an error, never a panic.
func LoadScoreNet(r io.Reader) (*ScoreNet, error) {
	var hdr [16]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("reflected: LoadScoreNet: reading header: %w", err)
	}
	if string(hdr[:8]) != scoreNetMagic {
		return nil, fmt.Errorf("reflected: LoadScoreNet: bad magic %q", hdr[:8])
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != scoreNetVersion {
		return nil, fmt.Errorf("reflected: LoadScoreNet: version %d, want %d", v, scoreNetVersion)
	}
	freqs := binary.LittleEndian.Uint32(hdr[12:])
	if freqs > maxFreqs {
		return nil, fmt.Errorf("reflected: LoadScoreNet: TimeEmbedding.Freqs = %d > %d", freqs, maxFreqs)
	}
	net, w, err := nn.Load(r)
	if err != nil {
		return nil, err
	}
	return NewScoreNetFrom(net, TimeEmbedding{Freqs: int(freqs)}, w)
}
