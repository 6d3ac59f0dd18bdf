"""Benchmarks of wdlib against the lower limits and against other ways of computing the same thing.

Run with ``make bench`` (which sets one BLAS thread, as the tests do). Every row
is a ratio measured in one run: the median time of several repetitions of the
routine over the median time of its reference. The table is printed and
written to ``_build/bench/bench.csv`` and ``bench.json``; a log-log scaling
figure of ``minimizer``, ``grad`` and ``hvp`` goes to ``_build/bench/scaling.png``.

These are measurements, not tests: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

import wdlib

OUT = Path(__file__).resolve().parents[1] / "_build" / "bench"


def median_time(fn, repeat=7, min_time=0.05):
    """Median wall time of ``fn()`` over ``repeat`` samples, each looping until ``min_time``."""
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        samples.append(dt / n)
    return float(np.median(samples))


def random_weights(widths, rng):
    return [rng.standard_normal((widths[l + 1], widths[l])) / np.sqrt(widths[l]) for l in range(len(widths) - 1)]


def rows_minimizer(rng, quick):
    rows = []
    shapes = [(100, 100), (500, 300)] + ([] if quick else [(1000, 1000)])
    for shape in shapes:
        Y = rng.standard_normal(shape)
        lam = 0.5 * np.linalg.norm(Y, 2) ** (4 / 3) * wdlib.threshold_constant(3)
        t = median_time(lambda: wdlib.minimizer(Y, lam, 3), repeat=5)
        ref = median_time(lambda: np.linalg.svd(Y, full_matrices=False), repeat=5)
        rows.append(dict(row="minimizer / thin SVD of Y", size=f"{shape[0]}x{shape[1]}, L=3", time_s=t,
                         ref_s=ref, ratio=t / ref, target="<= 1.3", met=t / ref <= 1.3))
    return rows


def row_minimizer_vs_gd(rng):
    """Gradient descent from a warm start (balanced factors of Y, perturbed) until the
    end-to-end matrix is within 1e-8 (relative) of the closed form: a conservative speedup."""
    U, _ = np.linalg.qr(rng.standard_normal((12, 8)))
    V, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    Y = (U * np.array([3.0, 2.6, 2.2, 1.8, 1.5, 1.2, 1.0, 0.8])) @ V.T
    L, lam, lr, target = 3, 0.2, 0.1, 1e-8
    P = wdlib.minimizer(Y, lam, L)
    W0 = [w + 0.1 * rng.standard_normal(w.shape) for w in wdlib.balanced_factors(Y, L)]

    def error(steps):
        W, _ = wdlib.gradient_descent(Y, lam, L, steps=steps, lr=lr, init=W0)
        return np.linalg.norm(wdlib.end_to_end(W) - P) / np.linalg.norm(P)

    lo, hi = 0, 64
    while error(hi) > target:
        lo, hi = hi, 2 * hi
    while hi - lo > 1:  # the fewest steps that reach the target
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if error(mid) > target else (lo, mid)
    t_gd = median_time(lambda: wdlib.gradient_descent(Y, lam, L, steps=hi, lr=lr, init=W0), repeat=3)
    t = median_time(lambda: wdlib.minimizer(Y, lam, L))
    return dict(row="gradient descent to 1e-8 / minimizer", size=f"12x8, L=3, {hi} steps (lr={lr}, warm start)",
                time_s=t_gd, ref_s=t, ratio=t_gd / t, target="report speedup", met=True)


def row_scalar(rng, quick):
    from scipy.optimize import minimize_scalar

    n = 10**5 if quick else 10**6
    L, lam = 4, 0.7
    y = rng.uniform(0, 5, n)
    t = median_time(lambda: wdlib.scalar_minimizers(y, lam, L), repeat=3)
    sub = y[:500]

    def loop():
        out = np.empty(sub.size)
        for i, yi in enumerate(sub):
            f = lambda s: 0.5 * (s - yi) ** 2 + 0.5 * lam * L * s ** (2 / L)  # noqa: E731
            r = minimize_scalar(f, bounds=(0, yi + 1), method="bounded", options={"xatol": 1e-12})
            out[i] = r.x if r.fun < f(0.0) else 0.0
        return out

    ref = median_time(loop, repeat=3) * (n / sub.size)
    return dict(row=f"scalar_minimizers on {n:.0e} values / SciPy bounded loop (scaled)", size=f"n={n}, L=4",
                time_s=t, ref_s=ref, ratio=t / ref, target="report speedup", met=True)


def row_mode_flow(rng, quick):
    """mode_flow on a grid of (y, s0) pairs (L = 3) against gradient descent for the same
    answer: aligned 1x1 depth-3 networks run to the same time (a sample, scaled)."""
    m = 300 if quick else 1000
    L, lam, T, lr = 3, 0.1, 10.0, 0.005
    y = np.linspace(0.05, 3.0, m)
    s0 = np.geomspace(1e-6, 3.0, m)
    Yg, Sg = np.meshgrid(y, s0, indexing="ij")
    t = median_time(lambda: wdlib.mode_flow(Yg, lam, L, Sg, T), repeat=3, min_time=0.0)
    sample = [(float(a), float(b)) for a, b in zip(rng.choice(y, 20), rng.choice(s0, 20))]

    def gd_loop():
        out = []
        for yi, si in sample:
            W, _ = wdlib.gradient_descent(np.array([[yi]]), lam, L, steps=int(T / lr), lr=lr,
                                          init=wdlib.aligned_init(np.array([[yi]]), L, si))
            out.append(wdlib.end_to_end(W)[0, 0])
        return np.array(out)

    ref = median_time(gd_loop, repeat=1, min_time=0.0) * (Yg.size / len(sample))
    err = np.max(np.abs(gd_loop() - wdlib.mode_flow([a for a, _ in sample], lam, L, [b for _, b in sample], T)))
    return dict(row=f"mode_flow on {Yg.size:.0e} (y, s0) pairs / GD to t={T:g} (scaled)",
                size=f"{m}x{m} grid, L=3, GD lr={lr}, max dev {err:.1e}", time_s=t, ref_s=ref, ratio=t / ref,
                target="report speedup", met=True)


def rows_hvp(rng, quick):
    rows = []
    for d in ([64, 256] if quick else [64, 128, 256, 512]):
        for L in ([2, 8] if quick else [2, 4, 8]):
            widths = [d] * (L + 1)
            W = random_weights(widths, rng)
            Y = rng.standard_normal((d, d))
            V = random_weights(widths, rng)
            lam = 0.1
            t_hvp = median_time(lambda: wdlib.hvp(W, Y, lam, V), repeat=5)
            t_grad = median_time(lambda: wdlib.grad(W, Y, lam), repeat=5)
            ratio = t_hvp / t_grad
            rows.append(dict(row="hvp / grad", size=f"d={d}, L={L}", time_s=t_hvp, ref_s=t_grad, ratio=ratio,
                             target="<= 3", met=ratio <= 3))
            h = 1e-6

            def fd():
                Wp = [w + h * v for w, v in zip(W, V)]
                Wm = [w - h * v for w, v in zip(W, V)]
                gp, gm = wdlib.grad(Wp, Y, lam), wdlib.grad(Wm, Y, lam)
                return [(a - b) / (2 * h) for a, b in zip(gp, gm)]

            t_fd = median_time(fd, repeat=5)
            rows.append(dict(row="hvp / finite-difference HVP (2 grads)", size=f"d={d}, L={L}", time_s=t_hvp,
                             ref_s=t_fd, ratio=t_hvp / t_fd, target="report", met=True))
    return rows


def rows_trace(rng):
    rows = []
    for d, L in [(8, 3), (16, 4)]:
        Y = rng.standard_normal((d, d - 2))
        lam = 0.2
        W = wdlib.minimizer_factors(Y, lam, L, widths=[d] * (L - 1))
        t_dense = median_time(lambda: np.trace(wdlib.hessian(W, Y, lam)), repeat=3)
        t_any = median_time(lambda: wdlib.hessian_trace(W, Y, lam))
        t_min = median_time(lambda: wdlib.hessian_trace_at_minimizer(Y, lam, L, widths=[d] * (L - 1)))
        n = sum(w.size for w in W)
        rows.append(dict(row="hessian_trace / trace(hessian)", size=f"{d}x{d - 2}, L={L}, N={n}", time_s=t_any,
                         ref_s=t_dense, ratio=t_any / t_dense, target="report", met=True))
        rows.append(dict(row="hessian_trace_at_minimizer / trace(hessian)", size=f"{d}x{d - 2}, L={L}, N={n}",
                         time_s=t_min, ref_s=t_dense, ratio=t_min / t_dense, target="report", met=True))
    return rows


def rows_spectrum(rng, quick):
    """The whole Hessian spectrum at a minimizer from closed-form blocks, against one thin SVD of Y.

    Also the dense route (form the N x N Hessian, eigvalsh): timed at N ~ 1500 and
    extrapolated as N^3 to the largest N it reaches in the block route's time.
    """
    rows = []
    d, L = (300, 4) if quick else (1000, 4)
    Y = rng.standard_normal((d, d))
    lam = 0.5
    widths = [d] * (L - 1)
    N = L * d * d
    rep = 3
    t = median_time(lambda: wdlib.hessian_spectrum_at_minimizer(Y, lam, L, widths=widths), repeat=rep)
    ref = median_time(lambda: np.linalg.svd(Y, full_matrices=False), repeat=rep)
    rows.append(dict(row="hessian_spectrum_at_minimizer / thin SVD of Y", size=f"{d}x{d}, widths {d}, L={L}, N={N:,}",
                     time_s=t, ref_s=ref, ratio=t / ref, target="<= 8 (goal <= 5)", met=t / ref <= 8))
    Ys = rng.standard_normal((14, 12))
    Ws = wdlib.minimizer_factors(Ys, lam, L, widths=[16] * (L - 1))
    n_small = sum(w.size for w in Ws)
    t_dense = median_time(lambda: np.linalg.eigvalsh(wdlib.hessian(Ws, Ys, lam)), repeat=3)
    t_blocks = median_time(lambda: wdlib.hessian_spectrum_at_minimizer(Ys, lam, L, widths=[16] * (L - 1)), repeat=3)
    n_limit = int(n_small * (t / t_dense) ** (1 / 3))
    rows.append(dict(row="dense eigvalsh(hessian) / block spectrum", size=f"14x12, widths 16, L={L}, N={n_small}",
                     time_s=t_dense, ref_s=t_blocks, ratio=t_dense / t_blocks,
                     target=f"report: dense reaches N ~ {n_limit:,} in the block time for N={N:,}", met=True))
    return rows


def rows_torch(rng, quick):
    try:
        import torch
        from torch.func import grad as tgrad
        from torch.func import jvp
    except ImportError:
        return [dict(row="hvp, grad / torch.func (CPU)", size="-", time_s=float("nan"), ref_s=float("nan"),
                     ratio=float("nan"), target="absent: PyTorch not installed", met=True)]
    torch.set_num_threads(1)
    rows = []
    for d, L in ([(64, 4)] if quick else [(64, 4), (256, 4), (512, 8)]):
        widths = [d] * (L + 1)
        W = random_weights(widths, rng)
        V = random_weights(widths, rng)
        Y = rng.standard_normal((d, d))
        lam = 0.1
        Wt = [torch.tensor(w) for w in W]
        Vt = [torch.tensor(v) for v in V]
        Yt = torch.tensor(Y)

        def F(ws):
            P = ws[0]
            for w in ws[1:]:
                P = w @ P
            return 0.5 * ((P - Yt) ** 2).sum() + 0.5 * lam * sum((w**2).sum() for w in ws)

        g = tgrad(F)
        t_tg = median_time(lambda: g(Wt), repeat=5)
        t_th = median_time(lambda: jvp(g, (Wt,), (Vt,))[1], repeat=5)
        t_g = median_time(lambda: wdlib.grad(W, Y, lam), repeat=5)
        t_h = median_time(lambda: wdlib.hvp(W, Y, lam, V), repeat=5)
        rows.append(dict(row="grad / torch.func.grad", size=f"d={d}, L={L}", time_s=t_g, ref_s=t_tg,
                         ratio=t_g / t_tg, target="report", met=True))
        rows.append(dict(row="hvp / torch.func jvp(grad)", size=f"d={d}, L={L}", time_s=t_h, ref_s=t_th,
                         ratio=t_h / t_th, target="report", met=True))
    return rows


def scaling_figure(rng, quick):
    import matplotlib

    matplotlib.use("Agg")
    from wdlib.plotting import new_figure

    sizes = [32, 64, 128, 256] + ([] if quick else [512, 1024])
    times = {"minimizer (L=3)": [], "grad (L=4)": [], "hvp (L=4)": []}
    for d in sizes:
        Y = rng.standard_normal((d, d))
        W = random_weights([d] * 5, rng)
        V = random_weights([d] * 5, rng)
        times["minimizer (L=3)"].append(median_time(lambda: wdlib.minimizer(Y, 0.1, 3), repeat=3))
        times["grad (L=4)"].append(median_time(lambda: wdlib.grad(W, Y, 0.1), repeat=3))
        times["hvp (L=4)"].append(median_time(lambda: wdlib.hvp(W, Y, 0.1, V), repeat=3))
    fig, ax = new_figure(width=5.5, height=3.8)
    for name, ts in times.items():
        ax.loglog(sizes, ts, "o-", label=name)
    ref = np.array(sizes, dtype=float)
    ax.loglog(sizes, times["grad (L=4)"][-1] * (ref / ref[-1]) ** 3, "k--", lw=1, label=r"$\propto d^3$")
    ax.set_xlabel("width d (all layers d x d)")
    ax.set_ylabel("seconds (median)")
    ax.legend()
    OUT.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT / "scaling.png")
    return {"sizes": sizes, **times}


def fmt(x):
    return "-" if x != x else (f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    steps = [("minimizer", lambda: rows_minimizer(rng, args.quick)), ("gd", lambda: [row_minimizer_vs_gd(rng)]),
             ("scalar", lambda: [row_scalar(rng, args.quick)]),
             ("mode_flow", lambda: [row_mode_flow(rng, args.quick)]), ("hvp", lambda: rows_hvp(rng, args.quick)),
             ("trace", lambda: rows_trace(rng)), ("spectrum", lambda: rows_spectrum(rng, args.quick)),
             ("torch", lambda: rows_torch(rng, args.quick))]
    for name, step in steps:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        rows.extend(step())
    scaling = scaling_figure(rng, args.quick)
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(python=platform.python_version(), numpy=np.__version__, machine=platform.machine(),
               cpus=os.cpu_count(), blas_threads=os.environ.get("OPENBLAS_NUM_THREADS", "default"))
    with open(OUT / "bench.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (OUT / "bench.json").write_text(json.dumps(dict(env=env, rows=rows, scaling=scaling), indent=2, default=str))
    head = f"{'benchmark':<58} {'size':<42} {'time':>10} {'reference':>10} {'ratio':>9}  target"
    print(f"environment: {env}")
    print(head)
    print("-" * len(head))
    for r in rows:
        mark = "" if r["target"].startswith(("report", "absent")) else ("  met" if r["met"] else "  NOT MET")
        print(f"{r['row']:<58} {r['size']:<42} {fmt(r['time_s']):>10} {fmt(r['ref_s']):>10} {r['ratio']:>9.3g}  {r['target']}{mark}")
    print(f"written: {OUT / 'bench.csv'}, {OUT / 'bench.json'}, {OUT / 'scaling.png'}")


if __name__ == "__main__":
    main()
