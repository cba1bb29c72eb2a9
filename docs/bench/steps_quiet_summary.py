"""Summarise the raw output of docs/bench/steps_quiet.sh as a Markdown table.

Usage: /usr/bin/python3 docs/bench/steps_quiet_summary.py OUT

For each level, thread count, network and step: the median and range over the rounds of
sdeml's wall-clock ms per step (ns/op of the Go benchmark), its process CPU ms per step
(cpu-ms/op), PyTorch float32's ms per step (for m-SAM, its micro-batch loop and its vmap
form), and speedup = PyTorch / sdeml (wall; against the faster of PyTorch's two m-SAM
forms), so > 1 means sdeml is faster.
"""
import collections, re, statistics, sys

go = collections.defaultdict(list)   # (level, threads, net, opt) -> [(wall ms, cpu ms)]
peer = collections.defaultdict(list) # (level, threads, net, opt) -> [ms]
level = threads = net = side = None
for line in open(sys.argv[1]):
    m = re.match(r"=== round \d+, level (\w+) .*threads (\d)", line)
    if m:
        level, threads = m.group(1), m.group(2)
        continue
    m = re.match(r"--- (Go|PyTorch) (MLP|CNN)", line)
    if m:
        side, net = m.group(1), m.group(2)
        continue
    m = re.match(r"Benchmark\w+/opt=(\w+)\S*\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) cpu-ms/op", line)
    if m and side == "Go":
        go[(level, threads, net, m.group(1))].append((float(m.group(2)) / 1e6, float(m.group(3))))
        continue
    m = re.match(r"(sgd|sam|msam16|msam4|msam16v|msam4v) ([\d.]+)$", line.strip())
    if m and side == "PyTorch":
        peer[(level, threads, net, m.group(1))].append(float(m.group(2)))


def med(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})" if xs else "—"


print("| level | threads | net | step | sdeml wall ms | sdeml CPU ms | PyTorch f32 ms (loop; vmap) | speedup |")
print("|---|---|---|---|---|---|---|---|")
for key in sorted(go, key=lambda k: (k[0], -int(k[1]), k[2], ["sgd", "sam", "msam16", "msam4"].index(k[3]))):
    lvl, t, n, opt = key
    wall = [w for w, _ in go[key]]
    cpu = [c for _, c in go[key]]
    p, pv = peer.get(key, []), peer.get((lvl, t, n, opt + "v"), [])
    ps = med(p) + (f"; {med(pv)}" if pv else "")
    best = min([statistics.median(x) for x in (p, pv) if x], default=None)
    sp = f"{best / statistics.median(wall):.2f}" if best else "—"
    print(f"| {lvl} | {t} | {n} | {opt} | {med(wall)} | {med(cpu)} | {ps} | {sp} |")
