#!/usr/bin/env bash
# slurm.sh up|down|status: a one-node Slurm cluster from Debian's packages, for the tests of
# docs/SCALING.md's job-array recipe (scripts/slurm_test.go, run by .ci/run).
#
#   scripts/slurm.sh up      # install if missing, write the config, start munged, slurmctld,
#                            # slurmd, wait until the node is idle; prints the SLURM_CONF line
#   export SLURM_CONF=/run/sdeml-slurm/slurm.conf
#   sbatch ...; squeue; ...
#   scripts/slurm.sh down    # cancel the cluster's jobs, stop exactly the daemons "up" started
#
# It needs root and no systemd: each daemon is started in the foreground of a background
# shell job, its PID recorded in $SDEML_SLURM_DIR/pids, and "down" signals only those PIDs
# (after checking that each still runs the program it started). munged listens on its own
# socket in $SDEML_SLURM_DIR, so a munged that the machine already runs is left alone.
# Settings (why each, see docs/SCALING.md, "Tested on"):
#   ProctrackType=proctrack/linuxproc, TaskPlugin=task/none   no cgroups needed
#   AuthType=auth/munge, munged run as the munge user          Slurm's default authentication
#   SlurmUser=root, NodeName=$(hostname -s)                   slurmd finds its node by name
#   DependencyParameters=kill_invalid_depend                  a merge job whose shard failed
#                                                             is cancelled, not pending forever
#   AuthInfo=cred_expire=10                                   a requeued task restarts in ~15 s
#   MinJobAge=5, sched_interval=2, bf_interval=2              sbatch --wait returns promptly
#
# Environment: SDEML_SLURM_DIR (state, config, logs; default /run/sdeml-slurm),
# SDEML_SLURM_PORT (slurmctld's port, slurmd uses the next one; default 6817).
set -euo pipefail

DIR=${SDEML_SLURM_DIR:-/run/sdeml-slurm}
PORT=${SDEML_SLURM_PORT:-6817}
CONF=$DIR/slurm.conf
PIDS=$DIR/pids

die() {
	echo "slurm.sh: $*" >&2
	exit 1
}

install_missing() {
	local missing=()
	command -v slurmctld >/dev/null || missing+=(slurmctld)
	command -v slurmd >/dev/null || missing+=(slurmd)
	command -v sbatch >/dev/null || missing+=(slurm-client)
	command -v munged >/dev/null || missing+=(munge)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "slurm.sh: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y "${missing[@]}"
	fi
	[ -s /etc/munge/munge.key ] || die "/etc/munge/munge.key is missing or empty (the munge package creates it; else run mungekey)"
}

write_config() {
	local host node
	host=$(hostname -s)
	# slurmd -C prints this machine's NodeName line (CPUs, sockets, cores, RealMemory).
	node=$(slurmd -C | head -n 1)
	[[ $node == NodeName=* ]] || die "slurmd -C printed '$node', want a NodeName= line"
	node="NodeName=$host NodeAddr=127.0.0.1 ${node#NodeName=* }"
	cat >"$CONF" <<EOF
# Written by scripts/slurm.sh: a one-node cluster for tests.
ClusterName=sdeml
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket,cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
DependencyParameters=kill_invalid_depend
MinJobAge=5
KillWait=10
ReturnToService=2
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/d
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

# start NAME CMD...: runs CMD in the background, records "NAME PID" in $PIDS.
start() {
	local name=$1
	shift
	"$@" </dev/null >>"$DIR/$name.out" 2>&1 &
	echo "$name $!" >>"$PIDS"
}

up() {
	[ "$(id -u)" = 0 ] || die "up needs root"
	[ ! -s "$PIDS" ] || die "$PIDS exists: the cluster is up (run '$0 down' first)"
	install_missing
	mkdir -p "$DIR/ctld" "$DIR/d" "$DIR/munge"
	chmod 0755 "$DIR"
	chown munge:munge "$DIR/munge"
	chmod 0755 "$DIR/munge"
	write_config
	: >"$PIDS"
	# munged as the munge user, in the foreground (so $! is munged itself), on our own socket.
	start munged setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F \
		--socket="$DIR/munge/munge.socket" --pid-file="$DIR/munge/munged.pid" \
		--log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed"
	wait_for "munged" 20 test -S "$DIR/munge/munge.socket"
	export SLURM_CONF=$CONF
	start slurmctld /usr/sbin/slurmctld -D -c -f "$CONF" # -c: no jobs from an earlier run
	start slurmd /usr/sbin/slurmd -D -f "$CONF"
	wait_for "the node to be idle" 60 node_idle
	echo "slurm.sh: up ($(sinfo -V)); export SLURM_CONF=$CONF"
}

node_idle() {
	[ "$(sinfo -h -n "$(hostname -s)" -o %T 2>/dev/null)" = idle ]
}

# wait_for WHAT SECONDS CMD...: polls CMD every 0.5 s; fails after SECONDS, showing the logs.
wait_for() {
	local what=$1 secs=$2
	shift 2
	local t=0
	until "$@"; do
		check_alive
		if [ $t -ge $((secs * 2)) ]; then
			tail -n 20 "$DIR"/*.out "$DIR"/*.log "$DIR"/munge/*.log 2>/dev/null >&2 || true
			die "timed out after ${secs}s waiting for $what"
		fi
		sleep 0.5
		t=$((t + 1))
	done
}

# check_alive fails if a recorded daemon has exited.
check_alive() {
	local name pid
	while read -r name pid; do
		kill -0 "$pid" 2>/dev/null || {
			tail -n 20 "$DIR/$name.out" >&2 || true
			die "$name (PID $pid) exited; its output is above, logs in $DIR"
		}
	done <"$PIDS"
}

down() {
	[ -s "$PIDS" ] || {
		echo "slurm.sh: nothing to stop ($PIDS is missing or empty)"
		return 0
	}
	export SLURM_CONF=$CONF
	# Cancel this cluster's jobs first, so no slurmstepd outlives slurmd.
	if scancel --full --quiet --user=root 2>/dev/null; then
		local t=0
		while [ -n "$(squeue -h -o %A 2>/dev/null)" ] && [ $t -lt 30 ]; do
			sleep 0.5
			t=$((t + 1))
		done
	fi
	# Stop in reverse order: slurmd, slurmctld, munged.
	local name pid
	tac "$PIDS" | while read -r name pid; do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]; then
			echo "slurm.sh: $name (PID $pid) is not running"
			continue
		fi
		kill -TERM "$pid"
		local t=0
		while kill -0 "$pid" 2>/dev/null && [ $t -lt 40 ]; do
			sleep 0.25
			t=$((t + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "slurm.sh: $name (PID $pid) ignored SIGTERM for 10 s; sending SIGKILL"
			kill -KILL "$pid"
		fi
		echo "slurm.sh: stopped $name (PID $pid)"
	done
	rm -f "$PIDS"
}

case "${1:-}" in
up) up ;;
down) down ;;
status)
	export SLURM_CONF=$CONF
	[ -s "$PIDS" ] && cat "$PIDS" && check_alive && sinfo
	;;
*) die "usage: $0 up|down|status" ;;
esac
