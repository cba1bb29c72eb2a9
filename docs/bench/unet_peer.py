"""PyTorch peer of the U-Net score network of examples/reflectedimages (docs/PERFORMANCE.md,
"reflected: U-Net score network"): nn.UNet{C: 1, H: 28, W: 28, Widths: 16, 32, 32} built
layer for layer (GroupNorm with 8 groups, SiLU, ScaleShift from a Fourier + MLP embedding of
a constant noise plane, AvgPool down, nearest Upsample + conv + concat up), 134 497
parameters, in float32 and float64.

- DSM Adam step at batch 64: log-uniform t, Gaussian noising and target -z/sqrt(t),
  loss t * |s - target|^2 with s = F(x)/sqrt(t) (cheaper than the Go side's preconditioned
  reflected-kernel targets).
- One score evaluation of 64 images (one sampler step's network cost).
Wall and CPU (time.process_time) per operation are printed. Arguments: [threads [reps]]
(default 2 threads, 5 repetitions).
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(THREADS)
torch.manual_seed(0)
WIDTHS, FREQS = [16, 32, 32], 8
EMB = 4 * WIDTHS[0]


def gn(c):
    g = min(c, 8)
    while c % g:
        g -= 1
    return nn.GroupNorm(g, c)


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.n1, self.c1 = gn(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.mod = nn.Linear(EMB, 2 * cout)
        self.n2, self.c2 = gn(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, h, e):
        a = self.c1(F.silu(self.n1(h)))
        g, b = self.mod(e).chunk(2, dim=1)
        a = self.n2(a) * (1 + g[:, :, None, None]) + b[:, :, None, None]
        a = self.c2(F.silu(a))
        return a + (self.skip(h) if self.skip is not None else h)


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        w = WIDTHS
        self.omega = torch.tensor([32.0 ** (j / (FREQS - 1)) for j in range(FREQS)])
        self.e1, self.e2 = nn.Linear(1 + 2 * FREQS, EMB), nn.Linear(EMB, EMB)
        self.cin = nn.Conv2d(2, w[0], 3, padding=1)
        self.down = nn.ModuleList()
        c = w[0]
        for x in w:
            self.down.append(Block(c, x))
            c = x
        self.mid = Block(c, c)
        self.upc, self.up = nn.ModuleList(), nn.ModuleList()
        for l in range(len(w) - 2, -1, -1):
            self.upc.append(nn.Conv2d(c, w[l], 3, padding=1))
            self.up.append(Block(2 * w[l], w[l]))
            c = w[l]
        self.nout, self.cout = gn(c), nn.Conv2d(c, 1, 3, padding=1)

    def forward(self, x):
        v = x[:, 1].mean(dim=(1, 2))[:, None]
        f = torch.cat([v, torch.sin(v * self.omega.to(v.dtype)), torch.cos(v * self.omega.to(v.dtype))], 1)
        e = F.silu(self.e2(F.silu(self.e1(f))))
        h = self.cin(x)
        skips = []
        for l, blk in enumerate(self.down):
            h = blk(h, e)
            skips.append(h)
            if l < len(self.down) - 1:
                h = F.avg_pool2d(h, 2)
        h = self.mid(h, e)
        for k, (conv, blk) in enumerate(zip(self.upc, self.up)):
            h = conv(F.interpolate(h, scale_factor=2, mode="nearest"))
            h = blk(torch.cat([h, skips[len(skips) - 2 - k]], 1), e)
        return self.cout(F.silu(self.nout(h)))


def timed(fn, reps):
    fn()
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - w0) / reps, (time.process_time() - c0) / reps


for dtype in (torch.float32, torch.float64):
    torch.manual_seed(0)
    net = UNet().to(dtype)
    nparams = sum(p.numel() for p in net.parameters())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = torch.rand(512, 1, 28, 28, dtype=dtype)

    def step():
        idx = torch.randint(0, 512, (64,))
        y = data[idx]
        t = torch.exp(math.log(2e-4) + (math.log(2.0) - math.log(2e-4)) * torch.rand(64, 1, 1, 1, dtype=dtype))
        z = torch.randn_like(y)
        xt = y + t.sqrt() * z
        inp = torch.cat([2 * xt - 1, (t.log() / 4).expand(-1, 1, 28, 28)], 1)
        s = net(inp) / t.sqrt()
        loss = (t * (s + z / t.sqrt()) ** 2).sum(dim=(1, 2, 3)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    xs = torch.cat([data[:64], torch.full((64, 1, 28, 28), math.log(0.01) / 4, dtype=dtype)], 1)

    def score():
        with torch.no_grad():
            net(xs)

    ws, cs = timed(step, REPS)
    wf, cf = timed(score, REPS)
    name = str(dtype).replace("torch.", "")
    print(f"torch {torch.__version__} {name} threads {THREADS} params {nparams}: "
          f"DSM Adam step b64 {ws*1e3:.1f} ms wall {cs*1e3:.1f} ms CPU; "
          f"score 64 images {wf*1e3:.1f} ms wall {cf*1e3:.1f} ms CPU", flush=True)
