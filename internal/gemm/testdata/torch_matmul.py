#!/usr/bin/python3
"""Peer for BenchmarkDgemm: torch.matmul on the MLP 784-256-256-10 batch-128 shapes.

Same products and transposes as internal/gemm/bench_test.go (weights stored out x in):
fwd  Z = X @ W.T, dW = dZ.T @ X, dX = dZ @ W. Prints GFLOP/s (2*m*n*k flops) per shape
and dtype, and the CNN chunk shapes of BenchmarkDgemm. Usage: /usr/bin/python3
torch_matmul.py [--threads 2] [--reps 200] [--cpu-time] [--dtypes float64,float32]
(OPENBLAS_CORETYPE=Haswell forces OpenBLAS's AVX2 kernels on an AVX-512 CPU; OPENBLAS_NUM_THREADS
defaults to --threads: torch.set_num_threads does not size OpenBLAS's pool, and with two
OpenBLAS threads the thread CPU time of --cpu-time counted half the work.)
With --cpu-time (use with --threads 1) the time is the CPU time of the calling thread
(time.thread_time), comparable with `go test -run TestCPUTime ./internal/gemm/ -args
-gemm.cputime` and insensitive to other load on the machine.
"""
import argparse
import os
import time

SHAPES = [  # name, transA, transB, m, n, k
    ("fwd/128x784x256", False, True, 128, 256, 784),
    ("fwd/128x256x256", False, True, 128, 256, 256),
    ("fwd/128x256x10", False, True, 128, 10, 256),
    ("dW/256x128x784", True, False, 256, 784, 128),
    ("dW/256x128x256", True, False, 256, 256, 128),
    ("dW/10x128x256", True, False, 10, 256, 128),
    ("dX/128x256x784", False, False, 128, 784, 256),
    ("dX/128x256x256", False, False, 128, 256, 256),
    ("fwd/16x784x256", False, True, 16, 256, 784),
    ("dW/256x16x784", True, False, 256, 784, 16),
    ("fwd/4x784x256", False, True, 4, 256, 784),
    ("dW/256x4x784", True, False, 256, 784, 4),
    ("cnn/conv1-fwd/6272x9x16", False, True, 6272, 16, 9),
    ("cnn/conv1-dW/16x6272x9", True, False, 16, 9, 6272),
    ("cnn/conv2-fwd/1568x144x32", False, True, 1568, 32, 144),
    ("cnn/conv2-dW/144x1568x32", True, False, 144, 32, 1568),
    ("cnn/conv2-dX/1568x32x144", False, False, 1568, 144, 32),
    ("cnn/dense-dW/1568x8x10", True, False, 1568, 10, 8),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--cpu-time", action="store_true")
    ap.add_argument("--dtypes", default="float64,float32")
    ap.add_argument("--flops", type=float, default=4e9, help="flops per timed batch with --cpu-time")
    args = ap.parse_args()
    # OpenBLAS keeps its own thread pool, which torch.set_num_threads does not size: without
    # this, --threads 1 --cpu-time counts only the calling thread's share of the work.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    global torch
    import torch
    clock = time.thread_time if args.cpu_time else time.perf_counter
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, clock {clock.__name__}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(default)')}")
    for dtype in [getattr(torch, d) for d in args.dtypes.split(",")]:
        for name, ta, tb, m, n, k in SHAPES:
            a = torch.randn((k, m) if ta else (m, k), dtype=dtype)
            b = torch.randn((n, k) if tb else (k, n), dtype=dtype)
            opa = a.t() if ta else a
            opb = b.t() if tb else b
            out = torch.empty((m, n), dtype=dtype)
            for _ in range(20):
                torch.matmul(opa, opb, out=out)
            best = float("inf")
            reps = max(args.reps, int(args.flops / (2 * m * n * k))) if args.cpu_time else args.reps
            for _ in range(5):  # best of 5 batches of reps, like picking a quiet run
                t0 = clock()
                for _ in range(reps):
                    torch.matmul(opa, opb, out=out)
                best = min(best, (clock() - t0) / reps)
            gf = 2 * m * n * k / best / 1e9
            print(f"{str(dtype).replace('torch.', ''):8s} {name:18s} {best * 1e6:9.1f} us {gf:7.1f} GFLOP/s")


if __name__ == "__main__":
    main()
