"""Figures of the chapter *The Hessian at minimizers* (``book/hessian``)."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = ["plot_hessian_spectra", "plot_trace_sharpness", "plot_orbit_spectra"]


def plot_hessian_spectra(spectra, labels=None, reference=None, title=None, symlog=None):
    """Sorted Hessian eigenvalues of several points, overlaid.

    Parameters
    ----------
    spectra : sequence of 1-D arrays
        One spectrum per point (any order; each is sorted before plotting).
        Markers shrink from the first to the last spectrum so that coinciding
        spectra stay visible on top of each other.
    labels : sequence of str, optional
        Legend entries, one per spectrum.
    reference : dict of str to float, optional
        Horizontal reference lines ``{label: value}`` (e.g. predicted eigenvalues).
    title : str, optional
        Axes title.
    symlog : float, optional
        If given, a symmetric-log vertical axis, linear within ``[-symlog, symlog]``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    spectra = [np.sort(np.asarray(s, dtype=float)) for s in spectra]
    if labels is None:
        labels = [f"point {i + 1}" for i in range(len(spectra))]
    fig, ax = new_figure(width=8.0, height=3.6)
    markers = ["o", "s", "^", "x", "+", "D"]
    for i, (ev, lab) in enumerate(zip(spectra, labels)):
        size = max(8.0 - 1.8 * i, 2.5)
        ax.plot(np.arange(1, ev.size + 1), ev, linestyle="none", marker=markers[i % len(markers)],
                markersize=size, markerfacecolor="none", color=COLORS[i % len(COLORS)], label=lab)
    dashes = ["--", ":", "-.", (0, (5, 1, 1, 1))]
    for j, (lab, val) in enumerate((reference or {}).items()):
        ax.axhline(val, color=COLORS[7], linestyle=dashes[j % len(dashes)], linewidth=1, label=lab)
    if symlog is not None:
        ax.set_yscale("symlog", linthresh=float(symlog))
        low = min(float(np.min(ev)) for ev in spectra)
        ax.set_ylim(bottom=min(low * 1.5, -0.5 * float(symlog)))
    ax.set_xlabel("eigenvalue index (ascending)")
    ax.set_ylabel("eigenvalue of Hess F")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def plot_trace_sharpness(lams, trace, sharp, lam_star=None, trace_floor=None, sharp_bound=None, depth=None):
    """Trace and largest eigenvalue of the Hessian at the minimizer, against lambda.

    Parameters
    ----------
    lams : 1-D array
        Regularization strengths (increasing).
    trace, sharp : 1-D arrays
        Trace and sharpness of ``Hess F`` at the global minimizer for each ``lam``.
    lam_star : float, optional
        The collapse threshold, drawn as a vertical dashed line.
    trace_floor : 1-D array, optional
        A lower bound on the trace (e.g. ``lam * N``), drawn dotted.
    sharp_bound : 1-D array, optional
        A lower bound on the sharpness, drawn dotted.
    depth : int, optional
        Shown in the titles.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lams = np.asarray(lams, dtype=float)
    fig, axes = new_figure(ncols=2, width=9.5, height=3.8)
    suffix = f" (L = {depth})" if depth is not None else ""
    panels = [(axes[0], trace, trace_floor, "trace of Hess F"),
              (axes[1], sharp, sharp_bound, "largest eigenvalue of Hess F")]
    for ax, val, bound, name in panels:
        ax.plot(lams, val, color=COLORS[0], linewidth=2, label="at the global minimizer")
        if bound is not None:
            ax.plot(lams, bound, color=COLORS[1], linestyle=":", linewidth=2, label="lower bound")
        if lam_star is not None:
            ax.axvline(lam_star, color=COLORS[7], linestyle="--", linewidth=1, label=r"$\lambda^*$")
        ax.set_xlabel(r"$\lambda$")
        ax.set_yscale("log")
        ax.set_title(name + suffix, fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    return fig


def plot_orbit_spectra(points, spectra, labels=None, symlog=None):
    """Two points of one orbit: their parameters (left) differ, their Hessian spectra (right) agree.

    Parameters
    ----------
    points : sequence of 1-D arrays
        The flattened parameters of each point (``wdlib.flatten_params``).
    spectra : sequence of 1-D arrays
        The Hessian eigenvalues at each point, same order.
    labels : sequence of str, optional
        One legend entry per point.
    symlog : float, optional
        If given, the eigenvalue axis is symmetric-log, linear within ``[-symlog, symlog]``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    points = [np.asarray(p, dtype=float).ravel() for p in points]
    spectra = [np.sort(np.asarray(s, dtype=float).ravel()) for s in spectra]
    if len(points) != len(spectra) or not points:
        raise ValueError(f"points and spectra must be non-empty and of equal length, got {len(points)} and {len(spectra)}")
    if labels is None:
        labels = [f"point {i + 1}" for i in range(len(points))]
    fig, axes = new_figure(ncols=2, width=9.5, height=3.6)
    markers = ["o", "s", "^", "D"]
    for i, (p, ev, lab) in enumerate(zip(points, spectra, labels)):
        c, m = COLORS[i % len(COLORS)], markers[i % len(markers)]
        size = max(7.0 - 2.5 * i, 3.0)
        axes[0].plot(np.arange(1, p.size + 1), p, linestyle="none", marker=m, markersize=size,
                     markerfacecolor="none", color=c, label=lab)
        axes[1].plot(np.arange(1, ev.size + 1), ev, linestyle="none", marker=m, markersize=size,
                     markerfacecolor="none", color=c, label=lab)
    axes[0].set_xlabel("parameter index")
    axes[0].set_ylabel("parameter value")
    axes[0].set_title("the two points differ", fontsize=10)
    axes[1].set_xlabel("eigenvalue index (ascending)")
    axes[1].set_ylabel("eigenvalue of Hess F")
    axes[1].set_title("their Hessian spectra coincide", fontsize=10)
    if symlog is not None:
        axes[1].set_yscale("symlog", linthresh=float(symlog))
    handles, labs = axes[0].get_legend_handles_labels()
    fig.legend(handles, labs, loc="outside lower center", ncols=len(labs), fontsize=9)
    return fig
