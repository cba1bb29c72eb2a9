package meanfield

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// ckTrainer returns a fresh Trainer for method m on fixed data (β = 0.5, so the schedule
// depends on N; with Penalty and a dataset sampler for SGD).
func ckTrainer(t testing.TB, m Method, pts *Points) *Trainer {
	return &Trainer{Unit: TanhUnit(1), Loss: Squared{}, Method: m, Data: pts, Batch: 3, Seed: 77,
		Penalty: 0.01, Schedule: Schedule{Gamma: 0.3, Beta: 0.5, N: 40}}
}

// TestCheckpointResumeBitIdentical: a run cancelled through its context at the end of a
// step, checkpointed, encoded, decoded and resumed by a new Trainer ends with the same bits
// as an uninterrupted run, for every method (the random streams, not only the particles,
// must be restored: SGD's minibatches, GaussianSGD's shared normals, mSGLD's per-particle
// normals).
func TestCheckpointResumeBitIdentical(t *testing.T) {
	const steps, stopAfter = 20, 7
	pts := randomPoints(t, rand.New(rand.NewPCG(4, 4)), 6, 1, 1, false)
	for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
		full := randomParticles(t, 40, 3, 5)
		if err := ckTrainer(t, m, pts).Run(full, 0, steps, nil); err != nil {
			t.Fatal(err)
		}

		ps := randomParticles(t, 40, 3, 5)
		tr := ckTrainer(t, m, pts)
		ctx, cancel := context.WithCancel(context.Background())
		next, err := tr.RunContext(ctx, ps, 0, steps, func(n int, _ float64) error {
			if n == stopAfter-1 {
				cancel() // the run must finish this step and stop before the next
			}
			return nil
		})
		cancel()
		if !errors.Is(err, context.Canceled) || next != stopAfter || !strings.HasPrefix(err.Error(), "meanfield: run stopped before step 7") {
			t.Fatalf("%v: RunContext = %d, %v; want %d and a wrapped context.Canceled", m, next, err, stopAfter)
		}
		cp, err := tr.Checkpoint(ps, next)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := cp.Save(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := LoadCheckpoint(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		re := ckTrainer(t, m, pts)
		rps, err := re.Restore(back)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := re.RunContext(context.Background(), rps, back.Next, steps-back.Next, nil); err != nil {
			t.Fatal(err)
		}
		for i := range full.W {
			if full.W[i] != rps.W[i] {
				t.Fatalf("%v: resumed W[%d] = %v, uninterrupted %v", m, i, rps.W[i], full.W[i])
			}
		}
		// Save of the decoded checkpoint gives the same bytes (the format is lossless).
		var again bytes.Buffer
		if err := back.Save(&again); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
			t.Fatalf("%v: re-encoding differs (err %v)", m, err)
		}
	}
}

// TestRestoreRejectsOtherConfig: a checkpoint resumed by a Trainer that would compute
// something else is an error naming the field.
func TestRestoreRejectsOtherConfig(t *testing.T) {
	pts := randomPoints(t, rand.New(rand.NewPCG(4, 4)), 6, 1, 1, false)
	ps := randomParticles(t, 40, 3, 5)
	cp, err := ckTrainer(t, MSGLD, pts).Checkpoint(ps, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    func(*Trainer)
		want string
	}{
		{func(tr *Trainer) { tr.Method = GD }, "Checkpoint.Method = mSGLD"},
		{func(tr *Trainer) { tr.Seed = 1 }, "Checkpoint.Seed = 77"},
		{func(tr *Trainer) { tr.Batch = 4 }, "Checkpoint.Batch = 3"},
		{func(tr *Trainer) { tr.Penalty = 0 }, "Checkpoint.Penalty = 0.01"},
		{func(tr *Trainer) { tr.Schedule.Gamma = 1 }, "Checkpoint.Schedule"},
		{func(tr *Trainer) { tr.ReferenceSystem = true }, "Checkpoint.ReferenceSystem"},
	} {
		tr := ckTrainer(t, MSGLD, pts)
		c.f(tr)
		if _, err := tr.Restore(cp); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to name %q", err, c.want)
		}
	}
	bad := *cp
	bad.Streams = bad.Streams[:3]
	if _, err := ckTrainer(t, MSGLD, pts).Restore(&bad); err == nil || !strings.Contains(err.Error(), "3 particle streams") {
		t.Errorf("short Streams: %v", err)
	}
}

