#!/bin/sh
# Exact W1 assignment solver (internal/ot) against scipy.optimize.linear_sum_assignment on the
# same instances (curves, segments, low-dimensional pieces of R^D, grids with duplicates,
# uniform samples), thread CPU time, one run. Usage, from the repository root:
#
#     sh docs/bench/ot_bench.sh [sizes] [reps] [cases]   # default 500,2000, 3 reps, all cases
#
# cases is a comma-separated subset of the names in internal/ot/cases_test.go. Prints the
# host, then for each size the Go lines ("go case m=...") and the scipy lines
# ("scipy case m=..."): solver CPU time (minimum over reps), cost matrix time, and W1.
set -e
sizes=${1:-500,2000}
reps=${2:-3}
cases=${3:-}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
go version
/usr/bin/python3 -c 'import scipy, numpy; print("scipy", scipy.__version__, "numpy", numpy.__version__)'
for m in $(echo "$sizes" | tr ',' ' '); do
	go test -count 1 -timeout 60m -run TestW1CasesCPUTime -v ./internal/ot/ -args -ot.cases "$m" -ot.reps "$reps" -ot.only "$cases" | grep ' go ' | sed 's/^ *cases_cputime_linux_test.go:[0-9]*: //'
	/usr/bin/python3 docs/bench/ot_peer.py -m "$m" -reps "$reps" $(echo "$cases" | tr ',' ' ')
	echo "# load after m=$m: $(cut -d' ' -f1-3 /proc/loadavg)"
done
