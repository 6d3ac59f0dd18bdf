"""Figures of the chapter *The rescaling puzzle*."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = ["plot_rescaling_curve", "plot_unit_norms", "plot_relu_fit", "plot_unit_imbalance"]


def plot_rescaling_curve(betas, values, beta_star, min_value, labels=None, ax=None):
    r"""Curves :math:`\beta \mapsto \beta^2\|a\|^2 + \|b\|^2/\beta^2` with their minima marked.

    Parameters
    ----------
    betas : array_like, shape ``(k,)``
        Positive grid of :math:`\beta` (drawn on a log axis).
    values : array_like, shape ``(k,)`` or ``(c, k)``
        The rescaled squared norms, one row per curve.
    beta_star, min_value : array_like, shape ``(c,)``
        Minimizer :math:`\sqrt{\|b\|/\|a\|}` and minimum :math:`2\|a\|\|b\|` of each curve.
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
    ax.plot([], [], "o", color="w", mec="k", label=r"minimum $2\|a\|\|b\|$ at $\beta^2 = \|b\|/\|a\|$")
    ax.set_xscale("log")
    top = 4 * float(np.max(min_value)) if np.max(min_value) > 0 else float(np.max(values))
    ax.set_ylim(0, top)
    ax.set_xlabel(r"rescaling $\beta$")
    ax.set_ylabel(r"$\beta^2\|a\|^2 + \|b\|^2/\beta^2$")
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
        fig, ax = new_figure(width=4.8, height=4.2)
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
    ax.set_xlabel(r"incoming norm $\|(w_k, b_k)\|$")
    ax.set_ylabel(r"outgoing norm $|v_k|$")
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
