"""Figures of the chapter *The whole landscape* (``book/landscape``)."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = ["plot_critical_map", "plot_spectrum_histogram", "plot_spectrum_vs_lambda"]

#: Colour and marker of each kind of critical point.
KIND_STYLE = {
    "global minimizer": (COLORS[2], "*", 13),
    "local minimizer": (COLORS[0], "o", 8),
    "strict saddle": (COLORS[1], "^", 7),
    "non-strict saddle": (COLORS[3], "D", 7),
}


def plot_critical_map(panels, titles=None, width=9.5, height=3.8):
    """Value against Hessian index of critical points, coloured by kind; one panel per list.

    Parameters
    ----------
    panels : sequence of sequences of :class:`wdlib.CriticalPoint`
        The critical points of each panel (e.g. :func:`wdlib.critical_points` for
        several depths).
    titles : sequence of str, optional
        One title per panel.

    Returns
    -------
    matplotlib.figure.Figure
        The rank of each point is written next to it. The legend sits below the panels.
    """
    panels = [list(p) for p in panels]
    if not panels or any(len(p) == 0 for p in panels):
        raise ValueError("panels must be a non-empty sequence of non-empty lists of critical points")
    fig, axes = new_figure(ncols=len(panels), width=width, height=height)
    axes = np.atleast_1d(axes)
    seen_kinds = set()
    for ax, pts, title in zip(axes, panels, titles or [None] * len(panels)):
        for p in pts:
            if p.kind not in KIND_STYLE:
                raise ValueError(f"unknown kind {p.kind!r}")
            color, marker, size = KIND_STYLE[p.kind]
            ax.plot(p.index, p.value, linestyle="none", marker=marker, markersize=size, color=color,
                    markeredgecolor="black", markeredgewidth=0.4, alpha=0.9, label=p.kind)
            ax.annotate(str(p.rank), (p.index, p.value), xytext=(6, -3), textcoords="offset points", fontsize=7)
            seen_kinds.add(p.kind)
        ax.set_xlabel("Hessian index (negative eigenvalues)")
        ax.set_ylabel("F at the critical point")
        idx = sorted({p.index for p in pts})
        ax.set_xticks(range(0, max(idx) + 1, max(1, (max(idx) + 1) // 8)))
        ax.set_xlim(-0.6, max(idx) + 0.9)
        if title:
            ax.set_title(title, fontsize=10)
    handles = []
    for kind in KIND_STYLE:
        if kind in seen_kinds:
            color, marker, size = KIND_STYLE[kind]
            (h,) = axes[0].plot([], [], linestyle="none", marker=marker, markersize=size, color=color,
                                markeredgecolor="black", markeredgewidth=0.4, label=kind)
            handles.append(h)
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9)
    return fig


def plot_spectrum_histogram(values, counts, reference=None, title=None, bins=60, width=7.5, height=3.6):
    """Histogram of a Hessian spectrum given as distinct values with multiplicities.

    Positive eigenvalues go into logarithmic bins (counts on a log axis); the
    number of zero and of negative eigenvalues is written in the corner.

    Parameters
    ----------
    values, counts : 1-D arrays
        Distinct eigenvalues and how often each occurs
        (``wdlib.hessian_spectrum_at_minimizer(..., multiplicities=True)``).
    reference : dict of str to float, optional
        Vertical reference lines ``{label: value}``.
    title : str, optional
    bins : int
        Number of logarithmic bins.
    """
    values = np.asarray(values, dtype=float)
    counts = np.asarray(counts)
    if values.ndim != 1 or values.shape != counts.shape or values.size == 0:
        raise ValueError("values and counts must be non-empty 1-D arrays of the same length")
    if np.any(counts < 0):
        raise ValueError("counts must be non-negative")
    pos = values > 0
    if not np.any(pos):
        raise ValueError("the spectrum has no positive eigenvalue to histogram")
    fig, ax = new_figure(width=width, height=height)
    lo, hi = values[pos].min(), values[pos].max()
    edges = np.geomspace(lo / 1.05, hi * 1.05, int(bins) + 1)
    ax.hist(values[pos], bins=edges, weights=counts[pos], color=COLORS[0], alpha=0.85, log=True)
    ax.set_xscale("log")
    dashes = ["--", ":", "-.", (0, (5, 1, 1, 1))]
    for j, (lab, val) in enumerate((reference or {}).items()):
        ax.axvline(val, color=COLORS[7], linestyle=dashes[j % len(dashes)], linewidth=1, label=lab)
    n_zero = int(counts[values == 0].sum())
    n_neg = int(counts[values < 0].sum())
    ax.text(0.99, 0.97, f"N = {int(counts.sum()):,}\nzero: {n_zero:,}\nnegative: {n_neg:,}",
            transform=ax.transAxes, ha="right", va="top", fontsize=8)
    ax.set_xlabel("eigenvalue of Hess F (positive ones, log scale)")
    ax.set_ylabel("multiplicity per bin")
    if reference:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_spectrum_vs_lambda(lams, spectra, thresholds=None, title=None, symlog=0.02, width=7.5, height=4.0):
    """Distinct Hessian eigenvalues at the minimizer against :math:`\\lambda`, sized by multiplicity.

    Parameters
    ----------
    lams : 1-D array
        The regularization strengths.
    spectra : sequence of ``(values, counts)``
        One spectrum per ``lam``.
    thresholds : dict of str to float, optional
        Vertical lines ``{label: lam}`` (e.g. the collapse values of each singular value).
    symlog : float
        Linear range of the symmetric-log vertical axis.
    """
    lams = np.asarray(lams, dtype=float)
    if lams.ndim != 1 or len(spectra) != lams.size:
        raise ValueError("lams must be 1-D with one (values, counts) spectrum per entry")
    fig, ax = new_figure(width=width, height=height)
    xs, ys, ss = [], [], []
    for lam, (v, c) in zip(lams, spectra):
        v = np.asarray(v, dtype=float)
        c = np.asarray(c)
        xs.append(np.full(v.size, lam))
        ys.append(v)
        ss.append(4.0 + 6.0 * np.log10(np.maximum(c, 1)))
    ax.scatter(np.concatenate(xs), np.concatenate(ys), s=np.concatenate(ss), color=COLORS[0], alpha=0.6,
               linewidths=0, label="eigenvalue (size ~ log multiplicity)")
    top = [np.max(v) for v, _ in spectra]
    ax.plot(lams, top, color=COLORS[1], linewidth=1.2, label="sharpness (largest)")
    ax.plot(lams, 2 * lams, color=COLORS[7], linestyle=":", linewidth=1, label=r"$2\lambda$")
    ax.plot(lams, lams, color=COLORS[7], linestyle="--", linewidth=1, label=r"$\lambda$")
    for j, (lab, val) in enumerate((thresholds or {}).items()):
        ax.axvline(val, color=COLORS[3], linestyle="-.", linewidth=0.9, label="thresholds" if j == 0 else None)
        ax.annotate(lab, (val, 1.0), xycoords=("data", "axes fraction"), xytext=(-3, -4),
                    textcoords="offset points", rotation=90, ha="right", va="top", fontsize=7, color=COLORS[3])
    ax.set_yscale("symlog", linthresh=float(symlog))
    low = min(float(np.min(v)) for v, _ in spectra)
    ax.set_ylim(bottom=min(1.5 * low, -0.5 * float(symlog)))
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("eigenvalue of Hess F at the minimizer")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
