"""CPU-time variant of docs/bench/peers/numpy_peers.py lsap: scipy.optimize.linear_sum_assignment
on Euclidean costs between two uniform 2000-point samples in 2-D (cost matrix included), three
repetitions, thread CPU time and wall time. Run with /usr/bin/python3."""
import time
import numpy as np
from scipy.optimize import linear_sum_assignment

rng = np.random.default_rng(0)
for rep in range(3):
    m = 2000
    A = rng.random((m, 2)); B = rng.random((m, 2))
    c, w = time.thread_time(), time.perf_counter()
    C = np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))
    r, cc = linear_sum_assignment(C)
    print(f"scipy lsap m=2000: thread CPU {time.thread_time() - c:.3f} s, wall {time.perf_counter() - w:.3f} s, w1 {C[r, cc].mean():.5f}")
