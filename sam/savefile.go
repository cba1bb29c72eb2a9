package sam

import "github.com/sdeml/sdeml/internal/atomicfile"

// SaveFile writes cp to the file path atomically: the bytes go to a temporary file in the
// same directory, which is synced to disk and then renamed over path, so path always holds
// either the previous complete file or the new one, even if the process is killed or the
// disk fills up mid-write. On error the previous file is left unchanged. Read it back with
// os.Open and LoadCheckpoint.
func (cp *Checkpoint) SaveFile(path string) error {
	return atomicfile.WriteFile(path, 0, cp.Save)
}
