"""Peer timing for the sgn benchmarks with PyTorch on CPU (float64 by default).

Usage: /usr/bin/python3 torch_sgn.py [--dtype float64|float32] [--threads 2] [--reps 5]
Prints one line per benchmark: name ms_per_op

- persample: per-sample gradient matrix (128 x 269322) of an MLP 784-256-256-10 ReLU with
  softmax cross-entropy, with functorch vmap(grad) (the fast PyTorch way) and with a loop.
- gram: spectrum of the covariance of 256 gradient rows of dimension 269322 (or 10000) through
  the 256x256 Gram matrix (torch.linalg.eigh), with the top 10 eigenvectors G^T u.
- hutchinson: 100 Rademacher probes z^T H z of the mean loss over a batch of 128, with exact
  double-backward Hessian-vector products.
Same sizes as `go test -bench . ./sgn` (BenchmarkPerSampleGrads, BenchmarkCovSpectrum,
BenchmarkHutchinson).
"""
import argparse, time, torch

p = argparse.ArgumentParser()
p.add_argument("--dtype", default="float64")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--reps", type=int, default=5)
a = p.parse_args()
torch.set_num_threads(a.threads)
dt = getattr(torch, a.dtype)
torch.manual_seed(0)
X = torch.rand(1024, 784, dtype=dt)
Y = torch.randint(0, 10, (1024,))
net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)).to(dt)
params = list(net.parameters())
lossf = torch.nn.CrossEntropyLoss()


def timeit(name, fn, reps):
    fn()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    print(f"{name} {1e3 * (time.perf_counter() - t) / reps:.1f}", flush=True)


def persample_vmap():
    from functorch import make_functional, grad, vmap
    f, ps = make_functional(net)

    def loss(p, x, y):
        return lossf(f(p, x.unsqueeze(0)), y.unsqueeze(0))
    g = vmap(grad(loss), in_dims=(None, 0, 0))
    return lambda: torch.cat([t.reshape(128, -1) for t in g(ps, X[:128], Y[:128])], 1)


def persample_loop():
    out = torch.empty(128, sum(q.numel() for q in params), dtype=dt)
    for i in range(128):
        gs = torch.autograd.grad(lossf(net(X[i:i + 1]), Y[i:i + 1]), params)
        out[i] = torch.cat([t.reshape(-1) for t in gs])
    return out


def gram(d):
    G = torch.randn(256, d, dtype=dt)

    def f():
        mean = G.mean(0, keepdim=True)
        D = G - mean
        K = D @ D.T / 256
        vals, U = torch.linalg.eigh(K)
        V = D.T @ U[:, -10:]
        return vals, V / V.norm(dim=0, keepdim=True)
    return f


def hutchinson():
    xb, yb = X[:128], Y[:128]

    def f():
        loss = lossf(net(xb), yb)
        g = torch.autograd.grad(loss, params, create_graph=True)
        acc = 0.0
        for _ in range(100):
            z = [torch.randint(0, 2, q.shape, dtype=dt) * 2 - 1 for q in params]
            hz = torch.autograd.grad(g, params, z, retain_graph=True)
            acc += sum((zi * hi).sum() for zi, hi in zip(z, hz)).item()
        return acc / 100
    return f


timeit("persample_vmap_B128", persample_vmap(), a.reps)
timeit("persample_loop_B128", persample_loop, a.reps)
timeit("gram_B256_d10000", gram(10000), a.reps)
timeit("gram_B256_d269322", gram(269322), a.reps)
timeit("hutchinson_100probes_B128", hutchinson(), max(1, a.reps // 2))
