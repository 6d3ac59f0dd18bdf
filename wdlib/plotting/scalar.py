r"""Figures of the chapter *The scalar problem*.

Both helpers only draw: the objective values, minimizers and thresholds they
show are computed by the caller (with :mod:`wdlib.scalar`) and passed in.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .._validate import as_vector, check_depth
from ._style import COLORS, new_figure

__all__ = ["plot_scalar_objective", "plot_objective_panels", "plot_scalar_bifurcation"]


def _finite_1d(value, name):
    a = as_vector(value, name)
    if a.size < 2:
        raise ValueError(f"{name} must be a 1-D array with at least 2 entries, got shape {a.shape}")
    return a


def _check_title(title):
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}")


def _axes(ax, width, height):
    if ax is None:
        return new_figure(width=width, height=height)
    return ax.figure, ax


def _points(points, m, name):
    """A list of ``m`` arrays of shape (k, 2) (k may be 0), or ``None``."""
    if points is None:
        return [np.zeros((0, 2))] * m
    if len(points) != m:
        raise ValueError(f"{name} must hold one array of (s, value) points per curve ({m}), got {len(points)}")
    out = []
    for i, p in enumerate(points):
        p = np.asarray(p, dtype=float).reshape(-1, 2) if np.size(p) else np.zeros((0, 2))
        if not np.all(np.isfinite(p)):
            raise ValueError(f"{name}[{i}] must hold finite (s, value) pairs")
        out.append(p)
    return out


def plot_scalar_objective(s, values, y, global_points, local_points=None, depth=None, lam=None,
                          ax=None, title=None, ylabel=r"$g(s;y) - g(0;y)$"):
    r"""Curves :math:`s \mapsto g(s; y)` for a few targets ``y``, with their minimizers marked.

    Parameters
    ----------
    s : array_like, shape (n,)
        Grid of :math:`s \ge 0`.
    values : array_like, shape (m, n)
        One curve per target, ``values[j]`` drawn against ``s`` (typically
        :math:`g(s; y_j) - g(0; y_j)`, so all curves start at 0).
    y : array_like, shape (m,)
        The targets, used for the legend.
    global_points : list of m array_like of shape (k, 2)
        ``(s, value)`` of the global minimizers of each curve (filled markers).
    local_points : list of m array_like of shape (k, 2), optional
        ``(s, value)`` of local minimizers that are not global (open markers).
    depth : int, optional
        Depth :math:`L`, shown in the title.
    lam : float, optional
        :math:`\lambda`, shown in the title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default a new figure.
    title : str, optional
        Axes title (default built from ``depth`` and ``lam`` when given).
    ylabel : str
        Label of the vertical axis.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; one line per curve is drawn.
    """
    s = _finite_1d(s, "s")
    y = np.asarray(y, dtype=float).reshape(-1)
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape != (y.size, s.size):
        raise ValueError(f"values must have shape (len(y), len(s)) = {(y.size, s.size)}, got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite")
    gpts = _points(global_points, y.size, "global_points")
    lpts = _points(local_points, y.size, "local_points")
    _check_title(title)
    if depth is not None:
        depth = check_depth(depth)
    fig, ax = _axes(ax, 6.4, 3.8)
    for j in range(y.size):
        c = COLORS[j % len(COLORS)]
        ax.plot(s, values[j], color=c, lw=1.6, label=f"$y = {y[j]:.3g}$")
        if len(gpts[j]):
            ax.plot(gpts[j][:, 0], gpts[j][:, 1], "o", color=c, ms=7, zorder=3)
        if len(lpts[j]):
            ax.plot(lpts[j][:, 0], lpts[j][:, 1], "o", mfc="white", mec=c, mew=1.6, ms=7, zorder=3)
    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], ls="", marker="o", color="0.3", ms=7),
                Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", mew=1.6, ms=7)]
    labels += ["global minimizer", "local, not global"]
    ax.legend(handles, labels, loc="best", fontsize=9)
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel("$s$")
    ax.set_ylabel(ylabel)
    if title is None and depth is not None:
        title = f"$L = {depth}$" + (f", $\\lambda = {lam:g}$" if lam is not None else "")
    if title:
        ax.set_title(title)
    return fig


def plot_objective_panels(x, values, labels, global_points, local_points=None, xlabel="$s$",
                          ylabel=r"$g(s;y) - g(0;y)$", title=None, width=None, height=3.0):
    r"""One-dimensional objective curves in side-by-side panels, minimizers marked.

    One panel per curve, so that markers of different curves never overlap
    (several curves share the minimizer at the origin). Used for slices of the
    scalar objective at several targets and for slices of :math:`F` along the
    balanced line at several :math:`\lambda` (chapter *The scalar problem*).

    Parameters
    ----------
    x : array_like, shape (n,)
        Common grid of the horizontal axis.
    values : array_like, shape (m, n)
        ``values[j]`` is drawn in panel ``j``.
    labels : sequence of str, length m
        Panel titles.
    global_points, local_points : list of m array_like of shape (k, 2)
        ``(x, value)`` of global minimizers (filled) and of local minimizers
        that are not global (open), per curve; ``local_points`` optional.
    xlabel, ylabel : str
        Axis labels (``ylabel`` on the first panel only).
    title : str, optional
        Figure title.
    width : float, optional
        Figure width in inches (default ``2.4 * m + 0.6``).
    height : float
        Figure height in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with ``m`` axes sharing the vertical axis.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 1, 5)
    >>> fig = plot_objective_panels(x, [x**2, x - 1], ["a", "b"], [[(0, 0)], [(1, 0)]])
    >>> len(fig.axes)
    2
    """
    x = _finite_1d(x, "x")
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != x.size:
        raise ValueError(f"values must have shape (m, len(x)) with len(x) = {x.size}, got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite")
    m = values.shape[0]
    if isinstance(labels, str) or len(labels) != m:
        raise ValueError(f"labels must be a sequence of {m} strings (one per curve)")
    gpts = _points(global_points, m, "global_points")
    lpts = _points(local_points, m, "local_points")
    _check_title(title)
    width = 2.4 * m + 0.6 if width is None else float(width)
    fig, axes = new_figure(ncols=m, width=width, height=height, sharey=True)
    axes = np.atleast_1d(axes)
    for j, ax in enumerate(axes):
        c = COLORS[j % len(COLORS)]
        ax.axhline(0.0, color="0.6", lw=0.8)
        ax.plot(x, values[j], color=c, lw=1.8)
        if len(gpts[j]):
            ax.plot(gpts[j][:, 0], gpts[j][:, 1], "o", color=c, ms=7, zorder=3)
        if len(lpts[j]):
            ax.plot(lpts[j][:, 0], lpts[j][:, 1], "o", mfc="white", mec=c, mew=1.6, ms=7, zorder=3)
        ax.set_title(str(labels[j]), fontsize=10)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    handles = [Line2D([], [], ls="", marker="o", color="0.3", ms=7),
               Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", mew=1.6, ms=7)]
    fig.legend(handles, ["global minimizer", "local, not global"], loc="outside lower center",
               ncol=2, fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def plot_scalar_bifurcation(y, depths, global_min, local_min, yc, sc, ysp, ssp, lam=None,
                            ax=None, title=None):
    r"""The minimizer :math:`s^*(y)` of the scalar problem against ``y``, for several depths.

    The global minimizer is drawn solid (its zero part and its positive part as
    separate pieces, so a jump is not drawn as a vertical line); the nonzero
    local minimizer where it is not global (the metastable branch between the
    spinodal :math:`y_{sp}` and :math:`y_c`) is dashed. Filled circles mark
    :math:`(y_c, 0)` and :math:`(y_c, s_c)`, joined by a dotted jump; crosses
    mark the spinodal point :math:`(y_{sp}, s_{sp})`.

    Parameters
    ----------
    y : array_like, shape (n,)
        Increasing grid of targets.
    depths : sequence of int, length d
    global_min : array_like, shape (d, n)
        Largest global minimizer (:func:`wdlib.scalar_minimizer`).
    local_min : array_like, shape (d, n)
        Nonzero local minimizer, ``nan`` where none
        (:func:`wdlib.scalar_local_minimizer`).
    yc, sc, ysp, ssp : array_like, shape (d,)
        Threshold :math:`y_c`, jump :math:`s_c`, spinodal :math:`y_{sp}` and
        :math:`s_{sp}` per depth; ``nan`` where a depth has none (e.g. ``L = 1``).
    lam : float, optional
        :math:`\lambda`, shown in the title.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    y = _finite_1d(y, "y")
    if np.any(np.diff(y) <= 0):
        raise ValueError("y must be strictly increasing")
    depths = [check_depth(L, "depths") for L in np.atleast_1d(depths).tolist()]
    d, n = len(depths), y.size
    arrays = {}
    for name, value in [("global_min", global_min), ("local_min", local_min)]:
        a = np.asarray(value, dtype=float)
        if a.shape != (d, n):
            raise ValueError(f"{name} must have shape (len(depths), len(y)) = {(d, n)}, got {a.shape}")
        arrays[name] = a
    g, loc = arrays["global_min"], arrays["local_min"]
    if not np.all(np.isfinite(g)) or np.any(g < 0):
        raise ValueError("global_min must be finite and non-negative")
    marks = {}
    for name, value in [("yc", yc), ("sc", sc), ("ysp", ysp), ("ssp", ssp)]:
        a = np.asarray(value, dtype=float).reshape(-1)
        if a.shape != (d,):
            raise ValueError(f"{name} must have one entry per depth ({d}), got shape {a.shape}")
        marks[name] = a
    _check_title(title)
    fig, ax = _axes(ax, 6.8, 4.2)
    for i, L in enumerate(depths):
        c = COLORS[i % len(COLORS)]
        pos = np.where(g[i] > 0, g[i], np.nan)
        zero = np.where(g[i] == 0, 0.0, np.nan)
        ax.plot(y, pos, color=c, lw=1.8, label=f"$L = {L}$")
        ax.plot(y, zero, color=c, lw=1.8)
        meta = np.isfinite(loc[i]) & (np.abs(loc[i] - g[i]) > 0)
        if np.any(meta):
            idx = np.flatnonzero(meta)
            idx = np.arange(idx[0], min(idx[-1] + 2, n))  # reach the start of the global branch
            ax.plot(y[idx], loc[i][idx], color=c, lw=1.4, ls="--")
        ycl, scl, yspl, sspl = (marks[k][i] for k in ("yc", "sc", "ysp", "ssp"))
        if np.isfinite(ycl):
            ax.plot([ycl], [0.0], "o", color=c, ms=5, zorder=3)
            if np.isfinite(scl) and scl > 0:
                ax.plot([ycl], [scl], "o", color=c, ms=5, zorder=3)
                ax.plot([ycl, ycl], [0.0, scl], ls=":", color=c, lw=1.2)
        if np.isfinite(yspl) and np.isfinite(sspl) and sspl > 0:
            ax.plot([yspl], [sspl], "x", color=c, ms=7, mew=1.8, zorder=3)
    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color="0.3", lw=1.8), Line2D([], [], color="0.3", lw=1.4, ls="--"),
                Line2D([], [], color="0.3", ls=":", marker="o", ms=5),
                Line2D([], [], color="0.3", ls="", marker="x", ms=7, mew=1.8)]
    labels += ["global minimizer", "local, not global", r"jump at $y_c$", r"spinodal $y_{\mathrm{sp}}$"]
    ax.legend(handles, labels, loc="upper left", fontsize=9, ncol=2)
    ax.set_xlabel("target singular value $y$")
    ax.set_ylabel("minimizer $s$")
    if title is None and lam is not None:
        title = f"$\\lambda = {lam:g}$"
    if title:
        ax.set_title(title)
    return fig
