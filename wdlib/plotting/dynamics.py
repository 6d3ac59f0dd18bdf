"""Figures of the chapter *Learning dynamics with weight decay*: loss plateaus, per-mode
flows, the escape phase map and singular-value tracks."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

from ._style import COLORS, new_figure

__all__ = ["plot_loss_plateaus", "plot_mode_flows", "plot_escape_phase_map", "plot_mode_tracks"]


def plot_loss_plateaus(runs, xlabel=r"time $t = k\eta$"):
    r"""Objective along gradient-descent runs with the flow's prediction and its plateau ends.

    Parameters
    ----------
    runs : dict
        ``{label: {"t": times, "gd": F along gradient descent, "flow": F predicted by the
        per-mode flow, "escapes": times at which modes are predicted to be learned}}``.
    xlabel : str
        Label of the time axis.
    """
    fig, ax = new_figure(width=7.0, height=3.8)
    for i, (label, r) in enumerate(runs.items()):
        c = COLORS[i % len(COLORS)]
        ax.plot(r["t"], r["gd"], color=c, lw=2.5, alpha=0.6, label=f"{label}: gradient descent")
        ax.plot(r["t"], r["flow"], color="k", lw=1, ls="--")
        for te in r.get("escapes", []):
            ax.axvline(te, color=c, ls=":", lw=1.2)
    ax.plot([], [], color="k", lw=1, ls="--", label="per-mode flow")
    ax.plot([], [], color="gray", ls=":", lw=1.2, label=r"predicted learning times")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"objective $F$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


def plot_mode_flows(panels, ylim=(1e-5, 5.0)):
    r"""Trajectories :math:`s(t)` of the per-mode flow from a fan of starts, one panel per depth.

    Parameters
    ----------
    panels : sequence of dict
        Each with ``"depth"``, ``"t"`` (times), ``"s"`` (array ``(n_starts, n_t)``),
        ``"threshold"`` (escape threshold, ``0`` or ``inf`` when absent) and ``"limit"``
        (the nonzero stable value, or ``nan``).
    ylim : tuple of float
        Range of the logarithmic :math:`s` axis.
    """
    fig, axes = new_figure(ncols=len(panels), width=3.3 * len(panels), height=3.4, sharey=True)
    axes = np.atleast_1d(axes)
    for ax, p in zip(axes, panels):
        s = np.asarray(p["s"], dtype=float)
        thr = p["threshold"]
        for row in s:
            up = row[-1] > row[0]
            ax.semilogy(p["t"], np.maximum(row, ylim[0] / 10), color=COLORS[0] if up else COLORS[1], lw=1.2)
        if 0 < thr < np.inf:
            ax.axhline(thr, color="k", ls="--", lw=1, label=r"escape threshold $s_-$")
        if np.isfinite(p["limit"]):
            ax.axhline(p["limit"], color="k", ls=":", lw=1, label=r"stable root $s_+$")
        ax.set_ylim(*ylim)
        ax.set_title(f"$L = {p['depth']}$")
        ax.set_xlabel(r"time $t$")
    axes[0].set_ylabel(r"mode value $s(t)$")
    axes[-1].legend(loc="lower right", fontsize=8, framealpha=0.9, frameon=True)
    return fig


def plot_escape_phase_map(scales, lams, ranks, global_rank=None, checks=None, xlabel=r"start $s_0$"):
    r"""Rank reached by the flow as a function of the start scale and :math:`\lambda`.

    Parameters
    ----------
    scales, lams : array_like
        Grid of start values (log axis) and of :math:`\lambda`.
    ranks : array_like of int, shape ``(len(lams), len(scales))``
        Number of modes that escape.
    global_rank : array_like of int, optional
        Rank of the global minimizer for each :math:`\lambda` (drawn as a dashed line on
        the colour scale's boundaries: printed as text per band).
    checks : sequence of tuple, optional
        ``(s0, lam, rank_found, rank_predicted)`` from gradient-descent runs: circles where
        they agree, crosses where not.
    """
    ranks = np.asarray(ranks)
    kmax = int(ranks.max()) if ranks.size else 0
    fig, ax = new_figure(width=7.2, height=4.0)
    cmap = ListedColormap(["#f0f0f0"] + [COLORS[i % len(COLORS)] for i in (5, 0, 2, 4, 1, 3)][:kmax])
    norm = BoundaryNorm(np.arange(-0.5, kmax + 1.5), cmap.N)
    mesh = ax.pcolormesh(scales, lams, ranks, cmap=cmap, norm=norm, shading="nearest", alpha=0.75)
    ax.set_xscale("log")
    cb = fig.colorbar(mesh, ax=ax, ticks=np.arange(kmax + 1))
    cb.set_label("modes learned (rank reached)")
    if global_rank is not None:
        g = np.asarray(global_rank)
        for k in np.unique(g):
            band = lams[g == k]
            ax.text(1.02, 0.5 * (band.min() + band.max()), f"global\nrank {k}", transform=ax.get_yaxis_transform(),
                    fontsize=7, va="center")
        for lam_jump in lams[1:][np.diff(g) != 0]:
            ax.axhline(lam_jump, color="k", ls="--", lw=0.8)
    if checks:
        for s0, lam, found, pred in checks:
            ok = found == pred
            ax.plot(s0, lam, marker="o" if ok else "x", ms=6, mfc="none", mec="k" if ok else "r", mew=1.2,
                    ls="none")
        ax.plot([], [], marker="o", mfc="none", mec="k", ls="none", label="gradient descent agrees")
        ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$\lambda$")
    ax.grid(False)
    return fig


def plot_mode_tracks(t, measured, predicted, y=None, marks=None, t_pred=None, ylabel=r"singular values $s_i(t)$"):
    r"""Singular values along gradient descent (solid) over the per-mode flow (dashed).

    Parameters
    ----------
    t : array_like
        Times of ``measured``.
    measured, predicted : array_like, shape ``(n_t, k)`` and ``(n_pred, k)``
        Singular values from gradient descent and from :func:`wdlib.mode_flow`.
    y : array_like, optional
        Target singular values, labelling the modes.
    marks : array_like, optional
        Predicted learning times, drawn as dotted vertical lines.
    t_pred : array_like, optional
        Times of ``predicted`` (default ``t``).
    """
    measured = np.asarray(measured, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    t_pred = t if t_pred is None else t_pred
    fig, ax = new_figure(width=7.0, height=3.8)
    for i in range(measured.shape[1]):
        c = COLORS[i % len(COLORS)]
        lab = f"$y_{i + 1} = {y[i]:g}$" if y is not None else f"mode {i + 1}"
        ax.plot(t, measured[:, i], color=c, lw=2.5, alpha=0.6, label=lab)
        ax.plot(t_pred, predicted[:, i], color="k", lw=1, ls="--")
    if marks is not None:
        for i, m in enumerate(marks):
            if np.isfinite(m):
                ax.axvline(m, color=COLORS[i % len(COLORS)], ls=":", lw=1.2)
    ax.plot([], [], color="k", lw=1, ls="--", label="per-mode flow")
    ax.set_xlabel(r"time $t = k\eta$")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig
