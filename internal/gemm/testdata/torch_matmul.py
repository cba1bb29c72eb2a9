#!/usr/bin/python3
"""Peer for BenchmarkDgemm: torch.matmul on the MLP 784-256-256-10 batch-128 shapes.

Same products and transposes as internal/gemm/bench_test.go (weights stored out x in):
fwd  Z = X @ W.T, dW = dZ.T @ X, dX = dZ @ W. Prints GFLOP/s (2*m*n*k flops) per shape
and dtype. Usage: /usr/bin/python3 torch_matmul.py [--threads 2] [--reps 200] [--cpu-time]
With --cpu-time (use with --threads 1) the time is the CPU time of the calling thread
(time.thread_time), comparable with `go test -run TestCPUTime ./internal/gemm/ -args
-gemm.cputime` and insensitive to other load on the machine.
"""
import argparse
import time

import torch

SHAPES = [  # name, transA, transB, m, n, k
    ("fwd/128x784x256", False, True, 128, 256, 784),
    ("fwd/128x256x256", False, True, 128, 256, 256),
    ("fwd/128x256x10", False, True, 128, 10, 256),
    ("dW/256x128x784", True, False, 256, 784, 128),
    ("dW/256x128x256", True, False, 256, 256, 128),
    ("dW/10x128x256", True, False, 10, 256, 128),
    ("dX/128x256x784", False, False, 128, 784, 256),
    ("dX/128x256x256", False, False, 128, 256, 256),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--cpu-time", action="store_true")
    args = ap.parse_args()
    clock = time.thread_time if args.cpu_time else time.perf_counter
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, clock {clock.__name__}")
    for dtype in (torch.float64, torch.float32):
        for name, ta, tb, m, n, k in SHAPES:
            a = torch.randn((k, m) if ta else (m, k), dtype=dtype)
            b = torch.randn((n, k) if tb else (k, n), dtype=dtype)
            opa = a.t() if ta else a
            opb = b.t() if tb else b
            out = torch.empty((m, n), dtype=dtype)
            for _ in range(20):
                torch.matmul(opa, opb, out=out)
            best = float("inf")
            reps = max(args.reps, int(4e9 / (2 * m * n * k))) if args.cpu_time else args.reps
            for _ in range(5):  # best of 5 batches of reps, like picking a quiet run
                t0 = clock()
                for _ in range(reps):
                    torch.matmul(opa, opb, out=out)
                best = min(best, (clock() - t0) / reps)
            gf = 2 * m * n * k / best / 1e9
            print(f"{str(dtype).replace('torch.', ''):8s} {name:18s} {best * 1e6:9.1f} us {gf:7.1f} GFLOP/s")


if __name__ == "__main__":
    main()
