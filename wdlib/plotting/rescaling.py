"""Figures of the chapter *The rescaling puzzle*."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = [
    "plot_rescaling_curve",
    "plot_unit_norms",
    "plot_relu_fit",
    "plot_unit_imbalance",
    "plot_two_layer_landscape",
]


def plot_rescaling_curve(betas, values, beta_star, min_value, labels=None, ax=None):
    r"""Curves :math:`\beta \mapsto \beta^2\|u\|^2 + \|v\|^2/\beta^2` with their minima marked.

    Parameters
    ----------
    betas : array_like, shape ``(k,)``
        Positive grid of :math:`\beta` (drawn on a log axis).
    values : array_like, shape ``(k,)`` or ``(c, k)``
        The rescaled squared norms, one row per curve.
    beta_star, min_value : array_like, shape ``(c,)``
        Minimizer :math:`\sqrt{\|v\|/\|u\|}` and minimum :math:`2\|u\|\|v\|` of each curve.
    labels : list of str, optional
        Legend entry per curve.
    """
    betas = np.asarray(betas, dtype=float)
    values = np.atleast_2d(np.asarray(values, dtype=float))
    beta_star = np.atleast_1d(np.asarray(beta_star, dtype=float))
    min_value = np.atleast_1d(np.asarray(min_value, dtype=float))
    if ax is None:
        fig, ax = new_figure(width=8.0)
    else:
        fig = ax.figure
    for i, row in enumerate(values):
        c = COLORS[i % len(COLORS)]
        ax.plot(betas, row, color=c, lw=2, label=None if labels is None else labels[i])
        ax.plot([beta_star[i]], [min_value[i]], "o", color=c, ms=7, mec="k")
        ax.axhline(min_value[i], color=c, ls=":", lw=1)
    ax.plot([], [], "o", color="w", mec="k", label=r"minimum $2\|u\|\|v\|$ at $\beta^2 = \|v\|/\|u\|$")
    ax.set_xscale("log")
    top = 4 * float(np.max(min_value)) if np.max(min_value) > 0 else float(np.max(values))
    ax.set_ylim(0, top)
    ax.set_xlabel(r"rescaling $\beta$")
    ax.set_ylabel(r"$\beta^2\|u\|^2 + \|v\|^2/\beta^2$")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    return fig


def plot_unit_norms(incoming, outgoing, incoming_init=None, outgoing_init=None, ax=None):
    r"""Scatter of per-unit incoming norm against outgoing norm, with the diagonal (balance).

    Parameters
    ----------
    incoming, outgoing : array_like, shape ``(m,)``
        Norms at the end of training (filled markers).
    incoming_init, outgoing_init : array_like, optional
        The same at the start (hollow markers), joined to the end by faint lines.
    """
    a = np.asarray(incoming, dtype=float)
    v = np.asarray(outgoing, dtype=float)
    if ax is None:
        fig, ax = new_figure(width=6.4, height=4.0)
    else:
        fig = ax.figure
    top = max(a.max(), v.max())
    if incoming_init is not None:
        a0 = np.asarray(incoming_init, dtype=float)
        v0 = np.asarray(outgoing_init, dtype=float)
        top = max(top, a0.max(), v0.max())
        for i in range(a.size):
            ax.plot([a0[i], a[i]], [v0[i], v[i]], color="0.7", lw=0.7, zorder=1)
        ax.plot(a0, v0, "o", mfc="none", mec=COLORS[1], ms=6, label="start of training", zorder=2)
    ax.plot(a, v, "o", color=COLORS[0], ms=6, label="end of training", zorder=3)
    lim = 1.05 * top
    ax.plot([0, lim], [0, lim], "k--", lw=1, label="balance: incoming = outgoing", zorder=0)
    ax.set_xlim(0, lim)
    ax.set_ylim(0, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(r"incoming norm $\|u_k\| = \|(w_k, b_k)\|$")
    ax.set_ylabel(r"outgoing norm $|v_k|$")
    if fig.get_constrained_layout():
        fig.legend(*ax.get_legend_handles_labels(), loc="outside right center")
    else:
        ax.legend(loc="upper left")
    return fig


def plot_relu_fit(x, y, x_grid, f_grid, kinks=None, ax=None):
    r"""Training data and a fitted one-dimensional network function.

    Parameters
    ----------
    x, y : array_like, shape ``(n,)``
        Training inputs and targets.
    x_grid, f_grid : array_like, shape ``(k,)``
        Dense grid and the network's outputs on it.
    kinks : array_like, optional
        Breakpoints :math:`-b_k/w_k` of the active units (drawn as ticks).
    """
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.figure
    ax.plot(x_grid, f_grid, color=COLORS[0], lw=2, label="trained network $f$")
    ax.plot(x, y, "o", color=COLORS[1], ms=5, label="training data")
    if kinks is not None and len(kinks):
        kinks = np.asarray(kinks, dtype=float)
        lo, hi = ax.get_ylim()
        ax.plot(kinks, np.full_like(kinks, lo), "|", color="k", ms=12, label="kinks of active units")
        ax.set_ylim(lo, hi)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    if fig.get_constrained_layout():
        fig.legend(*ax.get_legend_handles_labels(), loc="outside right center")
    else:
        ax.legend()
    return fig


def plot_unit_imbalance(time, imbalances, lams, max_units=6, ax=None):
    r"""Per-unit imbalance :math:`|D_k(t)|` along training runs against :math:`e^{-2\lambda t}|D_k(0)|`.

    Parameters
    ----------
    time : list of array_like
        Time :math:`t = \eta k` of each run.
    imbalances : list of array_like, each ``(steps + 1, m)``
        ``history["imbalance"]`` of each run.
    lams : list of float
        Weight decay of each run (one panel per run).
    max_units : int
        Units drawn per panel (the first ones).
    """
    fig, axes = new_figure(ncols=len(lams), width=3.6 * len(lams), height=3.8)
    axes = np.atleast_1d(axes)
    for ax, t, D, lam in zip(axes, time, imbalances, lams):
        t = np.asarray(t, dtype=float)
        D = np.abs(np.asarray(D, dtype=float))
        for k in range(min(max_units, D.shape[1])):
            c = COLORS[k % len(COLORS)]
            ax.semilogy(t, D[:, k], color=c, lw=3, alpha=0.8)
            ax.semilogy(t, D[0, k] * np.exp(-2 * lam * t), color="k", ls="--", lw=1)
        ax.set_title(rf"$\lambda = {lam:g}$")
        ax.set_xlabel(r"time $t = \eta \times$ step")
    axes[-1].plot([], [], color="0.4", lw=3, label=r"$|D_k(t)|$ (gradient descent)")
    axes[-1].plot([], [], color="k", ls="--", lw=1, label=r"$e^{-2\lambda t}|D_k(0)|$ (gradient flow)")
    fig.legend(loc="outside lower center", ncols=2)
    axes[0].set_ylabel(r"$|\,\|(w_k,b_k)\|^2 - v_k^2\,|$")
    return fig


def plot_two_layer_landscape(w1, w2, values, titles, minimizers=None, saddles=None, curves=None,
                             width=9.6, height=3.9, n_levels=14):
    r"""Contour maps of a two-parameter objective, one panel per value of :math:`\lambda`.

    Drawn for the scalar two-layer network
    :math:`F(w_1, w_2) = \tfrac12 (w_2 w_1 - y)^2 + \tfrac{\lambda}{2}(w_1^2 + w_2^2)`
    of the chapter *The rescaling puzzle*, but any objective sampled on a grid
    will do. The contour levels are spaced quadratically above the panel's
    minimum, so that the valley floor is resolved.

    Parameters
    ----------
    w1, w2 : array_like, shapes ``(n,)`` and ``(m,)``
        Increasing grids of the two parameters.
    values : array_like, shape ``(p, m, n)``
        Objective values, ``values[i, j, k] = F_i(w1[k], w2[j])``, one map per panel.
    titles : sequence of str
        One title per panel.
    minimizers, saddles : sequence of array_like, optional
        Per panel, points of shape ``(q, 2)`` (possibly ``q = 0``) marked as
        minimizers (filled dots) and saddles (crosses).
    curves : sequence of list of array_like, optional
        Per panel, a list of polylines of shape ``(r, 2)`` drawn as a thick
        line (for instance the hyperbola :math:`w_1 w_2 = y` of minimizers
        at :math:`\lambda = 0`).
    width, height : float
        Figure size in inches.
    n_levels : int
        Number of contour levels per panel.

    Returns
    -------
    matplotlib.figure.Figure
        One square panel per map; the legend sits below the panels.
    """
    w1 = np.asarray(w1, dtype=float)
    w2 = np.asarray(w2, dtype=float)
    values = np.asarray(values, dtype=float)
    if w1.ndim != 1 or w2.ndim != 1 or w1.size < 2 or w2.size < 2:
        raise ValueError("w1 and w2 must be 1-D grids with at least two points")
    if np.any(np.diff(w1) <= 0) or np.any(np.diff(w2) <= 0):
        raise ValueError("w1 and w2 must be increasing")
    if values.ndim == 2:
        values = values[None]
    if values.ndim != 3 or values.shape[1:] != (w2.size, w1.size):
        raise ValueError(f"values must have shape (panels, {w2.size}, {w1.size}), got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite")
    p = values.shape[0]
    if isinstance(titles, str) or len(titles) != p:
        raise ValueError(f"titles must be a sequence of {p} strings, one per panel")
    for name, seq in (("minimizers", minimizers), ("saddles", saddles), ("curves", curves)):
        if seq is not None and len(seq) != p:
            raise ValueError(f"{name} must give one entry per panel ({p}), got {len(seq)}")
    if isinstance(n_levels, bool) or not isinstance(n_levels, (int, np.integer)) or n_levels < 2:
        raise ValueError("n_levels must be an integer >= 2")
    fig, axes = new_figure(ncols=p, width=width, height=height, squeeze=False, sharex=True, sharey=True)
    axes = axes[0]
    X1, X2 = np.meshgrid(w1, w2)
    labelled = set()

    def _label(key, text):
        if key in labelled:
            return None
        labelled.add(key)
        return text

    for i, ax in enumerate(axes):
        v = values[i]
        lo, hi = float(v.min()), float(np.quantile(v, 0.85))
        if hi <= lo:
            hi = lo + 1.0
        levels = lo + (hi - lo) * np.linspace(0.0, 1.0, int(n_levels)) ** 2
        ax.contourf(X1, X2, v, levels=levels, cmap="Blues_r", extend="max")
        ax.contour(X1, X2, v, levels=levels, colors="0.35", linewidths=0.5)
        if curves is not None:
            for line in curves[i]:
                line = np.asarray(line, dtype=float)
                ax.plot(line[:, 0], line[:, 1], color=COLORS[1], lw=2.5,
                        label=_label("curve", r"minimizers at $\lambda = 0$: $w_1 w_2 = y$"))
        if minimizers is not None:
            pts = np.asarray(minimizers[i], dtype=float).reshape(-1, 2)
            if len(pts):
                ax.plot(pts[:, 0], pts[:, 1], "o", color=COLORS[1], mec="k", ms=8,
                        label=_label("min", "global minimizer"))
        if saddles is not None:
            pts = np.asarray(saddles[i], dtype=float).reshape(-1, 2)
            if len(pts):
                ax.plot(pts[:, 0], pts[:, 1], "X", color=COLORS[4], mec="k", ms=9,
                        label=_label("saddle", "saddle point"))
        ax.plot(w1, w1, color="k", ls="--", lw=0.8,
                label=_label("diag", r"balanced line $w_1 = w_2$"))
        ax.set_xlim(w1[0], w1[-1])
        ax.set_ylim(w2[0], w2[-1])
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_title(str(titles[i]))
        ax.set_xlabel(r"$w_1$")
    axes[0].set_ylabel(r"$w_2$")
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    fig.legend(handles, labels, loc="outside lower center", ncols=max(1, len(labels)))
    return fig
