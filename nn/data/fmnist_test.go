package data

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/nn"
)

// fashionDir returns the installed Fashion-MNIST directory, skipping outside CI when the
// Debian package is not installed (CI installs it, so there a missing file fails).
func fashionDir(t *testing.T) string {
	dir, err := FashionMNISTDir()
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return dir
}

func TestLoadFashionMNIST(t *testing.T) {
	dir := fashionDir(t)
	train, test, err := LoadFashionMNIST("")
	if err != nil {
		t.Fatal(err)
	}
	// The published sizes: 60000 training and 10000 test images of 28×28 pixels, 6000 and
	// 1000 of each of the 10 classes.
	for _, tc := range []struct {
		d        *nn.Dataset
		n, class int
	}{{train, 60000, 6000}, {test, 10000, 1000}} {
		if tc.d.Len() != tc.n || tc.d.Dim() != 784 {
			t.Fatalf("dataset is %d×%d, want %d×784", tc.d.Len(), tc.d.Dim(), tc.n)
		}
		var count [10]int
		for _, y := range tc.d.Labels {
			if y < 0 || y > 9 {
				t.Fatalf("label %d outside [0, 9]", y)
			}
			count[y]++
		}
		for c, k := range count {
			if k != tc.class {
				t.Errorf("class %d has %d images, want %d", c, k, tc.class)
			}
		}
		lo, hi := 1.0, 0.0
		for _, v := range tc.d.X.RawMatrix().Data {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo != 0 || hi != 1 {
			t.Errorf("pixels span [%v, %v], want [0, 1] (bytes 0 and 255 / 255)", lo, hi)
		}
	}
	sub, subTest, err := LoadFashionMNISTSubset(dir, 100, 7)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Len() != 100 || subTest.Len() != 7 {
		t.Fatalf("subset sizes %d, %d, want 100, 7", sub.Len(), subTest.Len())
	}
	for i := 0; i < 100; i++ {
		if sub.Labels[i] != train.Labels[i] || sub.X.At(i, 400) != train.X.At(i, 400) {
			t.Fatalf("subset row %d differs from the full set", i)
		}
	}
}

// writeFashionDir writes four small MNIST-format files (gzipped) into a temporary dir.
func writeFashionDir(t *testing.T, n int, pixel byte) string {
	dir := t.TempDir()
	img := make([]byte, n*4)
	for i := range img {
		img[i] = pixel
	}
	lab := make([]byte, n)
	for i := range lab {
		lab[i] = byte(i % 10)
	}
	for i, f := range mnistFiles {
		data := writeIDX(IDXUint8, []uint32{uint32(n), 2, 2}, img)
		if i%2 == 1 {
			data = writeIDX(IDXUint8, []uint32{uint32(n)}, lab)
		}
		if err := os.WriteFile(filepath.Join(dir, f), gz(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFashionMNISTDirOverride(t *testing.T) {
	dir := writeFashionDir(t, 3, 51)
	train, test, err := LoadFashionMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 3 || test.Len() != 3 || train.Dim() != 4 || train.X.At(2, 3) != 0.2 || train.Labels[2] != 2 {
		t.Fatalf("loaded %d, %d rows of width %d, pixel %v, label %d", train.Len(), test.Len(), train.Dim(), train.X.At(2, 3), train.Labels[2])
	}
	t.Setenv("SDEML_FASHION_MNIST_DIR", dir)
	if got, err := FashionMNISTDir(); err != nil || got != dir {
		t.Fatalf("FashionMNISTDir() = %q, %v with SDEML_FASHION_MNIST_DIR = %q", got, err, dir)
	}
}

func TestFashionMNISTBadFiles(t *testing.T) {
	empty := t.TempDir()
	if _, _, err := LoadFashionMNIST(empty); err == nil || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Errorf("missing files: error %v, want one naming the package", err)
	}
	t.Setenv("SDEML_FASHION_MNIST_DIR", empty)
	if _, err := FashionMNISTDir(); err == nil || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
		t.Errorf("FashionMNISTDir on an empty dir: error %v", err)
	}
	name := filepath.Join("x", mnistFiles[0])
	for _, tc := range []struct {
		name    string
		corrupt func([]byte) []byte
		want    string
	}{
		{"truncated gzip", func(b []byte) []byte { return b[:len(b)/2] }, "unexpected EOF"},
		{"not gzip", func([]byte) []byte { return []byte("this is not an IDX file at all") }, "magic number"},
		{"gzip of garbage", func([]byte) []byte { return gz([]byte{1, 2, 3, 4, 5, 6, 7, 8}) }, "magic number"},
		{"bad gzip trailer", func(b []byte) []byte { c := append([]byte(nil), b...); c[len(c)-5] ^= 0xff; return c }, "checksum"},
	} {
		dir := writeFashionDir(t, 20, 7)
		p := filepath.Join(dir, mnistFiles[0])
		b, _ := os.ReadFile(p)
		os.WriteFile(p, tc.corrupt(b), 0o644)
		_, _, err := LoadFashionMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "data: ") || strings.Contains(err.Error()[len("data: "):], "data: /") {
			t.Errorf("%s: error %v, want one naming %s and containing %q", tc.name, err, name, tc.want)
		}
	}
}

// TestIDXHugeHeaderAllocation: a gzip IDX header claiming 2^31 images must fail without
// allocating for the claimed size (the payload is read as it arrives).
func TestIDXHugeHeaderAllocation(t *testing.T) {
	for _, dims := range [][]uint32{{1 << 31, 28, 28}, {1 << 31, 1, 1}} {
		dir := t.TempDir()
		p := filepath.Join(dir, "imgs.gz")
		os.WriteFile(p, gz(writeIDX(IDXUint8, dims, make([]byte, 1000))), 0o644)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := readIDXFile(p)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("dims %v: no error", dims)
		}
		// Readers (gzip ~40 KB, two bufio 4 KB) and the first 1 MiB of the payload buffer.
		const limit = 4 << 20
		if a := after.TotalAlloc - before.TotalAlloc; a > limit {
			t.Errorf("dims %v: allocated %d bytes, want < %d", dims, a, limit)
		}
		t.Logf("dims %v: %v (allocated %d bytes)", dims, err, after.TotalAlloc-before.TotalAlloc)
	}
}
