package data

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryDoesNotNeedGoMNIST checks the reason this package exists: no library package
// other than data depends on the GoMNIST module, so importing them downloads nothing more
// than gonum and x/exp. It asks the go command for the dependency closures.
func TestLibraryDoesNotNeedGoMNIST(t *testing.T) {
	pkgs := []string{"nn", "sam", "sgn", "sde", "reflected", "meanfield"}
	args := []string{"list", "-deps"}
	for _, p := range pkgs {
		args = append(args, "github.com/sdeml/sdeml/"+p)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Skipf("go list not available: %v", err)
	}
	if strings.Contains(string(out), goMNISTPath) {
		t.Fatalf("%v depend on %s:\n%s", pkgs, goMNISTPath, out)
	}
	self, err := exec.Command("go", "list", "-deps", "github.com/sdeml/sdeml/nn/data").Output()
	if err != nil || !strings.Contains(string(self), goMNISTPath) {
		t.Fatalf("go list of nn/data itself does not show %s (err %v): the check above would be vacuous", goMNISTPath, err)
	}
}
