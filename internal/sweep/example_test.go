package sweep_test

import (
	"context"
	"fmt"
	"os"

	"github.com/sdeml/sdeml/internal/sweep"
)

// A sweep over three seeds run as two shards, then merged.
func ExampleRun() {
	root, _ := os.MkdirTemp("", "sweep")
	defer os.RemoveAll(root)
	plan := sweep.Plan{ID: "square v1", Keys: []string{"seed=0", "seed=1", "seed=2"}}
	square := func(_ context.Context, k int) (int, error) { return k * k, nil }
	for i := range 2 {
		c := sweep.Config{Dir: fmt.Sprintf("%s/shard%d", root, i), Shard: i, Shards: 2}
		r, err := sweep.Run(context.Background(), c, plan, square)
		fmt.Println("shard", i, "computed", r.Computed, "complete", r.Complete(), err)
	}
	c := sweep.Config{Dir: root + "/all", Merge: []string{root + "/shard0", root + "/shard1"}}
	r, err := sweep.Run(context.Background(), c, plan, square)
	fmt.Println("merged", r.Values, r.Complete(), err)
	// Output:
	// shard 0 computed 2 complete false <nil>
	// shard 1 computed 1 complete false <nil>
	// merged [0 1 4] true <nil>
}
