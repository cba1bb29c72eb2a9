package data

import (
	"bytes"
	"strings"
	"testing"
)

// TestSubsetAboveAvailable checks that asking for more images than a file holds is an
// error naming the file and both counts (LoadFashionMNISTSubset("", 100000, 10) used to
// return the 60000 there were without saying so), while asking for all or fewer works.
func TestSubsetAboveAvailable(t *testing.T) {
	dir := writeFashionDir(t, 5, 9) // 5 images in each file
	if _, _, err := LoadFashionMNISTSubset(dir, 6, 2); err == nil || !strings.Contains(err.Error(), "holds 5 samples, 6 requested") ||
		!strings.Contains(err.Error(), "train-images") {
		t.Errorf("6 of 5 training images: error %v, want one naming the file and the counts", err)
	}
	if _, _, err := LoadMNISTSubset(dir, 2, 100); err == nil || !strings.Contains(err.Error(), "holds 5 samples, 100 requested") {
		t.Errorf("100 of 5 test images: error %v", err)
	}
	train, test, err := LoadFashionMNISTSubset(dir, 5, 3)
	if err != nil || train.Len() != 5 || test.Len() != 3 {
		t.Errorf("5 and 3 of 5: %v", err)
	}
	img := writeIDX(IDXUint8, []uint32{2, 2, 2}, make([]byte, 8))
	lab := writeIDX(IDXUint8, []uint32{2}, []byte{1, 2})
	if _, err := ReadMNIST(bytes.NewReader(img), bytes.NewReader(lab), 3); err == nil || !strings.Contains(err.Error(), "holds 2 samples, 3 requested") {
		t.Errorf("ReadMNIST limit 3 of 2: error %v", err)
	}
}
