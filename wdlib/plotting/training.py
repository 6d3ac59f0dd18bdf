"""Figures of training runs and of the optimal regularization (chapters *The critical threshold*
and *The optimal weight norm*)."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, new_figure

__all__ = ["plot_loss_gaps", "plot_relative_errors", "plot_gd_imbalance", "plot_error_curves", "plot_optimal_norm"]


def plot_loss_gaps(histories, fmin, floor=1e-16):
    r"""The optimality gap :math:`F(W_k) - \min F` along several gradient-descent runs (log scale).

    Parameters
    ----------
    histories : dict
        ``{label: history}`` with histories from :func:`wdlib.gradient_descent`.
    fmin : float or dict
        The global minimum (or ``{label: minimum}``).
    floor : float
        Gaps below it are drawn at ``floor`` (rounding level).
    """
    fig, ax = new_figure()
    for i, (label, h) in enumerate(histories.items()):
        m = fmin[label] if isinstance(fmin, dict) else fmin
        gap = np.maximum(np.asarray(h["loss"]) - m, floor)
        ax.semilogy(np.arange(gap.size), gap, color=COLORS[i % len(COLORS)], lw=2, label=label)
    ax.set_xlabel(r"step $k$")
    ax.set_ylabel(r"$F(W_k) - \min F$")
    ax.legend()
    return fig


def plot_relative_errors(runs, rtol=None, ylim=(1e-12, 1e2), xmax=None):
    r"""Relative end-to-end errors :math:`\|P_k - P^*\|_F/\|P^*\|_F` along runs (log scale).

    Parameters
    ----------
    runs : dict
        ``{label: errors}`` (as ``result["errors"]`` of :func:`wdlib.steps_to_tolerance`).
    rtol : float, optional
        The tolerance, drawn as a horizontal line.
    ylim : tuple of float
        Range of the y axis (a diverging run leaves it at the top).
    xmax : int, optional
        Last step shown.
    """
    fig, ax = new_figure(width=8.0)
    for i, (label, e) in enumerate(runs.items()):
        e = np.asarray(e, dtype=float)
        ax.semilogy(np.arange(e.size), e, color=COLORS[i % len(COLORS)], lw=2, label=label)
    if rtol is not None:
        ax.axhline(rtol, color="k", ls=":", lw=1)
    ax.set_ylim(*ylim)
    if xmax is not None:
        ax.set_xlim(0, xmax)
    ax.set_xlabel(r"step $k$")
    ax.set_ylabel(r"$\|P_k - P^*\|_F / \|P^*\|_F$")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def plot_gd_imbalance(steps, measured, predicted, labels, xlabel=r"step $k$"):
    r"""Imbalance norms along gradient descent against the law :math:`(1 - 2\eta\lambda)^k`.

    Parameters
    ----------
    steps : array_like
        Step indices.
    measured, predicted : sequence of array_like
        For each run, :math:`\|D(k)\|_F` and :math:`(1 - 2\eta\lambda)^k \|D(0)\|_F`.
    labels : sequence of str
    xlabel : str
        Label of the x axis (e.g. a time :math:`t = k\\eta` when runs with
        different step sizes are sampled at common times).
    """
    fig, ax = new_figure(width=8.0)
    k = np.asarray(steps)
    for i, (m, p, lab) in enumerate(zip(measured, predicted, labels)):
        c = COLORS[i % len(COLORS)]
        ax.semilogy(k, m, color=c, lw=2.5, label=lab)
        ax.semilogy(k, p, color="k", ls="--", lw=1, label=r"$(1-2\eta\lambda)^k \|D(0)\|_F$" if i == 0 else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"imbalance $\|D_1\|_F$")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def plot_error_curves(curves, optima, noise_level=None, signal_level=None):
    r"""Errors :math:`\|P^*(\lambda) - X\|_F` against :math:`\lambda` (log x), optima marked.

    Parameters
    ----------
    curves : dict
        ``{depth: (lams, errors)}``.
    optima : dict
        ``{depth: (lam_opt, error_opt)}``.
    noise_level, signal_level : float, optional
        :math:`\|Y - X\|_F` (the error at :math:`\lambda = 0`) and
        :math:`\|X\|_F` (the error of the zero matrix), drawn as horizontal lines.
    """
    fig, ax = new_figure(width=8.0, height=3.8)
    for i, (L, (lams, err)) in enumerate(curves.items()):
        c = COLORS[i % len(COLORS)]
        ax.semilogx(lams, err, color=c, lw=2, label=f"$L = {L}$")
        lo, eo = optima[L]
        ax.plot([lo], [eo], "o", color=c, ms=8, mec="k")
    if noise_level is not None:
        ax.axhline(noise_level, color="0.4", ls=":", lw=1)
        ax.text(ax.get_xlim()[0], noise_level, r" $\|Y - X\|_F$ ($\lambda = 0$)", va="bottom", color="0.3", fontsize=8)
    if signal_level is not None:
        ax.axhline(signal_level, color="0.4", ls="--", lw=1)
        ax.text(ax.get_xlim()[0], signal_level, r" $\|X\|_F$ ($P^* = 0$)", va="bottom", color="0.3", fontsize=8)
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$\|P^*(\lambda) - X\|_F$")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def plot_optimal_norm(lams, errors, norms, lam_opt, error_opt, norm_opt, noise_level=None,
                      signal_level=None, depth=None):
    r"""The error of the minimizer (top) and its squared layer norm (bottom) against :math:`\lambda`.

    Parameters
    ----------
    lams : 1-D array
        Increasing :math:`\lambda > 0` (log x axis).
    errors, norms : 1-D arrays
        :math:`\|P^*(\lambda) - X\|_F` and :math:`\sum_i s_i(\lambda)^{2/L}` on ``lams``.
    lam_opt, error_opt, norm_opt : float
        The optimum and the error and layer norm there, marked and joined by a vertical line.
    noise_level, signal_level : float, optional
        :math:`\|Y - X\|_F` and :math:`\|X\|_F`, drawn as horizontal lines in the top panel.
    depth : int, optional
        Shown in the title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lams = np.asarray(lams, dtype=float)
    errors = np.asarray(errors, dtype=float)
    norms = np.asarray(norms, dtype=float)
    if not (lams.shape == errors.shape == norms.shape) or lams.ndim != 1:
        raise ValueError("lams, errors and norms must be 1-D arrays of the same length")
    fig, axes = new_figure(nrows=2, width=8.0, height=5.2, sharex=True)
    top, bottom = axes
    top.semilogx(lams, errors, color=COLORS[0], lw=2, label=r"error $e(\lambda)$")
    if noise_level is not None:
        top.axhline(noise_level, color="0.4", ls=":", lw=1, label=r"$\|Z\|_F$ (no weight decay)")
    if signal_level is not None:
        top.axhline(signal_level, color="0.4", ls="--", lw=1, label=r"$\|X\|_F$ (zero network)")
    top.plot([lam_opt], [error_opt], "o", color=COLORS[1], ms=8, mec="k", label="optimum")
    bottom.semilogx(lams, norms, color=COLORS[2], lw=2, label=r"$\|W_l\|_F^2 = \sum_i s_i^{2/L}$")
    bottom.plot([lam_opt], [norm_opt], "o", color=COLORS[1], ms=8, mec="k", label="optimal norm")
    for ax in axes:
        ax.axvline(lam_opt, color=COLORS[1], lw=1, ls="--")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    top.set_ylabel("error")
    bottom.set_ylabel("squared layer norm")
    bottom.set_xlabel(r"$\lambda$")
    if depth is not None:
        top.set_title(f"depth L = {depth}", fontsize=10)
    return fig
