package atomicfile

import (
	"errors"
	"syscall"
)

// isUnsupported reports whether err says the file system does not support syncing a
// directory, which leaves nothing to do.
func isUnsupported(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EBADF)
}