// TestLoadCheckpointMalformed: corrupt, truncated and absurd inputs are errors, and a header
// claiming 2³¹ coordinates is refused before any allocation of that size.
func TestLoadCheckpointMalformed(t *testing.T) {
	good := validCheckpointBytes(t)
	flip := bytes.Clone(good)
	flip[40] ^= 1
	cases := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("SDEMLNN\x00"), good[8:]...),
		"checksum":  flip,
		"truncated": good[:len(good)-9],
		"trailing":  append(bytes.Clone(good), 0),
	}
	for name, b := range cases {
		if _, err := LoadCheckpoint(bytes.NewReader(b)); err == nil || !strings.HasPrefix(err.Error(), "meanfield: LoadCheckpoint: ") {
			t.Errorf("%s: error %v", name, err)
		}
	}
	// A header that claims N = 2³¹ particles of dimension 1 but holds no coordinates.
	huge := withHeader(good, func(h []byte) { putU64(h[offN:], 1<<31); putU64(h[offN+8:], 1) })
	var err error
	allocs := testing.AllocsPerRun(5, func() { _, err = LoadCheckpoint(bytes.NewReader(huge)) })
	if err == nil || !strings.Contains(err.Error(), "W needs") {
		t.Errorf("huge N: error %v", err)
	}
	// io.ReadAll and the error message only: far below one allocation per claimed particle.
	if allocs > 50 {
		t.Errorf("huge N: %v allocations", allocs)
	}
}

// offN is the offset of the N field: magic 8, version 4, next 8, method 4, schedule 32,
// batch 8, penalty 8, seed 8, reference 1.
const offN = 8 + 4 + 8 + 4 + 32 + 8 + 8 + 8 + 1

func putU64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

// withHeader edits a copy of a checkpoint's bytes and recomputes the checksum, so the
// decoder's other checks are reached.
func withHeader(b []byte, edit func([]byte)) []byte {
	c := bytes.Clone(b)
	edit(c)
	return resum(c)
}

func validCheckpointBytes(t testing.TB) []byte {
	pts := randomPoints(t, rand.New(rand.NewPCG(4, 4)), 6, 1, 1, false)
	ps := randomParticles(t, 4, 3, 5)
	tr := &Trainer{Unit: TanhUnit(1), Loss: Squared{}, Method: MSGLD, Data: pts, Batch: 3, Seed: 77,
		Schedule: Schedule{Gamma: 0.3, Beta: 0.5, N: 4}}
	if err := tr.Run(ps, 0, 2, nil); err != nil {
		t.Fatal(err)
	}
	cp, err := tr.Checkpoint(ps, 2)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := cp.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRunContextDoesNotAllocate: checking a live (cancellable) context before every step
// adds no allocation to the steady-state loop.
func TestRunContextDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates and sync.Pool drops items at random")
	}
	pts := randomPoints(t, rand.New(rand.NewPCG(4, 4)), 6, 1, 1, false)
	ps := randomParticles(t, 40, 3, 5)
	tr := ckTrainer(t, MSGLD, pts)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := tr.RunContext(ctx, ps, 0, 1, nil); err != nil {
		t.Fatal(err)
	}
	n := 1
	if a := testing.AllocsPerRun(20, func() {
		n, _ = tr.RunContext(ctx, ps, n, 5, nil)
	}); a != 0 {
		t.Fatalf("RunContext allocated %.1f times per 5 steps", a)
	}
}
