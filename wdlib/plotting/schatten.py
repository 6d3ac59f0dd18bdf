r"""Figures of the chapters *Balanced factors and the Schatten quasi-norm* and
*From matrices to numbers*.

Every helper only draws: the values it shows are computed by the caller and
passed in.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .._validate import check_depth
from ._style import COLORS, new_figure
from .scalar import _points

__all__ = ["plot_schatten_penalties", "plot_factorization_check", "plot_scalar_slices"]


def plot_schatten_penalties(s, curves, depths, balls):
    r"""The unit balls of :math:`\sum_i s_i^{2/L}` and the penalty :math:`s^{2/L}` of one value.

    Parameters
    ----------
    s : array_like, shape ``(n,)``
        Grid of singular values (right panel, horizontal axis).
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
        Left panel: the unit balls; right panel: the penalty curves; one legend
        to the right of both panels, outside the data.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> s = np.linspace(0, 2, 5)
    >>> fig = wdlib.plotting.plot_schatten_penalties(
    ...     s, [s ** 2, s], [1, 2],
    ...     [wdlib.schatten_ball_boundary(1), wdlib.schatten_ball_boundary(2)])
    >>> len(fig.axes)
    2
    """
    s = np.asarray(s, dtype=float)
    curves = np.asarray(curves, dtype=float)
    depths = list(depths)
    if curves.shape != (len(depths), s.size):
        raise ValueError(
            f"curves must have shape (len(depths), len(s)) = {(len(depths), s.size)}, got {curves.shape}")
    if len(balls) != len(depths):
        raise ValueError(f"balls must hold one boundary per depth ({len(depths)}), got {len(balls)}")
    fig, (ax1, ax2) = new_figure(ncols=2, width=9.5, height=4.2)
    for i, (L, c) in enumerate(zip(depths, curves)):
        color = COLORS[i % len(COLORS)]
        x, y = balls[i]
        ax1.plot(x, y, color=color, lw=1.6, label=f"$L = {L}$")
        ax2.plot(s, c, color=color, lw=1.6)
    ax1.set_aspect("equal")
    ax1.set_xlabel("$s_1$")
    ax1.set_ylabel("$s_2$")
    ax1.set_title(r"unit balls $|s_1|^{2/L} + |s_2|^{2/L} \leq 1$")
    ax1.axhline(0, color="0.6", lw=0.6)
    ax1.axvline(0, color="0.6", lw=0.6)
    ax2.set_xlabel("singular value $s$")
    ax2.set_ylabel("penalty $s^{2/L}$")
    ax2.set_title("penalty of one singular value")
    fig.legend(loc="outside right center")
    return fig


def plot_factorization_check(depths, optimized, closed_form, labels, layer_pairs):
    r"""Optimizer against the closed form: least norms (left), layer singular values (right).

    Parameters
    ----------
    depths : array_like, shape ``(m,)``
        The depths on the horizontal axis of the left panel.
    optimized, closed_form : array_like, shape ``(k, m)``
        For each of ``k`` matrices, the least total squared norm found by an
        optimizer and the closed form :math:`L\sum_i\sigma_i^{2/L}`, per depth.
    labels : sequence of str
        One legend label per matrix.
    layer_pairs : sequence of k array_like of shape ``(p, 2)``
        For each matrix, pairs (predicted :math:`\sigma_i(P)^{1/L}`, measured
        singular value of a layer of the optimizer's factorization), pooled
        over layers and depths. Drawn against the diagonal.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import wdlib
    >>> fig = wdlib.plotting.plot_factorization_check(
    ...     [2, 3], [[2.0, 3.0]], [[2.0, 3.0]], ["P"], [[[1.0, 1.0], [2.0, 2.0]]])
    >>> len(fig.axes)
    2
    """
    depths = np.asarray(depths, dtype=float)
    optimized = np.atleast_2d(np.asarray(optimized, dtype=float))
    closed_form = np.atleast_2d(np.asarray(closed_form, dtype=float))
    if optimized.shape != closed_form.shape or optimized.shape[1] != depths.size:
        raise ValueError("optimized and closed_form must both have shape (len(labels), len(depths)), "
                         f"got {optimized.shape} and {closed_form.shape}")
    if len(labels) != optimized.shape[0]:
        raise ValueError(f"labels must have one entry per row ({optimized.shape[0]}), got {len(labels)}")
    if len(layer_pairs) != optimized.shape[0]:
        raise ValueError(f"layer_pairs must have one array per matrix ({optimized.shape[0]}), "
                         f"got {len(layer_pairs)}")
    pairs = [np.asarray(p, dtype=float).reshape(-1, 2) for p in layer_pairs]
    if any(np.any(p <= 0) or not np.all(np.isfinite(p)) for p in pairs):
        raise ValueError("layer_pairs must hold finite positive (predicted, measured) values")
    fig, (ax1, ax2) = new_figure(ncols=2, width=9.5, height=4.6)
    for i, label in enumerate(labels):
        color = COLORS[i % len(COLORS)]
        ax1.plot(depths, closed_form[i], color=color, lw=1.5, label=label)
        ax1.plot(depths, optimized[i], "o", color=color, mfc="none", ms=7)
        ax2.plot(pairs[i][:, 0], pairs[i][:, 1], "o", color=color, mfc="none", ms=6)
    lo = min(p.min() for p in pairs)
    hi = max(p.max() for p in pairs)
    pad = 0.05 * (hi - lo) if hi > lo else 0.1 * hi
    ax2.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.3", lw=1.0, zorder=0)
    ax2.set_aspect("equal", adjustable="datalim")
    ax1.set_xlabel("depth $L$")
    ax1.set_ylabel(r"least $\sum_l \|W_l\|_F^2$")
    ax1.set_title("least total squared norm")
    ax2.set_xlabel(r"predicted $\sigma_i(P)^{1/L}$")
    ax2.set_ylabel("singular values of each layer")
    ax2.set_title("layers of the optimizer's factors")
    handles, names = ax1.get_legend_handles_labels()
    handles += [Line2D([], [], color="0.3", lw=1.5), Line2D([], [], ls="", marker="o", color="0.3", mfc="none")]
    names += ["closed form (left), diagonal (right)", "optimizer"]
    fig.legend(handles, names, loc="outside lower center", ncol=3, fontsize=9)
    return fig


def plot_scalar_slices(s, panels, width=9.5, height=4.2, ylabel=r"$g(s; y)$"):
    r"""Side-by-side panels of :math:`g(s; y)` for several ``y``, critical points marked.

    Parameters
    ----------
    s : array_like, shape ``(n,)``
        Grid of :math:`s \ge 0`, shared by all panels.
    panels : sequence of dict
        One dict per panel with keys ``"depth"`` (int), ``"lam"`` (float),
        ``"y"`` (shape ``(m,)``), ``"values"`` (shape ``(m, n)``, one curve per
        ``y``), optionally ``"ylim"`` (a pair) and optionally ``"global_points"``, ``"local_points"``,
        ``"barrier_points"``: lists of ``m`` arrays of ``(s, value)`` pairs
        (global minimizers: filled dots; local minimizers that are not global:
        open dots; local maxima, the barrier: crosses).
    width, height : float
        Figure size in inches.
    ylabel : str
        Label of the vertical axes.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, each with its legend below the data.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> s = np.linspace(0, 2, 50)
    >>> vals = wdlib.scalar_objective(s, 1.0, 0.3, 2)
    >>> fig = wdlib.plotting.plot_scalar_slices(
    ...     s, [{"depth": 2, "lam": 0.3, "y": [1.0], "values": [vals]}])
    >>> len(fig.axes)
    1
    """
    s = np.asarray(s, dtype=float).reshape(-1)
    if s.size < 2 or not np.all(np.isfinite(s)):
        raise ValueError(f"s must be a finite 1-D grid with at least 2 points, got shape {s.shape}")
    panels = list(panels)
    if not panels:
        raise ValueError("panels must hold at least one panel")
    fig, axes = new_figure(ncols=len(panels), width=width, height=height, squeeze=False)
    for ax, panel in zip(axes[0], panels):
        if not isinstance(panel, dict):
            raise TypeError(f"each panel must be a dict, got {type(panel).__name__}")
        missing = {"depth", "lam", "y", "values"} - set(panel)
        if missing:
            raise ValueError(f"a panel misses the keys {sorted(missing)}")
        L = check_depth(panel["depth"])
        y = np.asarray(panel["y"], dtype=float).reshape(-1)
        values = np.asarray(panel["values"], dtype=float)
        if values.shape != (y.size, s.size) or not np.all(np.isfinite(values)):
            raise ValueError(f"values must be finite with shape (len(y), len(s)) = {(y.size, s.size)}, "
                             f"got {values.shape}")
        gpts = _points(panel.get("global_points"), y.size, "global_points")
        lpts = _points(panel.get("local_points"), y.size, "local_points")
        bpts = _points(panel.get("barrier_points"), y.size, "barrier_points")
        for j in range(y.size):
            c = COLORS[j % len(COLORS)]
            ax.plot(s, values[j], color=c, lw=1.6, label=f"$y = {y[j]:.3g}$")
            ax.plot(lpts[j][:, 0], lpts[j][:, 1], "o", mfc="white", mec=c, mew=1.6, ms=7, zorder=3)
            ax.plot(gpts[j][:, 0], gpts[j][:, 1], "o", color=c, ms=7, zorder=4)
            ax.plot(bpts[j][:, 0], bpts[j][:, 1], "x", color=c, mew=1.8, ms=8, zorder=3)
        handles, labels = ax.get_legend_handles_labels()
        kinds = [(gpts, Line2D([], [], ls="", marker="o", color="0.3", ms=7), "global min"),
                 (lpts, Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", mew=1.6, ms=7),
                  "local min"),
                 (bpts, Line2D([], [], ls="", marker="x", color="0.3", mew=1.8, ms=8),
                  "barrier (local max)")]
        for pts, handle, name in kinds:  # a legend entry only for markers drawn
            if any(len(p) for p in pts):
                handles.append(handle)
                labels.append(name)
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8.5)
        ax.set_xlabel("$s$")
        ax.set_ylabel(ylabel)
        if panel.get("ylim") is not None:
            ax.set_ylim(*panel["ylim"])
        ax.set_title(f"$L = {L}$, $\\lambda = {float(panel['lam']):g}$")
    return fig
