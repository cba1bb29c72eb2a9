// Package atomicfile writes files so that a reader never sees a half-written one.
//
// WriteFile streams the new contents into a temporary file created in the target's own
// directory (so the final rename stays on one file system), syncs it to stable storage,
// closes it and renames it over the target; on Linux and macOS rename(2) replaces the
// directory entry atomically, so at every instant the path names either the complete old
// file or the complete new one. The directory is then synced so the rename itself survives
// a crash. If the write callback returns an error or panics, or any system call fails, the
// temporary file is removed and the old file (if any) is left byte-for-byte intact.
//
// Every file sdeml's examples write (models, CSV tables, PNG plots, per-unit sweep results)
// goes through this package. Library packages take an io.Writer in Save and offer SaveFile
// (nn.SaveFile, nn.SaveSequentialFile, sam/reflected/meanfield Checkpoint.SaveFile,
// reflected.ScoreNet.SaveFile), built on WriteFile, for users outside this module.
package atomicfile
