"""PyTorch peer for reflected.BenchmarkDSMStep and reflected.BenchmarkSampler.

Same work as the Go benchmarks: a ReLU MLP (D + 17 inputs -> 128 -> 128 -> 128 -> D),
one Adam step of the DSM loss on a batch of 128 (log-uniform t on [2e-4, T], exact
reflected noising by folding, images-series target score as a softmax over 2x7 images),
and one reverse-sampler run (2000 particles, 400 geometric steps, fold, Tweedie).

Run with the system Python:  /usr/bin/python3 examples/reflected/peers/torch_dsm.py [D ...]
Prints ms per DSM step and samples/s, for float64 and float32 (THREADS=k sets torch threads, default 2).

Image model (reflected.BenchmarkImageModel):  torch_dsm.py image
D = 64 (8x8 images), hidden 256-256-256, one DSM epoch over n = 10000 points
(79 Adam steps of batch 128) and one sampler run of 1000 particles x 200 steps, Tweedie.
"""
import math
import sys
import time

import torch

import os
torch.set_num_threads(int(os.environ.get("THREADS", "2")))


def fold(u):
    r = torch.remainder(u, 2.0)
    return torch.where(r > 1, 2 - r, r)


def score_images(x, y, t, N=3):
    # d/dx log p_t(x, y), images y_j = +-y + 2n, softmax of -(x - y_j)^2 / (2t)
    n = torch.arange(-N, N + 1, dtype=x.dtype)
    imgs = torch.cat([y.unsqueeze(-1) + 2 * n, -y.unsqueeze(-1) + 2 * n], dim=-1)
    d = x.unsqueeze(-1) - imgs
    w = torch.softmax(-d * d / (2 * t.unsqueeze(-1)), dim=-1)
    return -(w * d).sum(-1) / t


def embed(t, F=8):
    lt = torch.log(t)
    feats = [lt / 4]
    for j in range(1, F + 1):
        feats += [torch.sin(j * math.pi / 8 * lt), torch.cos(j * math.pi / 8 * lt)]
    return torch.stack(feats, dim=-1)


def make_net(D, dtype, W=128):
    return torch.nn.Sequential(
        torch.nn.Linear(D + 17, W), torch.nn.ReLU(),
        torch.nn.Linear(W, W), torch.nn.ReLU(),
        torch.nn.Linear(W, W), torch.nn.ReLU(),
        torch.nn.Linear(W, D)).to(dtype)


def bench(D, dtype, W=128, n_data=1000, epoch=None, m=2000, K=400):
    """Returns (ms per DSM step or per epoch if epoch is set, sampler samples/s)."""
    torch.manual_seed(0)
    net = make_net(D, dtype, W)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = torch.rand(n_data, D, dtype=dtype)
    T = 2 * math.log(2 * D / 1e-3) / math.pi ** 2
    t0 = 2e-4

    def step():
        idx = torch.randint(0, n_data, (128,))
        x0 = data[idx]
        t = t0 * torch.exp(math.log(T / t0) * torch.rand(128, dtype=dtype))
        st = torch.sqrt(t).unsqueeze(-1)
        xt = fold(x0 + st * torch.randn_like(x0))
        target = st * score_images(xt, x0, t.unsqueeze(-1).expand_as(xt))
        out = net(torch.cat([2 * xt - 1, embed(t)], dim=-1))
        loss = ((out - target) ** 2).sum(-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    n = epoch * 3 if epoch else 200
    s = time.perf_counter()
    for _ in range(n):
        step()
    dsm_ms = (time.perf_counter() - s) / n * 1e3
    if epoch:
        dsm_ms *= epoch

    grid = [T * math.exp(math.log(t0 / T) * k / K) for k in range(K + 1)]
    with torch.no_grad():
        s = time.perf_counter()
        x = torch.rand(m, D, dtype=dtype)
        for k in range(K):
            t, h = grid[k], grid[k] - grid[k + 1]
            tt = torch.full((m,), t, dtype=dtype)
            sc = net(torch.cat([2 * x - 1, embed(tt)], dim=-1)) / math.sqrt(t)
            x = fold(x + h * sc + math.sqrt(h) * torch.randn_like(x))
        tt = torch.full((m,), t0, dtype=dtype)
        x = fold(x + t0 * net(torch.cat([2 * x - 1, embed(tt)], dim=-1)) / math.sqrt(t0))
        samp = m / (time.perf_counter() - s)
    return dsm_ms, samp


if __name__ == "__main__":
    if sys.argv[1:] == ["image"]:
        print("torch", torch.__version__, "threads", torch.get_num_threads())
        for dtype in (torch.float64, torch.float32):
            ms, sps = bench(64, dtype, W=256, n_data=10000, epoch=79, m=1000, K=200)
            print(f"{str(dtype):14s} image D=64 256x3: DSM epoch (79 steps x 128) {ms:.1f} ms, sampler (m=1000, 200 steps) {1000 / sps * 1e3:.1f} ms")
        sys.exit(0)
    Ds = [int(a) for a in sys.argv[1:]] or [2, 8]
    print("torch", torch.__version__, "threads", torch.get_num_threads())
    for dtype in (torch.float64, torch.float32):
        for D in Ds:
            ms, sps = bench(D, dtype)
            print(f"{str(dtype):14s} D={D}: DSM step (batch 128) {ms:.3f} ms, sampler (m=2000, 400 steps) {sps:.0f} samples/s")
