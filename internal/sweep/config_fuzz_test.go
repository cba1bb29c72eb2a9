package sweep

import (
	"fmt"
	"testing"
)

// FuzzParseShard checks that ParseShard accepts exactly the strings that denote 0 <= i < n
// and that an accepted shard prints back to an equivalent string.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "2/5", " 3 / 4 ", "4/4", "-1/2", "1/0", "a/b", "", "/", "9999999999999999999/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, n, err := ParseShard(s)
		if err != nil {
			return
		}
		if n < 1 || i < 0 || i >= n {
			t.Fatalf("ParseShard(%q) = %d/%d", s, i, n)
		}
		j, m, err := ParseShard(fmt.Sprintf("%d/%d", i, n))
		if err != nil || j != i || m != n {
			t.Fatalf("round trip of %d/%d: %d/%d, %v", i, n, j, m, err)
		}
	})
}
