package scripts

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bin holds the study binaries built by TestMain when the Slurm tests run.
var bin string

func TestMain(m *testing.M) {
	if os.Getenv("SDEML_SLURM") != "1" {
		os.Exit(m.Run()) // every test skips itself
	}
	dir, err := os.MkdirTemp("", "sdeml-slurm-bin")
	if err == nil {
		bin = dir
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", dir+"/", "./examples/msharpness", "./examples/meanfield")
		cmd.Dir = ".."
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		err = cmd.Run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scripts: building the study binaries:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func needSlurm(t *testing.T) {
	t.Helper()
	if os.Getenv("SDEML_SLURM") != "1" {
		t.Skip("set SDEML_SLURM=1 and SLURM_CONF after scripts/slurm.sh up (.ci/run does) to run the Slurm tests")
	}
	if os.Getenv("SLURM_CONF") == "" {
		t.Fatal("SDEML_SLURM=1 but SLURM_CONF is not set (scripts/slurm.sh up prints it)")
	}
}

// recipe writes the bash block of docs/SCALING.md whose second line starts with
// "# name:" into dir/name, byte for byte, and returns its path.
func recipe(t *testing.T, dir, name string) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/SCALING.md")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	blocks := strings.Split(string(doc), "```bash\n")
	for _, b := range blocks[1:] {
		body, _, ok := strings.Cut(b, "```\n")
		if !ok {
			t.Fatalf("docs/SCALING.md: unterminated bash block")
		}
		lines := strings.SplitN(body, "\n", 3)
		if len(lines) > 1 && strings.HasPrefix(lines[1], "# "+name+":") {
			found = append(found, body)
		}
	}
	if len(found) != 1 {
		t.Fatalf("docs/SCALING.md has %d bash blocks starting with '# %s:', want 1", len(found), name)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(found[0]), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// study is one sweep submitted through the recipe.
type study struct {
	cmd string // CMD: the binary (relative to bin) and its flags
	sub string // SUB
}

// run executes name with args and returns its combined output, failing the test on error.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// cluster is a test's working folder with the two recipe scripts and a logs/ folder, and
// the environment that the recipe's submit lines export.
type cluster struct {
	dir, out string
	env      []string
	s        study
}

func newCluster(t *testing.T, s study) *cluster {
	t.Helper()
	dir := t.TempDir()
	recipe(t, dir, "shards.sbatch")
	recipe(t, dir, "merge.sbatch")
	if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	return &cluster{dir: dir, out: out, s: s,
		env: []string{"CMD=" + filepath.Join(bin, s.cmd), "OUT=" + out, "SUB=" + s.sub}}
}

// reference runs the study unsharded, outside Slurm, into dir/ref and returns the folder
// that holds its outputs.
func (c *cluster) reference(t *testing.T) string {
	t.Helper()
	ref := filepath.Join(c.dir, "ref")
	f := strings.Fields(c.s.cmd)
	run(t, c.dir, nil, filepath.Join(bin, f[0]), append(f[1:], "-out", ref)...)
	return filepath.Join(ref, c.s.sub)
}

// submit submits shards.sbatch as an array of n tasks and merge.sbatch after it, with the
// recipe's submit lines, overriding only the array size, CPUs and memory (the recipe asks
// for 4 CPUs and 4 GB a task; the test node has 2 CPUs). It returns both job ids and a
// watcher of their states, which gives up after limit.
func (c *cluster) submit(t *testing.T, n int, limit time.Duration) (array, merge string, w *watcher) {
	t.Helper()
	array = strings.TrimSpace(run(t, c.dir, c.env, "sbatch", "--parsable", fmt.Sprintf("--array=0-%d", n-1),
		"--cpus-per-task=1", "--mem=256M", "shards.sbatch"))
	t.Cleanup(func() { exec.Command("scancel", array).Run() })
	merge = strings.TrimSpace(run(t, c.dir, c.env, "sbatch", "--parsable", "--dependency=afterok:"+array,
		"--mem=256M", "merge.sbatch"))
	t.Cleanup(func() {
		// A failed test leaves no job behind, nor a job writing into the removed folder.
		exec.Command("scancel", merge).Run()
		for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
			if out, _ := exec.Command("squeue", "-h", "-j", array+","+merge).Output(); len(bytes.TrimSpace(out)) == 0 {
				return
			}
		}
	})
	return array, merge, watch(array, merge, n, limit)
}

// job is what scontrol reports about one job (or array task).
type job struct {
	State, Reason, ExitCode string
	Restarts                int
}

var field = regexp.MustCompile(`(\w+)=(\S*)`)

// poll reports the jobs of the cluster (scontrol show job -o), keyed "id" or "arrayid_task";
// a pending array's unsplit record is keyed "arrayid_0-2" and the like.
func poll() (map[string]job, error) {
	out, err := exec.Command("scontrol", "show", "job", "-o").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("scontrol show job: %v\n%s", err, out)
	}
	jobs := map[string]job{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		kv := map[string]string{}
		for _, m := range field.FindAllStringSubmatch(sc.Text(), -1) {
			if _, ok := kv[m[1]]; !ok {
				kv[m[1]] = m[2]
			}
		}
		id := kv["JobId"]
		if a, ok := kv["ArrayJobId"]; ok {
			id = a + "_" + kv["ArrayTaskId"]
		}
		if id == "" {
			continue
		}
		r, _ := strconv.Atoi(kv["Restarts"])
		jobs[id] = job{State: kv["JobState"], Reason: kv["Reason"], ExitCode: kv["ExitCode"], Restarts: r}
	}
	return jobs, nil
}

