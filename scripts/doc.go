// Package scripts holds no library code: it is the home of the shell scripts that CI runs
// against real services, and of the Go tests that drive them.
//
// slurm.sh starts a one-node Slurm cluster from Debian's packages (up) and stops exactly the
// daemons it started (down). slurm_test.go submits the job-array recipe of docs/SCALING.md,
// extracted from that file byte for byte, to such a cluster: sharded sweeps merged into
// outputs byte-identical to unsharded runs, a task stopped with the documented signal and
// requeued, and a failing task whose merge job Slurm cancels. The tests run only when
// SDEML_SLURM=1 (set by .ci/run after slurm.sh up) and SLURM_CONF names the cluster's
// configuration; otherwise they are skipped.
package scripts
