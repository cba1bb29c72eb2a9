package testutil

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// CheckSaveFile tests an atomic SaveFile: save(path) must write a file that load reads back
// and that equals what the in-memory Save writes (want); a second, failing save (bad, which
// must return an error, possibly after writing part of its output) must leave the first
// file byte-for-byte unchanged and no temporary file behind.
func CheckSaveFile(t *testing.T, want []byte, save, bad func(path string) error, load func(path string) error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "saved.bin")
	if err := save(path); err != nil {
		t.Fatalf("SaveFile: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("SaveFile wrote %d bytes that differ from Save's %d", len(got), len(want))
	}
	if err := load(path); err != nil {
		t.Fatalf("loading the saved file: %v", err)
	}
	if err := bad(path); err == nil {
		t.Fatal("a failing SaveFile returned no error")
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, want) {
		t.Fatalf("a failed SaveFile changed the old file (%d bytes, want the original %d)", len(after), len(want))
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v after a failed SaveFile, want only saved.bin", names)
	}
}
