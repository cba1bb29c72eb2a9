package sweep

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

// writeTimings writes Dir/timings.csv: key and wall seconds of every done unit, in plan
// order. Timings are kept out of the result tables because they differ from run to run.
func writeTimings(dir string, keys []string, done []bool, secs []float64) error {
	err := atomicfile.WriteFile(filepath.Join(dir, "timings.csv"), 0, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"unit", "seconds"})
		for k, key := range keys {
			if done[k] {
				cw.Write([]string{key, strconv.FormatFloat(secs[k], 'f', 3, 64)})
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// writePartial writes Dir/PARTIAL listing the missing keys, or removes it if none is missing.
func writePartial(dir string, missing []string) error {
	path := filepath.Join(dir, "PARTIAL")
	if len(missing) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sweep: %w", err)
		}
		return nil
	}
	err := atomicfile.WriteFile(path, 0, func(w io.Writer) error {
		fmt.Fprintf(w, "The outputs in this folder are partial: %d units are missing (another shard's, or not run yet):\n", len(missing))
		for _, k := range missing {
			fmt.Fprintln(w, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}