func final(state string) bool {
	switch state {
	case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED":
		return true
	}
	return false
}

// watcher records the states of an array's n tasks and its merge job from submission on,
// every 200 ms: Slurm forgets a job MinJobAge (5 s) after it ends.
type watcher struct {
	done chan struct{}
	seen map[string]job // written by the goroutine until done is closed
	err  error
}

func watch(array, merge string, n int, limit time.Duration) *watcher {
	w := &watcher{done: make(chan struct{}), seen: map[string]job{}}
	want := []string{merge}
	for i := range n {
		want = append(want, fmt.Sprintf("%s_%d", array, i))
	}
	go func() {
		defer close(w.done)
		for end := time.Now().Add(limit); ; time.Sleep(200 * time.Millisecond) {
			jobs, err := poll()
			if err != nil {
				w.err = err
				return
			}
			for id, j := range jobs {
				if !slices.Contains(want, id) {
					continue // another job, or the array's unsplit pending record
				}
				if r := w.seen[id].Restarts; r > j.Restarts {
					j.Restarts = r
				}
				w.seen[id] = j
			}
			finished := true
			for _, id := range want {
				finished = finished && final(w.seen[id].State)
			}
			if finished {
				return
			}
			if time.Now().After(end) {
				w.err = fmt.Errorf("jobs not finished after %v: %+v", limit, w.seen)
				return
			}
		}
	}()
	return w
}

// wait returns the last report of each job, with the largest restart count seen.
func (w *watcher) wait(t *testing.T) map[string]job {
	t.Helper()
	<-w.done
	if w.err != nil {
		t.Fatal(w.err)
	}
	return w.seen
}

