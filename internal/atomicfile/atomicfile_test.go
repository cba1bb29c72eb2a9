package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entries lists the names in dir, so a test can check no temporary file is left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	for _, content := range []string{"first\n", "second, longer content\n", ""} {
		if err := WriteBytes(path, 0, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Fatalf("content %q, want %q", got, content)
		}
		if names := entries(t, dir); len(names) != 1 || names[0] != "out.csv" {
			t.Fatalf("directory holds %v, want only out.csv", names)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Fatalf("mode %v, want the default 0644", fi.Mode().Perm())
		}
	}
}

// failing writes half of its data, then fails, the way a full disk or a failed encoder does.
func TestFailureLeavesOldFileIntact(t *testing.T) {
	old := bytes.Repeat([]byte("old model bytes "), 10000) // larger than the 64 KiB buffer
	boom := errors.New("injected failure")
	cases := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"error after partial write", func(w io.Writer) error {
			if _, err := w.Write(bytes.Repeat([]byte("new"), 50000)); err != nil {
				return err
			}
			return boom
		}},
		{"error before any write", func(io.Writer) error { return boom }},
		{"panic mid-way", func(w io.Writer) error {
			w.Write(bytes.Repeat([]byte("new"), 50000))
			panic("injected panic")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "model.bin")
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = errors.New("panicked")
						if r != "injected panic" {
							t.Fatalf("panic value %v, want the injected one re-raised", r)
						}
					}
				}()
				err = WriteFile(path, 0, c.write)
			}()
			if err == nil {
				t.Fatal("no error from a failing writer")
			}
			if err.Error() != "panicked" && (!errors.Is(err, boom) || !strings.Contains(err.Error(), path)) {
				t.Fatalf("error %q does not wrap the cause and name the path", err)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if !bytes.Equal(got, old) {
				t.Fatalf("old file changed: %d bytes, want the original %d", len(got), len(old))
			}
			if names := entries(t, dir); len(names) != 1 {
				t.Fatalf("directory holds %v, want only model.bin (temporary file left behind)", names)
			}
		})
	}
}

func TestFailureWithoutOldFileLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.png")
	if err := WriteFile(path, 0, func(w io.Writer) error { return errors.New("no") }); err == nil {
		t.Fatal("no error")
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("directory holds %v, want nothing", names)
	}
}

func TestBadPath(t *testing.T) {
	if err := WriteBytes("", 0, nil); err == nil || !strings.HasPrefix(err.Error(), "atomicfile: ") {
		t.Fatalf("empty path: error %v", err)
	}
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "f")
	err := WriteBytes(missing, 0, []byte("x"))
	if err == nil || strings.Count(err.Error(), "atomicfile:") != 1 {
		t.Fatalf("missing directory: error %v, want one atomicfile: prefix", err)
	}
}

type stringWriterTo string

func (s stringWriterTo) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, string(s))
	return int64(n), err
}

func TestWriteToAndPerm(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.png")
	if err := WriteTo(path, 0o600, stringWriterTo("png bytes")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "png bytes" {
		t.Fatalf("got %q, %v", got, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
}
