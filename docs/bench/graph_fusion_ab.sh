#!/bin/sh
# A/B: base (commit 7bbe1a7) vs fused (this code), interleaved, one thread, CPU time.
# Build the four test binaries first into BENCH_DIR (default: the current directory):
#   git worktree add /tmp/base 7bbe1a7 && (cd /tmp/base && go test -c -o $BENCH_DIR/nn_base.test ./nn &&
#     go test -c -o $BENCH_DIR/refl_base.test ./reflected)
#   go test -c -o $BENCH_DIR/nn_final.test ./nn && go test -c -o $BENCH_DIR/refl_final.test ./reflected
# then run: BENCH_DIR=... sh docs/bench/graph_fusion_ab.sh
cd "${BENCH_DIR:-.}"
echo "## A/B, GOMAXPROCS=1, nice -n 5, base = 7bbe1a7, fused = $(git rev-parse --short HEAD)"
date -u; uptime; grep -m1 'model name' /proc/cpuinfo
for r in 1 2 3; do
  for t in base final; do
    echo "=== round $r, $t, load $(cut -d' ' -f1-3 /proc/loadavg)"
    GOMAXPROCS=1 nice -n 5 ./nn_$t.test -test.run XXX -test.bench 'ResNetStep(32)?$' -test.benchtime 4x -test.benchmem | grep Bench
    GOMAXPROCS=1 nice -n 5 ./refl_$t.test -test.run XXX -test.bench 'UNet(DSMStep|Score64)(32|_32)?$' -test.benchtime 4x -test.benchmem | grep Bench
  done
done
uptime
