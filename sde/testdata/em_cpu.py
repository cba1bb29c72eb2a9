# The loop of docs/bench/peers/numpy_peers.py em (unchanged), timed by wall
# clock and by process CPU time (the machine is shared, so CPU time is the
# figure to compare). Run with /usr/bin/python3.
import time, numpy as np
rng = np.random.default_rng(0)
P, S, T = 10_000, 1000, 1.0
h = T / S; a, b = 1.01, 0.87
t = time.perf_counter(); c = time.process_time()
X = np.full(P, 0.5)
for _ in range(S):
    X += a * X * h + b * X * rng.standard_normal(P) * np.sqrt(h)
dt = time.perf_counter() - t; dc = time.process_time() - c
print(f"em_numpy wall_ns_per_pathstep {1e9*dt/(P*S):.2f} cpu_ns_per_pathstep {1e9*dc/(P*S):.2f}")
