"""Figures of the chapter *Balanced factors and the Schatten quasi-norm*."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = ["plot_schatten_penalties", "plot_factorization_check"]


def plot_schatten_penalties(s, curves, depths, balls):
    r"""The per-singular-value penalty :math:`s^{2/L}` and the unit balls of :math:`\sum_i s_i^{2/L}`.

    Parameters
    ----------
    s : array_like, shape ``(n,)``
        Grid of singular values (left panel, horizontal axis).
    curves : array_like, shape ``(len(depths), n)``
        The penalty :math:`s^{2/L}` on the grid, one row per depth.
    depths : sequence of int
        The depths :math:`L`, used for the legend.
    balls : sequence of (x, y) pairs
        For each depth the boundary of :math:`\{|s_1|^{2/L} + |s_2|^{2/L} \le 1\}`
        (e.g. from :func:`wdlib.schatten_ball_boundary`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    s = np.asarray(s, dtype=float)
    curves = np.asarray(curves, dtype=float)
    depths = list(depths)
    if curves.shape != (len(depths), s.size):
        raise ValueError(f"curves must have shape (len(depths), len(s)) = {(len(depths), s.size)}, got {curves.shape}")
    if len(balls) != len(depths):
        raise ValueError(f"balls must hold one boundary per depth ({len(depths)}), got {len(balls)}")
    fig, (ax1, ax2) = new_figure(ncols=2, width=9.0, height=4.0)
    for i, (L, c) in enumerate(zip(depths, curves)):
        color = COLORS[i % len(COLORS)]
        ax1.plot(s, c, color=color, label=f"$L = {L}$")
        x, y = balls[i]
        ax2.plot(x, y, color=color, label=f"$L = {L}$")
    ax1.set_xlabel("singular value $s$")
    ax1.set_ylabel("penalty per singular value $s^{2/L}$")
    ax1.set_title("penalty of one singular value")
    ax1.legend(loc="upper left")
    ax2.set_aspect("equal")
    ax2.set_xlabel("$s_1$")
    ax2.set_ylabel("$s_2$")
    ax2.set_title(r"unit balls $|s_1|^{2/L} + |s_2|^{2/L} \leq 1$")
    ax2.axhline(0, color="0.6", lw=0.6)
    ax2.axvline(0, color="0.6", lw=0.6)
    return fig


def plot_factorization_check(depths, optimized, closed_form, labels):
    r"""Optimizer value against the closed form :math:`L\sum_i\sigma_i^{2/L}`, per depth and matrix.

    Parameters
    ----------
    depths : array_like, shape ``(m,)``
        The depths on the horizontal axis.
    optimized, closed_form : array_like, shape ``(k, m)``
        For each of ``k`` matrices, the least total squared norm found by an
        optimizer and the closed form, per depth.
    labels : sequence of str
        One legend label per matrix.

    Returns
    -------
    matplotlib.figure.Figure
    """
    depths = np.asarray(depths, dtype=float)
    optimized = np.atleast_2d(np.asarray(optimized, dtype=float))
    closed_form = np.atleast_2d(np.asarray(closed_form, dtype=float))
    if optimized.shape != closed_form.shape or optimized.shape[1] != depths.size:
        raise ValueError(
            f"optimized and closed_form must both have shape (len(labels), len(depths)), got {optimized.shape} and {closed_form.shape}"
        )
    if len(labels) != optimized.shape[0]:
        raise ValueError(f"labels must have one entry per row ({optimized.shape[0]}), got {len(labels)}")
    fig, (ax1, ax2) = new_figure(ncols=2, width=9.0, height=3.8)
    floor = 1e-17  # exact agreement is drawn on this line
    for i, label in enumerate(labels):
        color = COLORS[i % len(COLORS)]
        ax1.plot(depths, closed_form[i], color=color, lw=1.5, label=label)
        ax1.plot(depths, optimized[i], "o", color=color, mfc="none", ms=7)
        rel = np.abs(optimized[i] - closed_form[i]) / np.abs(closed_form[i])
        ax2.semilogy(depths, np.maximum(rel, floor), "o-", color=color, label=label)
    ax1.plot([], [], color="0.3", lw=1.5, label=r"closed form $L\sum_i\sigma_i^{2/L}$")
    ax1.plot([], [], "o", color="0.3", mfc="none", label="optimizer")
    ax1.set_xlabel("depth $L$")
    ax1.set_ylabel(r"least $\sum_l \|W_l\|_F^2$")
    ax1.legend(fontsize=8, loc="upper left")
    ax2.axhline(np.finfo(float).eps, color="0.4", ls="--", lw=0.8, label="machine epsilon")
    ax2.set_xlabel("depth $L$")
    ax2.set_ylabel("relative difference (0 drawn at 1e-17)")
    ax2.set_ylim(0.5 * floor, 1e-6)
    ax2.legend(fontsize=8, loc="upper right")
    return fig
