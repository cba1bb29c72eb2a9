package nn

import (
	"io"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

// SaveFile writes net and params (see Save) to the file path atomically: the bytes go to a
// temporary file in the same directory, which is synced to disk and then renamed over path,
// so path always holds either the previous complete file or the new one, even if the
// process is killed or the disk fills up mid-write. On error the previous file is left
// unchanged. Read it back with os.Open and Load.
func SaveFile(path string, net *MLP, params []float64) error {
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error { return Save(w, net, params) })
}

// SaveSequentialFile writes net and params (see SaveSequential) to the file path
// atomically, like SaveFile. Read it back with os.Open and LoadSequential.
func SaveSequentialFile(path string, net *Sequential, params []float64) error {
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error { return SaveSequential(w, net, params) })
}
