package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// merge fills res with every unit of plan, read from the folders c.Merge, and stores each
// in c.Dir/units. A unit found in several folders must have the same result there; a
// unit found in none is an error listing how many are missing and the first. Every folder
// and file is checked before anything is written, so a failing merge leaves c.Dir as it was.
func merge[R any](c Config, plan Plan, res *Result[R]) error {
	flag := "-merge " + strings.Join(c.Merge, ",")
	for _, d := range c.Merge {
		if fi, err := os.Stat(filepath.Join(d, "units")); err != nil || !fi.IsDir() {
			return fmt.Errorf("sweep: %s: folder %s holds no units/ folder (give the folders that hold the shards' units/, e.g. their -out)", flag, d)
		}
	}
	var missing []string
	secs := make([]float64, len(plan.Keys))
	src := make([]string, len(plan.Keys)) // the folder unit k is read from
	for k, key := range plan.Keys {
		var first []byte // the result bytes of the first copy found
		firstPath := ""
		for _, d := range c.Merge {
			path := unitPath(d, key)
			b, err := readUnit(path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return fmt.Errorf("sweep: %s: %w", flag, err)
			}
			var v R
			h, err := decodeUnit(b, plan.ID, key, &v)
			if err != nil {
				return fmt.Errorf("sweep: %s: unit file %s: %v", flag, path, err)
			}
			if firstPath != "" {
				if !bytes.Equal(first, h.Result) {
					return fmt.Errorf("sweep: %s: unit %q differs between %s and %s", flag, key, firstPath, path)
				}
				continue
			}
			first, firstPath = h.Result, path
			res.Values[k], res.Done[k], secs[k], src[k] = v, true, h.Seconds, d
		}
		if firstPath == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("sweep: %s: %d of %d units are in none of these folders (first: %q); run the missing shards, or add their folders",
			flag, len(missing), len(plan.Keys), missing[0])
	}
	for k, key := range plan.Keys {
		res.Seconds[k] = secs[k]
		if samePath(src[k], c.Dir) {
			continue
		}
		if err := store(c.Dir, plan.ID, key, secs[k], res.Values[k]); err != nil {
			return err
		}
	}
	return nil
}

func samePath(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}
