"""numpy peer for the meanfield benchmarks (docs/PERFORMANCE.md).

The same steps as BenchmarkStep and BenchmarkMNISTStep in meanfield/bench_test.go, float64:

tanh-gd:   one full-batch GD step of N = 4096 units a*tanh(b*x + c) on the 32-point Gauss-Legendre
           quadrature of U[-1, 1] with target sin(pi x), squared loss, f = (1/N) sum_k F(w_k, x).
tanh-sgd:  one SGD step of the same network on a fresh minibatch of M = 32 uniform samples.
mnist:     one SGD step of the paper's network (fonfonx/MeanFieldSGD models.py): F = a relu(<u, x>),
           p = 784, K = 10, N = 1000, M = 100, softmax cross-entropy, torch-default init, synthetic
           N(0,1) inputs with MNIST's shape.

Run with /usr/bin/python3 (Debian numpy). Prints the median and minimum wall time per step over
repeats and the CPU time per step (all threads of the process). --threads 1 limits OpenBLAS to one
thread (numpy's elementwise work is single-threaded anyway), for comparison with the Go steps' thread
CPU time (go test -run TestStepCPUTime -v ./meanfield/ -args -meanfield.cputime).

Usage: meanfield_peer.py [--threads T] [tanh-gd] [tanh-sgd] [mnist]
"""
import os, sys, time

args = sys.argv[1:]
if "--threads" in args:
    i = args.index("--threads")
    for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = args[i + 1]
    del args[i:i + 2]

import numpy as np

rng = np.random.default_rng(0)


CPU = {}


def timeit(fn, reps):
    """Median and minimum wall time per call; the CPU time per call (all threads) goes to CPU."""
    fn()
    ts = []
    c0 = time.process_time()
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    CPU["last"] = (time.process_time() - c0) / reps
    ts = np.array(ts)
    return np.median(ts), ts.min()


def tanh_step(W, x, y, pi, h):
    A, B, C = W[:, 0], W[:, 1], W[:, 2]
    N = W.shape[0]
    T = np.tanh(np.outer(B, x) + C[:, None])          # N x n
    f = (A @ T) / N                                   # field on the points
    r = pi * (f - y)                                  # pi_q dl/dyhat
    ga = T @ r
    S = (A[:, None] * (1 - T * T)) * r[None, :]
    gb = S @ x
    gc = S.sum(1)
    W[:, 0] -= h * ga
    W[:, 1] -= h * gb
    W[:, 2] -= h * gc


def relu_step(U, A, X, Y, h):
    N = U.shape[0]
    M = X.shape[0]
    Z = X @ U.T                                       # M x N
    H = np.maximum(Z, 0)
    out = H @ A / N                                   # M x K
    out -= out.max(1, keepdims=True)
    P = np.exp(out)
    P /= P.sum(1, keepdims=True)
    G = (P - Y) / M                                   # (1/M) dl/dyhat
    gA = H.T @ G                                      # N x K
    DZ = (G @ A.T) * (Z > 0)                          # M x N
    gU = DZ.T @ X                                     # N x p
    U -= h * gU
    A -= h * gA


what = args or ["tanh-gd", "tanh-sgd", "mnist"]
print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
if "tanh-gd" in what or "tanh-sgd" in what:
    xq, wq = np.polynomial.legendre.leggauss(32)
    pi = wq / 2
    yq = np.sin(np.pi * xq)
    for N in (256, 4096):
        W = rng.standard_normal((N, 3))
        if "tanh-gd" in what:
            med, mn = timeit(lambda: tanh_step(W, xq, yq, pi, 1e-3), 2000 if N < 1000 else 300)
            print(f"tanh GD step N={N} n=32: median {med*1e6:.1f} us, min {mn*1e6:.1f} us, CPU {CPU['last']*1e6:.1f} us")
        if "tanh-sgd" in what:
            def sgd():
                xb = rng.uniform(-1, 1, 32)
                tanh_step(W, xb, np.sin(np.pi * xb), np.full(32, 1 / 32), 1e-3)
            med, mn = timeit(sgd, 2000 if N < 1000 else 300)
            print(f"tanh SGD step N={N} M=32: median {med*1e6:.1f} us, min {mn*1e6:.1f} us, CPU {CPU['last']*1e6:.1f} us")
if "mnist" in what:
    p, K, N, M = 784, 10, 1000, 100
    U = rng.uniform(-1, 1, (N, p)) / np.sqrt(p)
    A = rng.uniform(-1, 1, (N, K)) / np.sqrt(N)
    Xd = rng.standard_normal((1000, p))
    Yd = np.eye(K)[rng.integers(0, K, 1000)]
    h = 1.0 * N ** 0.5 / N

    def step():
        idx = rng.integers(0, 1000, M)
        relu_step(U, A, Xd[idx], Yd[idx], h)
    med, mn = timeit(step, 100)
    print(f"MNIST ReLU SGD step N={N} M={M}: median {med*1e3:.2f} ms, min {mn*1e3:.2f} ms, CPU {CPU['last']*1e3:.2f} ms")
