package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// merge fills res with every unit of plan, read from the folders c.Merge, and stores each
// in c.Dir/units. A unit found in several folders must have the same result there; a
// unit found in none is an error listing how many are missing and the first.
func merge[R any](c Config, plan Plan, res *Result[R]) error {
	var missing []string
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
				return fmt.Errorf("sweep: merge: %w", err)
			}
			var v R
			h, err := decodeUnit(b, plan.ID, key, &v)
			if err != nil {
				return fmt.Errorf("sweep: merge: unit file %s: %v", path, err)
			}
			if firstPath != "" {
				if !bytes.Equal(first, h.Result) {
					return fmt.Errorf("sweep: merge: unit %q differs between %s and %s", key, firstPath, path)
				}
				continue
			}
			first, firstPath = h.Result, path
			res.Values[k], res.Done[k], res.Seconds[k] = v, true, h.Seconds
			if !samePath(path, unitPath(c.Dir, key)) {
				if err := store(c.Dir, plan.ID, key, h.Seconds, v); err != nil {
					return err
				}
			}
		}
		if firstPath == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("sweep: merge: %d of %d units are in none of %q (first: %q); run the missing shards, or -resume in one folder",
			len(missing), len(plan.Keys), c.Merge, missing[0])
	}
	return nil
}

func samePath(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}
