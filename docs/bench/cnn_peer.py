"""Peer timing: one optimizer step of the study CNN with PyTorch on CPU (nn's BenchmarkCNNStep).

Usage: /usr/bin/python3 docs/bench/cnn_peer.py [--dtype float32|float64] [--threads 2] [--steps 20]
Prints one line per optimizer, and one for a Hessian-vector product by double backward:
name ms_per_step (median over --reps timed blocks of --steps).
Network: conv 1->16 3x3 pad 1, ReLU, max pool 2; conv 16->32 3x3 pad 1, ReLU, max pool 2;
linear 32*7*7 -> 10; softmax cross-entropy; batch 128 of 1024 inputs uniform on [0,1)^(1x28x28).
SGD lr 0.05 momentum 0.9. SAM: ascent on the batch gradient normalised to rho = 0.05, descent
gradient at the perturbed point. m-SAM (m = 16): each micro-batch takes its own ascent and
descent gradient, the descent gradients are averaged (the loop a PyTorch user writes).
"""
import argparse, statistics, time, torch

p = argparse.ArgumentParser()
p.add_argument("--dtype", default="float32")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--reps", type=int, default=5)
p.add_argument("--batch", type=int, default=128)
p.add_argument("--cpu-time", action="store_true", help="time.process_time instead of the wall clock (use with --threads 1 and OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1: the CPU time of the work, insensitive to load)")
a = p.parse_args()
clock = time.process_time if a.cpu_time else time.perf_counter
torch.set_num_threads(a.threads)
dt = getattr(torch, a.dtype)
torch.manual_seed(0)
N = 1024
X = torch.rand(N, 1, 28, 28, dtype=dt)
Y = torch.randint(0, 10, (N,))
nn = torch.nn
net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(32 * 7 * 7, 10)).to(dt)
params = list(net.parameters())
lossf = nn.CrossEntropyLoss()
opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)
rho = 0.05


def batch(i):
    j = (i * a.batch) % N
    return X[j:j + a.batch], Y[j:j + a.batch]


def sgd(i):
    x, y = batch(i)
    opt.zero_grad(); lossf(net(x), y).backward(); opt.step()


def perturb_grad(x, y):
    # ascent on (x, y); leaves the gradient at the perturbed point in .grad, params restored
    net.zero_grad(); lossf(net(x), y).backward()
    with torch.no_grad():
        gn = torch.norm(torch.stack([q.grad.norm() for q in params])) + 1e-12
        eps = [rho * q.grad / gn for q in params]
        for q, e in zip(params, eps): q.add_(e)
    net.zero_grad(); lossf(net(x), y).backward()
    with torch.no_grad():
        for q, e in zip(params, eps): q.sub_(e)


def sam(i):
    x, y = batch(i)
    perturb_grad(x, y); opt.step()


def msam(m):
    def f(i):
        x, y = batch(i)
        acc = [torch.zeros_like(q) for q in params]
        k = a.batch // m
        for s in range(k):
            perturb_grad(x[s * m:(s + 1) * m], y[s * m:(s + 1) * m])
            for g, q in zip(acc, params): g.add_(q.grad, alpha=1.0 / k)
        for g, q in zip(acc, params): q.grad = g
        opt.step()
    return f


V = [torch.randn_like(q) for q in params]


def hvp(i):
    # one Hessian-vector product of the batch loss by double backward (nn's BenchmarkCNNHVP)
    x, y = batch(i)
    g = torch.autograd.grad(lossf(net(x), y), params, create_graph=True)
    torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, V)), params)


print(f"# torch {torch.__version__} {a.dtype} threads {torch.get_num_threads()}")
for name, fn in [("sgd", sgd), ("sam", sam), ("msam16", msam(16)), ("hvp", hvp)]:
    for i in range(3): fn(i)
    times = []
    for r in range(a.reps):
        t = clock()
        for i in range(a.steps): fn(i)
        times.append(1000 * (clock() - t) / a.steps)
    print(f"{name} {statistics.median(times):.3f}")
