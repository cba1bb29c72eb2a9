package sweep

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// signalChild is the body of the subprocess of TestRepeatedSIGTERM and TestSecondSIGINT: it
// reports "ready", waits for NotifyContext's cancellation, reports "stopping", works for
// another second (the unit in progress) and reports "clean".
func signalChild() {
	ctx, stop := NotifyContext(context.Background())
	defer stop()
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Println("stopping")
	time.Sleep(time.Second)
	fmt.Println("clean")
	os.Exit(0)
}

func TestMain(m *testing.M) {
	if os.Getenv("SDEML_SWEEP_SIGNAL_CHILD") == "1" {
		signalChild()
	}
	os.Exit(m.Run())
}

// runSignalChild starts the child, sends first once it is ready and second once it has
// seen the first, and returns the lines it printed and its exit error.
func runSignalChild(t *testing.T, first, second syscall.Signal) ([]string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SDEML_SWEEP_SIGNAL_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		switch sc.Text() {
		case "ready":
			cmd.Process.Signal(first)
		case "stopping":
			cmd.Process.Signal(second)
		}
	}
	return lines, cmd.Wait()
}

// A repeated SIGTERM (Slurm's scancel --full reaches both the batch script, whose trap
// passes it on, and the sweep) must not kill the sweep before the unit in progress is done.
func TestRepeatedSIGTERM(t *testing.T) {
	lines, err := runSignalChild(t, syscall.SIGTERM, syscall.SIGTERM)
	if err != nil || len(lines) != 3 || lines[2] != "clean" {
		t.Fatalf("after two SIGTERMs: printed %q, exit %v; want ready, stopping, clean and exit 0", lines, err)
	}
}

// A second Ctrl-C kills at once.
func TestSecondSIGINT(t *testing.T) {
	lines, err := runSignalChild(t, syscall.SIGINT, syscall.SIGINT)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || len(lines) != 2 {
		t.Fatalf("after two SIGINTs: printed %q, exit %v; want ready, stopping and death by signal", lines, err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("after two SIGINTs: exit status %v, want killed by SIGINT", ee)
	}
}
