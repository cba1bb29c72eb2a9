"""Peer for the exact W1 assignment benchmarks of internal/ot (BenchmarkW1Cases).

Builds the same instances as internal/ot/cases_test.go (splitmix64 stream, seed 1000*m + case
index; sample 0 then sample 1), the Euclidean cost matrix, and times
scipy.optimize.linear_sum_assignment on it (thread CPU time and wall clock, minimum over reps;
the cost matrix is timed separately, wall clock). The uniforms are bit-identical to Go's; sin,
log and cos may differ in the last bit, so W1 agrees to about 1e-15 relative. Run with
/usr/bin/python3 (docs/bench/ot_bench.sh runs it next to the Go side):

    /usr/bin/python3 docs/bench/ot_peer.py [-m 500,2000] [-reps 3] [case ...]
"""
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

GAMMA = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


class SplitMix:
    """splitmix64, vectorised: next(n) returns the next n outputs of the stream."""

    def __init__(self, seed):
        self.s = np.uint64(seed)

    def next(self, n):
        with np.errstate(over="ignore"):
            k = np.arange(1, n + 1, dtype=np.uint64)
            z = self.s + k * GAMMA
            self.s = z[-1] if n > 0 else self.s
            z = (z ^ (z >> np.uint64(30))) * M1
            z = (z ^ (z >> np.uint64(27))) * M2
            return z ^ (z >> np.uint64(31))

    def uniform(self, n):
        return (self.next(n) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def normal(self, n):
        u = self.uniform(2 * n)
        u1, u2 = u[0::2], u[1::2]
        return np.sqrt(-2 * np.log(1 - u1)) * np.cos(2 * np.pi * u2)


def curve(sigma):
    def gen(g, m, which):
        t = g.uniform(m)
        x = np.stack([t, 0.5 + 0.3 * np.sin(2 * np.pi * t)], axis=1)
        if sigma > 0 and which == 0:
            x = np.clip(x + sigma * g.normal(2 * m).reshape(m, 2), 0, 1)
        return x
    return gen


def subspace(d, D):
    w = np.array([[1 + ((k + 1) * (l + 2)) % 5 for l in range(d)] for k in range(D)], dtype=float)
    w /= w.sum(axis=1, keepdims=True)

    def gen(g, m, which):
        z = g.uniform(m * d).reshape(m, d)
        # Same summation order as the Go code: Σ_l w_kl z_l, l ascending.
        x = np.zeros((m, D))
        for l in range(d):
            x += z[:, l:l + 1] * w[:, l][None, :]
        return x
    return gen


def grid(levels, dim):
    def gen(g, m, which):
        return (g.next(m * dim) % np.uint64(levels)).astype(float).reshape(m, dim) / (levels - 1)
    return gen


def cube(dim):
    def gen(g, m, which):
        return g.uniform(m * dim).reshape(m, dim)
    return gen


CASES = [
    ("uniform2", cube(2)),
    ("uniform8", cube(8)),
    ("curve", curve(0)),
    ("curve-noise", curve(0.01)),
    ("segment2", subspace(1, 2)),
    ("line8", subspace(1, 8)),
    ("plane8", subspace(2, 8)),
    ("cube3in10", subspace(3, 10)),
    ("grid5", grid(5, 2)),
    ("grid20", grid(20, 2)),
]


def samples(idx, m):
    g = SplitMix(1000 * m + idx)
    gen = CASES[idx][1]
    x = gen(g, m, 0)
    y = gen(g, m, 1)
    return x, y


def cost(x, y):
    # Same arithmetic as the Go cost matrix: Σ_k (x_k − y_k)², k ascending, then sqrt.
    s = np.zeros((x.shape[0], y.shape[0]))
    for k in range(x.shape[1]):
        d = x[:, k][:, None] - y[:, k][None, :]
        s += d * d
    return np.sqrt(s)


def main():
    args = sys.argv[1:]
    sizes, reps, names = [500, 2000], 3, []
    while args:
        a = args.pop(0)
        if a == "-m":
            sizes = [int(v) for v in args.pop(0).split(",")]
        elif a == "-reps":
            reps = int(args.pop(0))
        else:
            names.append(a)
    for m in sizes:
        for idx, (name, _) in enumerate(CASES):
            if names and name not in names:
                continue
            x, y = samples(idx, m)
            t0 = time.perf_counter()
            C = cost(x, y)
            tc = time.perf_counter() - t0
            walls, cpus = [], []
            for _ in range(reps):
                c0, w0 = time.thread_time(), time.perf_counter()
                r, c = linear_sum_assignment(C)
                walls.append(time.perf_counter() - w0)
                cpus.append(time.thread_time() - c0)
            w1 = C[r, c].sum() / m
            print(f"scipy {name} m={m}: solver thread CPU min {min(cpus):.4f} s; cost matrix {tc:.4f} s; W1 {w1:.10f}"
                  f" (solver wall min {min(walls):.4f} s)", flush=True)


if __name__ == "__main__":
    main()
