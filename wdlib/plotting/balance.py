"""Figures of the chapter *Balancedness*.

Every helper takes computed data (a training history, measured errors) and
returns the :class:`matplotlib.figure.Figure` it drew; none of them runs an
optimization itself.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validate import check_lam, check_positive_float
from ._style import COLORS, new_figure

__all__ = ["plot_imbalance_decay", "plot_imbalance_runs", "plot_step_size_errors"]


def _imbalance_array(history, name="history"):
    """The ``(n + 1, L - 1)`` array ``history["imbalance"]``, validated."""
    if not isinstance(history, dict):
        raise TypeError(f"{name} must be the dict returned by wdlib.gradient_descent, got {type(history).__name__}")
    if "imbalance" not in history:
        raise ValueError(f"{name} must have an 'imbalance' entry (as returned by wdlib.gradient_descent)")
    imb = np.asarray(history["imbalance"])
    if imb.dtype == object or imb.dtype.kind not in "biuf":
        raise TypeError(f"{name}['imbalance'] must be an array of real numbers, got dtype {imb.dtype}")
    if imb.ndim != 2 or imb.shape[0] < 1 or imb.shape[1] < 1:
        raise ValueError(
            f"{name}['imbalance'] must be a 2-D array with one row per recorded step and one column per "
            f"pair of layers (depth >= 2), got shape {imb.shape}"
        )
    imb = imb.astype(float)
    if not np.all(np.isfinite(imb)) or np.any(imb < 0):
        raise ValueError(f"{name}['imbalance'] must hold finite non-negative norms")
    return imb


def plot_imbalance_decay(history, lam, lr, ax=None, title=None, legend=True):
    r"""Imbalance norms :math:`\|D_l\|_F` along gradient descent against the predicted decay.

    Draws each :math:`\|D_l(k)\|_F` (solid, one color per pair of layers) with
    the gradient-flow law :math:`e^{-2\lambda \eta k}\|D_l(0)\|_F` (dashed) on a
    log scale. The law is derived in the chapter *Balancedness*; for
    ``lam = 0`` it is a constant.

    Parameters
    ----------
    history : dict
        As returned by :func:`wdlib.gradient_descent` (uses ``"imbalance"``,
        an array of shape ``(n + 1, L - 1)``; the depth must be at least 2).
    lam : float
        Regularization :math:`\lambda \ge 0` of that run.
    lr : float
        Step size :math:`\eta > 0` of that run.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default a new figure.
    title : str, optional
        Axes title.
    legend : bool
        Draw a legend (default ``True``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes; ``2 (L - 1)`` lines are drawn.
    """
    imb = _imbalance_array(history)
    lam = check_lam(lam)
    lr = check_positive_float(lr, "lr")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}")
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.figure
    k = np.arange(imb.shape[0])
    for l in range(imb.shape[1]):
        c = COLORS[l % len(COLORS)]
        ax.semilogy(k, imb[:, l], color=c, lw=2, label=rf"$\|D_{l + 1}\|_F$" if l < 6 else None)
        ax.semilogy(k, imb[0, l] * np.exp(-2 * lam * lr * k), color="k", ls="--", lw=1,
                    label=r"$e^{-2\lambda\eta k}\|D_l(0)\|_F$" if l == 0 else None)
    ax.set_xlabel(r"step $k$")
    ax.set_ylabel("imbalance (Frobenius norm)")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend()
    return fig


def plot_imbalance_runs(histories, lams, lr, titles=None, width=9.6, height=3.6, sharey=True):
    r"""Several runs side by side, one :func:`plot_imbalance_decay` panel each.

    Parameters
    ----------
    histories : sequence of dict
        Histories of :func:`wdlib.gradient_descent` runs (depth at least 2).
    lams : sequence of float
        The :math:`\lambda \ge 0` of each run (same length as ``histories``).
    lr : float
        The common step size :math:`\eta > 0`.
    titles : sequence of str, optional
        One title per panel; by default :math:`\lambda = \dots`.
    width, height : float
        Figure size in inches.
    sharey : bool
        One common (log) y-axis for all panels (default), so that a conserved
        imbalance shows as a flat line on the same scale as a decaying one.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per run; one legend (that of the first panel) below the panels,
        outside the data.
    """
    if isinstance(histories, dict) or not isinstance(histories, (list, tuple)):
        raise TypeError(f"histories must be a list of history dicts, got {type(histories).__name__}")
    if len(histories) == 0:
        raise ValueError("histories must hold at least one run")
    if isinstance(lams, (str, bytes)) or not hasattr(lams, "__len__"):
        raise TypeError(f"lams must be a sequence of regularization strengths, got {type(lams).__name__}")
    lams = [check_lam(x, name=f"lams[{i}]") for i, x in enumerate(lams)]
    if len(lams) != len(histories):
        raise ValueError(f"lams must give one lambda per run: {len(histories)} histories but {len(lams)} lams")
    lr = check_positive_float(lr, "lr")
    if titles is None:
        titles = [rf"$\lambda = {x:g}$" for x in lams]
    elif isinstance(titles, str) or len(titles) != len(histories):
        raise ValueError("titles must be a sequence with one string per run")
    for i, h in enumerate(histories):
        _imbalance_array(h, name=f"histories[{i}]")
    width = check_positive_float(width, "width")
    height = check_positive_float(height, "height")
    fig, axes = new_figure(ncols=len(histories), width=width, height=height, squeeze=False, sharey=bool(sharey))
    for ax, h, x, t in zip(axes[0], histories, lams, titles):
        plot_imbalance_decay(h, x, lr, ax=ax, title=t, legend=False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4))
    return fig


def plot_step_size_errors(etas, errors, orders=None, ax=None, title=None, offset=0.5):
    r"""Errors against the step size on log-log axes, with reference slopes.

    Parameters
    ----------
    etas : array_like, shape ``(n,)``
        Positive step sizes :math:`\eta`, at least two.
    errors : dict
        ``{label: array of shape (n,)}``: positive errors measured at each step size.
    orders : dict, optional
        ``{label: p}``: draw a dashed grey reference line :math:`c\,\eta^p`
        through ``offset`` times the point of the smallest step size of that
        series (below the data, so that a series of exactly that order runs
        parallel to its guide instead of hiding it).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default a new figure.
    title : str, optional
        Axes title.
    offset : float
        Factor :math:`> 0` placing each reference line relative to its series
        (default ``0.5``: a factor 2 below; ``1`` puts it through the data).

    Returns
    -------
    matplotlib.figure.Figure
        One solid line with markers per series, one dashed line per order; the
        legend sits below the axes, outside the data.
    """
    etas = np.asarray(etas, dtype=float) if not isinstance(etas, (str, bytes)) else None
    if etas is None or etas.ndim != 1 or etas.size < 2:
        raise ValueError("etas must be a 1-D array of at least two step sizes")
    if not np.all(np.isfinite(etas)) or np.any(etas <= 0):
        raise ValueError("etas must be finite and > 0")
    if not isinstance(errors, dict) or len(errors) == 0:
        raise TypeError("errors must be a non-empty dict {label: array of errors}")
    series = {}
    for label, e in errors.items():
        e = np.asarray(e, dtype=float)
        if e.shape != etas.shape:
            raise ValueError(f"errors[{label!r}] must have the shape of etas {etas.shape}, got {e.shape}")
        if not np.all(np.isfinite(e)) or np.any(e <= 0):
            raise ValueError(f"errors[{label!r}] must be finite and > 0 (a log-log plot)")
        series[label] = e
    orders = {} if orders is None else orders
    if not isinstance(orders, dict):
        raise TypeError("orders must be a dict {label: order}")
    for label, p in orders.items():
        if label not in series:
            raise ValueError(f"orders names {label!r}, which is not a key of errors")
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"orders[{label!r}] must be a real number")
    offset = check_positive_float(offset, "offset")
    if ax is None:
        fig, ax = new_figure()
    else:
        fig = ax.figure
    i0 = int(np.argmin(etas))
    for j, (label, e) in enumerate(series.items()):
        c = COLORS[j % len(COLORS)]
        ax.loglog(etas, e, "o-", color=c, lw=2, label=label)
        if label in orders:
            p = float(orders[label])
            ax.loglog(etas, offset * e[i0] * (etas / etas[i0]) ** p, "--", color=c, lw=1.2,
                      alpha=0.6, label=rf"reference slope {p:g}")
    ax.set_xticks(etas, [f"{e:g}" for e in etas])
    ax.minorticks_off()
    ax.set_xlabel(r"step size $\eta$")
    ax.set_ylabel("error")
    if title is not None:
        ax.set_title(str(title))
    if fig.get_constrained_layout():
        fig.legend(loc="outside lower center", ncols=2)  # outside the data
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig
