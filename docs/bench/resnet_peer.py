"""Peer timing: one optimizer step of ResNet-8 with PyTorch on CPU (nn's BenchmarkResNetStep).

Usage: /usr/bin/python3 docs/bench/resnet_peer.py [--dtype float32|float64] [--threads 2] [--steps 5] [--clock wall|cpu]
Prints one line per optimizer: name ms_per_step (median over --reps timed blocks of --steps).
Network (nn.ResNet{Width: 16, Classes: 10} on 1x28x28): conv 3x3 1->16, BN, ReLU; three
stages of one post-activation block (16, 32, 64 channels; stride 2 and a 1x1 conv + BN
shortcut at stages 2 and 3): conv 3x3, BN, ReLU, conv 3x3, BN, + shortcut, ReLU; global
average pooling; linear 64 -> 10. Convolutions keep their bias, as nn's do. Softmax
cross-entropy, training mode, batch 128 of 1024 inputs uniform on [0,1) with random labels.
SGD lr 0.05 momentum 0.9. SAM: ascent on the batch gradient normalised to rho = 0.05, descent
gradient at the perturbed point with the BN running statistics frozen (momentum 0 in the
second pass). m-SAM (m = 16): each micro-batch takes its own ascent and descent gradient, the
descent gradients are averaged.
"""
import argparse, statistics, time, torch

p = argparse.ArgumentParser()
p.add_argument("--dtype", default="float32")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=5)
p.add_argument("--reps", type=int, default=3)
p.add_argument("--batch", type=int, default=128)
p.add_argument("--clock", default="wall", choices=["wall", "cpu"], help="wall: time.perf_counter; cpu: time.process_time (CPU of all threads)")
p.add_argument("--only", default="sgd,sam,msam16", help="comma-separated subset of sgd,sam,msam16")
a = p.parse_args()
torch.set_num_threads(a.threads)
dt = getattr(torch, a.dtype)
torch.manual_seed(0)
N = 1024
X = torch.rand(N, 1, 28, 28, dtype=dt)
Y = torch.randint(0, 10, (N,))
nn = torch.nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = torch.relu(self.b1(self.c1(x)))
        h = self.b2(self.c2(h))
        return torch.relu(h + (x if self.short is None else self.short(x)))


net = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU(),
                    Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)).to(dt)
net.train()
params = list(net.parameters())
bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
lossf = nn.CrossEntropyLoss()
opt = torch.optim.SGD(params, lr=0.05, momentum=0.9)
rho = 0.05


def freeze(on):
    for m in bns:
        m.momentum = 0.0 if on else 0.1


def batch(i):
    j = (i * a.batch) % N
    return X[j:j + a.batch], Y[j:j + a.batch]


def sgd(i):
    x, y = batch(i)
    opt.zero_grad(); lossf(net(x), y).backward(); opt.step()


def perturb_grad(x, y, first):
    freeze(not first)
    net.zero_grad(); lossf(net(x), y).backward()
    with torch.no_grad():
        gn = torch.norm(torch.stack([q.grad.norm() for q in params])) + 1e-12
        eps = [rho * q.grad / gn for q in params]
        for q, e in zip(params, eps): q.add_(e)
    freeze(True)
    net.zero_grad(); lossf(net(x), y).backward()
    with torch.no_grad():
        for q, e in zip(params, eps): q.sub_(e)
    freeze(False)


def sam(i):
    x, y = batch(i)
    perturb_grad(x, y, True); opt.step()


def msam(m):
    def f(i):
        x, y = batch(i)
        acc = [torch.zeros_like(q) for q in params]
        k = a.batch // m
        for s in range(k):
            perturb_grad(x[s * m:(s + 1) * m], y[s * m:(s + 1) * m], s == 0)
            for g, q in zip(acc, params): g.add_(q.grad, alpha=1.0 / k)
        for g, q in zip(acc, params): q.grad = g
        opt.step()
    return f


clock = time.perf_counter if a.clock == "wall" else time.process_time
print(f"# torch {torch.__version__} {a.dtype} threads {torch.get_num_threads()} clock {a.clock}")
for name, fn in [("sgd", sgd), ("sam", sam), ("msam16", msam(16))]:
    if name not in a.only.split(","):
        continue
    for i in range(2): fn(i)
    times = []
    for r in range(a.reps):
        t = clock()
        for i in range(a.steps): fn(i)
        times.append(1000 * (clock() - t) / a.steps)
    print(f"{name} {statistics.median(times):.3f}")
