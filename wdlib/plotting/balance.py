"""Figures of the chapter *Balancedness*."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = ["plot_imbalance_decay"]


def plot_imbalance_decay(history, lam, lr, ax=None, title=None):
    r"""Imbalance norms :math:`\|D_l\|_F` along gradient descent against the predicted decay.

    Parameters
    ----------
    history : dict
        As returned by :func:`wdlib.gradient_descent` (uses ``"imbalance"``).
    lam, lr : float
        Regularization and step size of that run.

    Draws each :math:`\|D_l(k)\|_F` (solid) with the gradient-flow law
    :math:`e^{-2\lambda \eta k}\|D_l(0)\|_F` (dashed) on a log scale.
    Returns the figure.
    """
    imb = np.asarray(history["imbalance"])
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
    ax.legend()
    return fig
