"""Figures of the chapter *Uniqueness and the invariant layer norm*."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = ["plot_tie_wells", "plot_exceptional_curves", "plot_layer_norms"]


def plot_tie_wells(s, wells, well_labels, ts, segment, minimum):
    r"""Two panels: the reduced objective along one end-to-end singular value, and :math:`F` on a segment.

    Parameters
    ----------
    s : array_like
        Values of the singular value moved along the path.
    wells : list of array_like
        For each target, the objective along ``s`` minus its value at ``s = 0``.
    well_labels : list of str
        Legend entries for ``wells``.
    ts : array_like
        Positions on the parameter-space segment between two minimizers.
    segment : array_like
        :math:`F` at those positions.
    minimum : float
        The global minimum :math:`\min F` (a horizontal line).
    """
    fig, (ax1, ax2) = new_figure(ncols=2, width=8.0, height=3.8)
    s = np.asarray(s, dtype=float)
    for k, (w, lab) in enumerate(zip(wells, well_labels)):
        ax1.plot(s, np.asarray(w, dtype=float), color=COLORS[k % len(COLORS)], label=lab)
    ax1.axhline(0.0, color="0.5", lw=0.8)
    ax1.set_xlabel("end-to-end singular value $s$ on the path")
    ax1.set_ylabel("$G - G(s=0)$")
    ax1.set_title("(a) one singular value at, above, below $y_c$", fontsize=10)
    ax1.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    ax2.plot(np.asarray(ts, dtype=float), np.asarray(segment, dtype=float), color=COLORS[0], label="$F$ on the segment")
    ax2.axhline(minimum, color=COLORS[1], ls="--", label=r"$\min F$ (closed form)")
    ax2.set_xlabel("$t$ (0: tie=smallest, 1: tie=largest)")
    ax2.set_ylabel("$F$")
    ax2.set_title("(b) between the two global minimizers", fontsize=10)
    ax2.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)
    return fig


def plot_exceptional_curves(lams, curves, labels, points=None):
    r"""The exceptional set in the :math:`(\lambda, y)` plane: the curves :math:`y = y_c(\lambda, L)`.

    Parameters
    ----------
    lams : array_like
        Regularization strengths (x axis).
    curves : list of array_like
        :math:`y_c(\lambda, L)` along ``lams`` for each depth.
    labels : list of str
        Legend entries.
    points : list of (float, float), optional
        Marked points :math:`(\lambda, y)`, e.g. the targets used in the chapter.
    """
    fig, ax = new_figure(width=6.4, height=3.6)
    lams = np.asarray(lams, dtype=float)
    for k, (c, lab) in enumerate(zip(curves, labels)):
        ax.plot(lams, np.asarray(c, dtype=float), color=COLORS[k % len(COLORS)], label=lab)
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], "k*", ms=9, label="target used here")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("singular value $y$ of the target")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return fig


def plot_layer_norms(groups, labels, predicted, titles=None, predicted_labels=None, width=None):
    r"""Squared layer norms :math:`\|W_l\|_F^2` against the layer index, one marker per minimizer.

    Minimizers with the same label share a marker and a color and appear once
    in the legend (e.g. one label per method that found them); the markers of
    one layer are spread sideways so that they do not hide each other, and the
    labels of the dashed lines sit between the first two layers, where there
    are no markers. Legends sit below the axes, outside the data.

    Parameters
    ----------
    groups : list of list of array_like
        Panels; each is a list of arrays, one array of squared norms (one per
        layer) per minimizer.
    labels : list of list of str
        Legend entries, same nesting as ``groups``.
    predicted : list of list of float
        For each panel, the predicted common values (dashed horizontal lines).
    titles : list of str, optional
        Panel titles.
    predicted_labels : list of list of str, optional
        Labels of the dashed lines, written at their right end.
    width : float, optional
        Figure width in inches (default 4.5 per panel).
    """
    n_panels = len(groups)
    fig, axes = new_figure(ncols=n_panels, width=width or 4.5 * n_panels, height=3.9)
    axes = np.atleast_1d(axes)
    markers = "osD^v<>p"
    titles = list(titles) if titles is not None else [None] * n_panels
    predicted_labels = list(predicted_labels) if predicted_labels is not None else [None] * n_panels
    for ax, norms, labs, preds, title, plabs in zip(axes, groups, labels, predicted, titles, predicted_labels):
        kinds = list(dict.fromkeys(labs))
        count = len(norms)
        for k, (n, lab) in enumerate(zip(norms, labs)):
            n = np.asarray(n, dtype=float)
            x = np.arange(1, n.size + 1) + 0.5 * (k - (count - 1) / 2) / max(count, 1)
            j = kinds.index(lab)
            first = labs.index(lab) == k
            ax.plot(x, n, markers[j % len(markers)], color=COLORS[j % len(COLORS)],
                    label=lab if first else None, ms=5, alpha=0.85, mfc="none", mew=1.2)
        depth = max(np.asarray(n).size for n in norms)
        for i, p in enumerate(preds):
            ax.axhline(p, color="0.3", ls="--", lw=1, zorder=0)
            if plabs is not None and i < len(plabs) and plabs[i]:
                x_text = 1.5 if depth > 1 else 1.3
                ax.annotate(plabs[i], (x_text, p), xytext=(0, 6), textcoords="offset points",
                            fontsize=9, ha="center", va="bottom", color="0.25")
        top = max([float(np.max(n)) for n in norms] + [float(p) for p in preds])
        ax.set_ylim(0.0, 1.25 * top if top > 0 else 1.0)
        ax.set_xlim(0.55, depth + 0.45)
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.set_xticks(np.arange(1, depth + 1))
        ax.set_xlabel("layer $l$")
        ax.set_ylabel(r"$\|W_l\|_F^2$")
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=min(len(kinds), 2))
        if title:
            ax.set_title(title, fontsize=10)
    return fig
