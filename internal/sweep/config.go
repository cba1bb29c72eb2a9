package sweep

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Config says which part of a sweep this process runs and where results go. The zero value
// with Dir set runs every unit in one process, recomputing units whose files exist.
type Config struct {
	Dir    string   // results folder; unit files go to Dir/units
	Shard  int      // this process's shard, 0 <= Shard < Shards
	Shards int      // number of shards; 0 means 1
	Resume bool     // load units whose file exists in Dir/units instead of recomputing them
	Merge  []string // if non-empty, compute nothing: read every unit from these folders
	// Progress, if not nil, receives one line per finished unit.
	Progress io.Writer
}

// RegisterFlags defines -shard, -resume and -merge on fs, storing into c.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Var((*shardFlag)(c), "shard", "run only shard `i/n` of the sweep's units (unit k runs in shard k mod n)")
	fs.BoolVar(&c.Resume, "resume", false, "skip units whose result file already exists in the output folder")
	fs.Func("merge", "compute nothing: build the outputs from the unit files in these comma-separated output `folders` (e.g. the shards' -out)", func(s string) error {
		for _, d := range strings.Split(s, ",") {
			if d = strings.TrimSpace(d); d != "" {
				c.Merge = append(c.Merge, d)
			}
		}
		return nil
	})
}

type shardFlag Config

func (s *shardFlag) String() string {
	if s == nil || s.Shards <= 1 {
		return "0/1"
	}
	return fmt.Sprintf("%d/%d", s.Shard, s.Shards)
}

func (s *shardFlag) Set(v string) error {
	i, n, err := ParseShard(v)
	if err != nil {
		return err
	}
	s.Shard, s.Shards = i, n
	return nil
}

// ParseShard parses "i/n" with 0 <= i < n.
func ParseShard(v string) (i, n int, err error) {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("-shard %q: want i/n with integers 0 <= i < n", v)
	case n < 1:
		return 0, 0, fmt.Errorf("-shard %q: n = %d must be >= 1", v, n)
	case i < 0 || i >= n:
		return 0, 0, fmt.Errorf("-shard %q: i = %d must be in [0, %d) (shards are numbered from 0)", v, i, n)
	}
	return i, n, nil
}

// check validates c and returns the number of shards.
func (c *Config) check() (int, error) {
	n := c.Shards
	if n == 0 {
		n = 1
	}
	switch {
	case c.Dir == "":
		return 0, fmt.Errorf("sweep: Config.Dir is empty")
	case n < 0:
		return 0, fmt.Errorf("sweep: Config.Shards = %d must be >= 0", c.Shards)
	case c.Shard < 0 || c.Shard >= n:
		return 0, fmt.Errorf("sweep: Config.Shard = %d out of range [0, %d)", c.Shard, n)
	case len(c.Merge) > 0 && (n > 1 || c.Resume):
		return 0, fmt.Errorf("sweep: -merge (%d folders) cannot be combined with -shard %d/%d or -resume", len(c.Merge), c.Shard, n)
	}
	return n, nil
}
