#!/bin/sh
# Back-to-back rounds of the numpy Euler–Maruyama GBM peer and the Go
# benchmark (10^4 paths × 10^3 steps), then the normal-variate benchmarks.
# Usage, from the repository root: sh sde/testdata/em_vs_numpy.sh [rounds]
set -e
rounds=${1:-3}
go test -c -o /tmp/sde_em.test ./sde
for r in $(seq "$rounds"); do
	/usr/bin/python3 sde/testdata/em_cpu.py
	/tmp/sde_em.test -test.run XXX -test.bench 'EulerMaruyamaGBM/.*/paths=10000$' -test.benchtime=20x -test.benchmem | grep Bench
done
/tmp/sde_em.test -test.run XXX -test.bench 'Norm' -test.benchtime=20000000x | grep Bench
