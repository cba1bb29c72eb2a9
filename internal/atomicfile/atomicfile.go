package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// tempPrefix starts the name of every temporary file, so a leftover from a killed process
// (which cannot clean up) is recognisable: ".<target>.tmp-<random>".
const tempPrefix = "."

// WriteFile writes the bytes produced by write to path atomically: write receives a
// buffered writer on a temporary file in path's directory; after it returns nil the data
// are flushed, synced and the file renamed over path with mode perm (0 means 0o644).
// On any error, or a panic in write (re-raised after cleanup), no temporary file remains
// and an existing file at path is unchanged.
func WriteFile(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	if path == "" {
		return errors.New("atomicfile: WriteFile: empty path")
	}
	if perm == 0 {
		perm = 0o644
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tempPrefix+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	tmp := f.Name()
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	committed = true
	return syncDir(dir)
}

// WriteBytes writes data to path atomically (see WriteFile).
func WriteBytes(path string, perm os.FileMode, data []byte) error {
	return WriteFile(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteTo writes the output of v.WriteTo to path atomically (see WriteFile). A gonum
// plot is saved with WriteTo(path, 0, canvas) where canvas comes from p.WriterTo.
func WriteTo(path string, perm os.FileMode, v io.WriterTo) error {
	return WriteFile(path, perm, func(w io.Writer) error {
		_, err := v.WriteTo(w)
		return err
	})
}

// syncDir makes a rename in dir durable. File systems that cannot sync a directory
// (EINVAL on some network and FUSE mounts) are not an error: the rename has happened.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil && !isUnsupported(serr) {
		return fmt.Errorf("atomicfile: syncing directory %s: %w", dir, serr)
	}
	if cerr != nil {
		return fmt.Errorf("atomicfile: %w", cerr)
	}
	return nil
}
