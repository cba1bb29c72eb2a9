"""PyTorch peer for nn's Hessian-vector products: double backward (autograd.grad of the
gradient with create_graph=True) on a softmax cross-entropy MLP.

Timing:  python3 torch_hvp.py [--dtype float64|float32] [--reps 30] [--threads 1]
         one H(w)v over a batch of 128, MLP 784-256-256-10 ReLU; prints ms per HVP.
Check:   python3 torch_hvp.py --check PREFIX
         reads PREFIX-<act>.json written by `go test ./nn -run TestHVPPeerDump -hvppeer PREFIX`
         (network sizes, activation, data, w, v and Go's H(w)v; parameters flattened per layer
         as W_l row-major (out x in) then b_l) and prints the max relative difference.
"""
import argparse, glob, json, time, torch

p = argparse.ArgumentParser()
p.add_argument("--dtype", default="float64")
p.add_argument("--reps", type=int, default=30)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--check", default="")
a = p.parse_args()
torch.set_num_threads(a.threads)
acts = {"ReLU": torch.relu, "Tanh": torch.tanh, "GELU": torch.nn.functional.gelu}


def unflatten(w, sizes):
    out, o = [], 0
    for i in range(1, len(sizes)):
        n, m = sizes[i], sizes[i - 1]
        out.append((w[o:o + n * m].view(n, m), w[o + n * m:o + n * m + n]))
        o += n * m + n
    return out


def loss(w, sizes, act, x, y):
    h = x
    layers = unflatten(w, sizes)
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = act(h)
    return torch.nn.functional.cross_entropy(h, y)


def hvp(w, v, *args):
    w = w.detach().requires_grad_(True)
    g, = torch.autograd.grad(loss(w, *args), w, create_graph=True)
    hv, = torch.autograd.grad(g, w, grad_outputs=v)
    return hv


if a.check:
    for f in sorted(glob.glob(a.check + "-*.json")):
        d = json.load(open(f))
        sizes = d["sizes"]
        x = torch.tensor(d["x"], dtype=torch.float64).view(-1, sizes[0])
        y = torch.tensor(d["labels"])
        w, v, want = (torch.tensor(d[k], dtype=torch.float64) for k in ("w", "v", "hv"))
        got = hvp(w, v, sizes, acts[d["act"]], x, y)
        err = ((got - want).abs().max() / want.abs().max()).item()
        print(f"{d['act']:5s} max |torch - go| / max |go| = {err:.2e}")
else:
    dt = getattr(torch, a.dtype)
    torch.manual_seed(0)
    sizes = [784, 256, 256, 10]
    n = sum(sizes[i] * sizes[i - 1] + sizes[i] for i in range(1, len(sizes)))
    w, v = torch.randn(n, dtype=dt) * 0.05, torch.randn(n, dtype=dt)
    x, y = torch.rand(128, 784, dtype=dt), torch.randint(0, 10, (128,))
    hvp(w, v, sizes, torch.relu, x, y)
    t = time.perf_counter()
    for _ in range(a.reps):
        hvp(w, v, sizes, torch.relu, x, y)
    print(f"torch {a.dtype} threads {a.threads}: {1e3 * (time.perf_counter() - t) / a.reps:.2f} ms per HVP")
