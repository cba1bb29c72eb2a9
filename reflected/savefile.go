package reflected

import (
	"fmt"
	"os"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

// SaveFile writes cp to the file path atomically: the bytes go to a temporary file in the
// same directory, which is synced to disk and then renamed over path, so path always holds
// either the previous complete file or the new one, even if the process is killed or the
// disk fills up mid-write. On error the previous file is left unchanged. Read it back with
// os.Open and LoadCheckpoint.
func (cp *Checkpoint) SaveFile(path string) error {
	return atomicfile.WriteFile(path, 0, cp.Save)
}

// SaveFile writes the network to the file path atomically, like Checkpoint.SaveFile. Read
// it back with os.Open and LoadScoreNet.
func (n *ScoreNet) SaveFile(path string) error {
	return atomicfile.WriteFile(path, 0, n.Save)
}

// LoadCheckpointFile reads the checkpoint file at path (written by Checkpoint.SaveFile).
func LoadCheckpointFile(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reflected: LoadCheckpointFile: %w", err)
	}
	defer f.Close()
	return LoadCheckpoint(f)
}
