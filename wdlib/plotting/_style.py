"""Shared figure style for every plotting helper of :mod:`wdlib.plotting`."""

from __future__ import annotations

import matplotlib

import matplotlib.pyplot as plt

__all__: list[str] = []

#: Colors used across the book (a colorblind-safe palette, Okabe & Ito).
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

#: Matplotlib rc parameters of every figure of the book (applied by :func:`new_figure`).
RC = {
    "figure.dpi": 200,
    "savefig.dpi": 200,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=COLORS),
    "font.size": 10,
    "legend.frameon": False,
    "svg.hashsalt": "wdlib",
}


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 3.6, **kwargs):
    """A new figure and axes in the book's style (``plt.subplots`` under :data:`RC`)."""
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), constrained_layout=True, **kwargs)
    for ax in fig.axes:
        _apply(ax)
    return fig, axes


def _apply(ax):
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(True, alpha=0.3)
    ax.set_prop_cycle(color=COLORS)
