package data

import (
	"github.com/sdeml/sdeml/nn"

	"fmt"
	"os"
)

// fashionDefaultDir is where Debian's dataset-fashion-mnist package installs the files.
const fashionDefaultDir = "/usr/share/datasets/fashion-mnist"

// fashionInstall is the hint given when the Fashion-MNIST files are missing.
const fashionInstall = "install them with `apt-get install dataset-fashion-mnist`, set SDEML_FASHION_MNIST_DIR or pass the directory"

// FashionMNISTDir returns the directory holding the Fashion-MNIST IDX files: the
// environment variable SDEML_FASHION_MNIST_DIR if set, else /usr/share/datasets/fashion-mnist
// (Debian package dataset-fashion-mnist). The error names the package to install.
func FashionMNISTDir() (string, error) {
	dir := fashionDefaultDir
	if d := os.Getenv("SDEML_FASHION_MNIST_DIR"); d != "" {
		dir = d
	}
	if err := hasMNIST(dir); err != nil {
		return "", fmt.Errorf("data: Fashion-MNIST files not found in %s (%s): %v", dir, fashionInstall, err)
	}
	return dir, nil
}

// LoadFashionMNIST reads the Fashion-MNIST training (60000) and test (10000) sets from dir,
// or from FashionMNISTDir() if dir is "". The files have MNIST's names and format (gzip or
// plain IDX, told apart by their first bytes). Inputs are the 784 pixels of each 28×28
// image, row-major, scaled to [0, 1] by 1/255 (the HWC layout of Shape{1, 28, 28});
// Labels are the classes 0..9 (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal,
// Shirt, Sneaker, Bag, Ankle boot).
func LoadFashionMNIST(dir string) (train, test *nn.Dataset, err error) {
	return LoadFashionMNISTSubset(dir, 0, 0)
}

// LoadFashionMNISTSubset is LoadFashionMNIST keeping only the first nTrain training and
// nTest test images (0 means all; negative counts, or more images than a file holds, are
// an error). Errors name the file.
func LoadFashionMNISTSubset(dir string, nTrain, nTest int) (train, test *nn.Dataset, err error) {
	if nTrain < 0 || nTest < 0 {
		return nil, nil, fmt.Errorf("data: LoadFashionMNISTSubset nTrain = %d, nTest = %d: counts must be >= 0", nTrain, nTest)
	}
	if dir == "" {
		if dir, err = FashionMNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	var paths [4]string
	for i, f := range mnistFiles {
		if paths[i], err = mnistFile(dir, f); err != nil {
			return nil, nil, fmt.Errorf("data: Fashion-MNIST: %v (%s)", err, fashionInstall)
		}
	}
	if train, err = readImageFiles(paths[0], paths[1], nTrain); err != nil {
		return nil, nil, err
	}
	if test, err = readImageFiles(paths[2], paths[3], nTest); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// readIDXFile reads one IDX file (gzip or plain); the error names the file.
func readIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	x, err := readIDX(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	return x, nil
}

// readImageFiles builds a Dataset from an IDX image file (uint8, n×rows×cols) and an IDX
// label file (uint8, n) in MNIST's format, keeping the first limit samples (all if 0).
func readImageFiles(images, labels string, limit int) (*nn.Dataset, error) {
	im, err := readIDXFile(images)
	if err != nil {
		return nil, err
	}
	lb, err := readIDXFile(labels)
	if err != nil {
		return nil, err
	}
	return imageDataset(im, lb, images, labels, limit)
}
