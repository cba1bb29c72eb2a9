"""CPU-time variant of docs/bench/peers/numpy_peers.py hk (same scheme, same workload).

Reports the thread CPU time per evaluation of Lou & Ermon's heat-kernel score for 1e6 points,
for the first full call (what numpy_peers.py times: fresh temporaries, page faults included)
and for a second call (warm allocator). Run with /usr/bin/python3 from the repository root.
"""
import sys, time
import numpy as np

src = open("docs/bench/peers/numpy_peers.py").read().split("what = sys.argv")[0]
exec(src)  # defines rng, score_lou, score_ref exactly as the shared peer
N = 1_000_000
x = rng.random(N); y = rng.random(N); s = np.exp(rng.uniform(np.log(1e-4), np.log(2), N))
score_lou(x[:1000], y[:1000], s[:1000])
for label in ("first call", "second call"):
    c, w = time.thread_time(), time.perf_counter()
    score_lou(x, y, s)
    print(f"hk_numpy {label}: {1e9 * (time.thread_time() - c) / N:.1f} ns/eval thread CPU, "
          f"{1e9 * (time.perf_counter() - w) / N:.1f} ns/eval wall")
