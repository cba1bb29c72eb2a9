#!/bin/sh
# The exact assignment solver of internal/ot before and after a change, and scipy, in
# interleaved rounds on the cases of internal/ot/cases_test.go (thread CPU of the solver).
# Usage, from the repository root:
#
#     sh docs/bench/ot_interleaved.sh OLD_COMMIT [rounds] [size:reps ...]   # default 2 rounds, 2000:3 5000:1
#
# Builds the package's test binary at OLD_COMMIT (in a temporary directory, from git archive)
# and at the working tree, then per round and size prints "old ..." and "new ..." lines
# (TestW1CasesCPUTime) and scipy's lines (docs/bench/ot_peer.py).
set -e
old=$1
shift
rounds=${1:-2}
[ $# -gt 0 ] && shift
specs=${*:-2000:3 5000:1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$old" | tar -x -C "$tmp"
(cd "$tmp" && go test -c -o "$tmp/old.test" ./internal/ot/)
go test -c -o "$tmp/new.test" ./internal/ot/
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, kernel $(uname -r), old = $old"
for round in $(seq "$rounds"); do
	for spec in $specs; do
		m=${spec%:*}
		reps=${spec#*:}
		echo "# round $round m=$m $(date -u '+%H:%M:%S') load $(cut -d' ' -f1-3 /proc/loadavg)"
		for side in old new; do
			(cd internal/ot && "$tmp/$side.test" -test.run TestW1CasesCPUTime -test.v -test.timeout 60m -ot.cases "$m" -ot.reps "$reps") |
				grep ' go ' | sed "s/^ *cases_cputime_linux_test.go:[0-9]*: go/$side/"
		done
		/usr/bin/python3 docs/bench/ot_peer.py -m "$m" -reps "$reps"
	done
done
echo "# end $(date -u '+%H:%M:%S') load $(cut -d' ' -f1-3 /proc/loadavg)"
