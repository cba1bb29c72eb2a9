"""PyTorch peer of examples/reflectedrecipe -task speed (docs/PERFORMANCE.md, "reflected:
residual score network"): the same residual adaptive-LayerNorm score network (D = 16,
width 128, 3 blocks, 8 time frequencies), float32, 2 threads.

- DSM Adam step at batch 128: log-uniform t, folded noising, preconditioned score
  skip + c_out * F(c_in * (x - mu), e(t)), loss t * |s - target|^2. The peer uses the
  *Gaussian* skip and target (-(x - mu)/(t + var), -z/sqrt(t)) instead of the reflected
  heat kernel's, which is cheaper than the Go side's exact kernel scores.
- Sampler: 200 reflected Euler-Maruyama steps on a geometric grid + a Tweedie step, 1000
  particles.
Wall and CPU (time.process_time) per operation are printed. Arguments: [threads [dsm]]
(default 2 threads; "dsm" skips the sampler).
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
DSM_ONLY = len(sys.argv) > 2 and sys.argv[2] == "dsm"
torch.set_num_threads(THREADS)
torch.manual_seed(0)
D, W, B, FREQS = 16, 128, 3, 8
COND = 1 + 2 * FREQS


class ResMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(D, W)
        self.cond = nn.Linear(COND, W)
        self.mod = nn.ModuleList([nn.Linear(W, 2 * W) for _ in range(B)])
        self.fc1 = nn.ModuleList([nn.Linear(W, W) for _ in range(B)])
        self.fc2 = nn.ModuleList([nn.Linear(W, W) for _ in range(B)])
        self.out = nn.Linear(W, D)

    def forward(self, x, c):
        h = self.inp(x)
        e = F.silu(self.cond(c))
        for k in range(B):
            g, b = self.mod[k](e).chunk(2, dim=-1)
            u = F.layer_norm(h, (W,)) * (1 + g) + b
            h = h + self.fc2[k](F.silu(self.fc1[k](u)))
        return self.out(F.layer_norm(h, (W,)))


def embed(t):
    lt = torch.log(t)
    cols = [lt / 4]
    for j in range(1, FREQS + 1):
        cols += [torch.sin(j * math.pi / 8 * lt), torch.cos(j * math.pi / 8 * lt)]
    return torch.stack(cols, dim=-1)


def fold(u):
    r = torch.remainder(u, 2.0)
    return torch.where(r > 1, 2 - r, r)


T0, T1 = 2e-4, 2 * math.log(2 * D / 1e-3) / math.pi ** 2
net = ResMLP()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
data = torch.rand(1000, D) * 0.5 + 0.25
mu, var = data.mean(0), data.var(0)


def cin(t):
    v = t[:, None] + var
    return 1 / torch.sqrt(v / (1 + 12 * v))


def cout(t):
    return torch.sqrt(var.mean() / (t * (t + var.mean())))


def dsm_step(k):
    x0 = data[(torch.arange(128) * 7) % 1000]
    t = T0 * torch.exp(math.log(T1 / T0) * torch.rand(128))
    z = torch.randn(128, D)
    st = torch.sqrt(t)[:, None]
    x = fold(x0 + st * z)
    target = -z / st
    skip = -(x - mu) / (t[:, None] + var)
    s = skip + cout(t)[:, None] * net(cin(t) * (x - mu), embed(t))
    loss = (t[:, None] * (s - target) ** 2).sum(1).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


@torch.no_grad()
def sample(n=1000, steps=200):
    grid = T1 * (T0 / T1) ** (torch.arange(steps + 1, dtype=torch.float64) / steps)
    x = torch.rand(n, D)
    for k in range(steps):
        t, h = float(grid[k]), float(grid[k] - grid[k + 1])
        tt = torch.full((n,), t)
        s = -(x - mu) / (t + var) + cout(tt)[:, None] * net(cin(tt) * (x - mu), embed(tt))
        x = fold(x + h * s + math.sqrt(h) * torch.randn(n, D))
    tt = torch.full((n,), T0)
    s = -(x - mu) / (T0 + var) + cout(tt)[:, None] * net(cin(tt) * (x - mu), embed(tt))
    return fold(x + T0 * s)


def timeit(f, reps):
    w, c = time.perf_counter(), time.process_time()
    for k in range(reps):
        f(k)
    return (time.perf_counter() - w) / reps, (time.process_time() - c) / reps


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {sum(p.numel() for p in net.parameters())} parameters, float32")
for k in range(5):
    dsm_step(k)
w, c = timeit(dsm_step, 200)
print(f"torch: DSM Adam step, batch 128: wall {1e3 * w:.2f} ms, CPU {1e3 * c:.2f} ms per step (200 steps)")
if DSM_ONLY:
    sys.exit(0)
w, c = timeit(lambda k: sample(), 3)
print(f"torch: sampler 200 EM steps + Tweedie, 1000 particles: wall {w:.3f} s, CPU {c:.3f} s per run (3 runs)")