// sameOutputs fails unless every file under got equals the one under want and no file is
// extra, ignoring the files that record wall times (timings.csv, units/).
func sameOutputs(t *testing.T, want, got string) {
	t.Helper()
	list := func(root string) map[string][]byte {
		m := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "units" {
				return filepath.SkipDir
			}
			if d.IsDir() || d.Name() == "timings.csv" {
				return nil
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[rel] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	w, g := list(want), list(got)
	if len(w) == 0 {
		t.Fatalf("no outputs in %s", want)
	}
	for name, b := range w {
		if gb, ok := g[name]; !ok {
			t.Errorf("merged outputs lack %s", name)
		} else if !bytes.Equal(b, gb) {
			t.Errorf("merged %s differs from the unsharded run's (%d vs %d bytes)", name, len(gb), len(b))
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("merged outputs have %s, the unsharded run has not", name)
		}
	}
}

func readLog(t *testing.T, c *cluster, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "logs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkAllCompleted fails unless every task and the merge completed.
func checkAllCompleted(t *testing.T, jobs map[string]job) {
	t.Helper()
	for id, j := range jobs {
		if j.State != "COMPLETED" {
			t.Errorf("job %s: %+v, want COMPLETED", id, j)
		}
	}
}

// The diagnet sweep of msharpness and the quick Experiment A of meanfield, each as a 3-task
// array with a dependent merge job: the merged outputs equal an unsharded run's.
func TestSlurmArrayMerge(t *testing.T) {
	needSlurm(t)
	for _, s := range []study{
		{cmd: "msharpness -task diagnet -steps 2000 -seeds 2", sub: "diagnet"},
		{cmd: "meanfield -quick -exp A", sub: ""},
	} {
		t.Run(strings.Fields(s.cmd)[0], func(t *testing.T) {
			c := newCluster(t, s)
			start := time.Now()
			array, merge, w := c.submit(t, 3, 3*time.Minute)
			ref := c.reference(t)
			jobs := w.wait(t)
			t.Logf("%s: array %s and merge %s done in %.1fs (the unsharded run included)", s.cmd, array, merge, time.Since(start).Seconds())
			checkAllCompleted(t, jobs)
			sameOutputs(t, ref, filepath.Join(c.out, "merged", s.sub))
		})
	}
}

var progress = regexp.MustCompile(`(?m)^\[(\d+)/(\d+)\] `)

// attemptStart is the first line each attempt of a diagnet sweep prints (the run count
// grows as methods are added to the study, so it is not fixed here).
var attemptStart = regexp.MustCompile(`(?m)^diagnet: \d+ runs of \d+ steps`)

// Task 1 of a diagnet array is stopped with scancel -s TERM --full while it runs units; the
// recipe's trap requeues it, the second attempt resumes, and the merged outputs equal an
// unsharded run's.
func TestSlurmPreemptRequeue(t *testing.T) {
	needSlurm(t)
	c := newCluster(t, study{cmd: "msharpness -task diagnet -steps 6000 -seeds 1", sub: "diagnet"})
	start := time.Now()
	array, _, w := c.submit(t, 3, 4*time.Minute)
	task := array + "_1"
	units := filepath.Join(c.out, "shard1", "diagnet", "units")
	// Stop the task once it has stored 3 units: it is then running its 4th.
	stored := 0
	for end := time.Now().Add(3 * time.Minute); stored < 3; {
		es, _ := os.ReadDir(units)
		stored = len(es)
		if time.Now().After(end) {
			t.Fatalf("task %s stored %d units in 3 minutes", task, stored)
		}
		time.Sleep(20 * time.Millisecond)
	}
	run(t, c.dir, nil, "scancel", "-s", "TERM", "--full", task)
	stopped := time.Now()
	ref := c.reference(t)
	jobs := w.wait(t)
	t.Logf("preempted task %s after %d units; array and merge done %.1fs after the signal, %.1fs in all",
		task, stored, time.Since(stopped).Seconds(), time.Since(start).Seconds())
	checkAllCompleted(t, jobs)
	if r := jobs[task].Restarts; r != 1 {
		t.Errorf("task %s restarted %d times, want 1 (requeued by the trap)", task, r)
	}
	log := readLog(t, c, array+"_1.out")
	// Two attempts: the first interrupted, the second resuming with the rest of the shard.
	attempts := attemptStart.Split(log, -1)
	if len(attempts) != 3 {
		t.Fatalf("log of %s holds %d attempts, want 2:\n%s", task, len(attempts)-1, log)
	}
	first, second := progress.FindAllStringSubmatch(attempts[1], -1), progress.FindAllStringSubmatch(attempts[2], -1)
	if len(first) == 0 || len(second) == 0 {
		t.Fatalf("log of %s: no progress lines in an attempt:\n%s", task, log)
	}
	shard, _ := strconv.Atoi(first[0][2])
	rest, _ := strconv.Atoi(second[0][2])
	if !strings.Contains(attempts[1], "sweep: interrupted") || len(first) >= shard {
		t.Errorf("first attempt of %s: %d of %d units and no interruption message:\n%s", task, len(first), shard, attempts[1])
	}
	if rest != shard-len(first) || len(second) != rest {
		t.Errorf("second attempt of %s computed %d of %d units, want the %d the first left", task, len(second), rest, shard-len(first))
	}
	sameOutputs(t, ref, filepath.Join(c.out, "merged", "diagnet"))
}

// Task 1 of an array finds a damaged unit file and fails: Slurm cancels the merge job, the
// merge never writes its folder, and the task's log names the file.
func TestSlurmFailingShard(t *testing.T) {
	needSlurm(t)
	c := newCluster(t, study{cmd: "msharpness -task diagnet -steps 200 -seeds 1", sub: "diagnet"})
	// Shard 1 ran before and left a unit file that was cut short.
	f := strings.Fields(c.s.cmd)
	run(t, c.dir, nil, filepath.Join(bin, f[0]), append(f[1:], "-shard", "1/3", "-out", filepath.Join(c.out, "shard1"))...)
	es, err := os.ReadDir(filepath.Join(c.out, "shard1", "diagnet", "units"))
	if err != nil || len(es) == 0 {
		t.Fatalf("shard 1's units: %v, %d files", err, len(es))
	}
	damaged := filepath.Join(c.out, "shard1", "diagnet", "units", es[len(es)/2].Name())
	if err := os.WriteFile(damaged, []byte(`{"format":"sdeml-sweep-unit/1","sw`), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	array, merge, w := c.submit(t, 3, 2*time.Minute)
	jobs := w.wait(t)
	t.Logf("failing task and cancelled merge reported %.1fs after submission", time.Since(start).Seconds())
	for id, want := range map[string]string{array + "_0": "COMPLETED", array + "_1": "FAILED", array + "_2": "COMPLETED", merge: "CANCELLED"} {
		if jobs[id].State != want {
			t.Errorf("job %s: %+v, want %s", id, jobs[id], want)
		}
	}
	if j := jobs[merge]; j.Reason != "DependencyNeverSatisfied" {
		t.Errorf("merge job %s: reason %q, want DependencyNeverSatisfied", merge, j.Reason)
	}
	if j := jobs[array+"_1"]; j.Restarts != 0 || j.ExitCode != "1:0" {
		t.Errorf("failing task: %+v, want exit code 1:0 and no restart", j)
	}
	if _, err := os.Stat(filepath.Join(c.out, "merged")); !os.IsNotExist(err) {
		t.Errorf("the cancelled merge left %s (stat: %v)", filepath.Join(c.out, "merged"), err)
	}
	if log := readLog(t, c, array+"_1.out"); !strings.Contains(log, damaged) {
		t.Errorf("log of the failing task does not name %s:\n%s", damaged, log)
	}
}
