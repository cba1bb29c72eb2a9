package atomicfile_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "atomicfile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "results.csv")
	err := atomicfile.WriteFile(path, 0, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "seed,loss\n0,0.25")
		return err
	})
	fmt.Println(err)
	// A failing writer leaves the previous file as it was.
	err = atomicfile.WriteFile(path, 0, func(w io.Writer) error {
		fmt.Fprintln(w, "seed,loss")
		return fmt.Errorf("disk full")
	})
	fmt.Println(err != nil)
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// <nil>
	// true
	// seed,loss
	// 0,0.25
}
