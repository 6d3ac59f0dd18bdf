"""Figures of the chapter *The critical threshold*: staircases, phase diagrams, hysteresis."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

from ._style import COLORS, new_figure

__all__ = [
    "plot_singular_value_paths",
    "plot_rank_phase_diagram",
    "plot_rank_phase_plane",
    "plot_scalar_phase_diagram",
    "plot_hysteresis",
]


def plot_singular_value_paths(lams, paths, collapse=None):
    r"""Singular values :math:`s_i(\lambda)` of the minimizer, one panel per depth.

    Parameters
    ----------
    lams : array_like
        The grid of :math:`\lambda`.
    paths : dict
        ``{depth: array (len(lams), k)}`` as from :func:`wdlib.singular_value_paths`.
    collapse : dict, optional
        ``{depth: collapse values}`` (:func:`wdlib.collapse_lambdas`), drawn as dotted lines.
    """
    lams = np.asarray(lams, dtype=float)
    fig, axes = new_figure(ncols=len(paths), width=3.0 * len(paths) + 0.6, height=3.0, sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (L, S) in zip(axes, paths.items()):
        S = np.asarray(S)
        for i in range(S.shape[1]):
            ax.plot(lams, S[:, i], color=COLORS[i % len(COLORS)], lw=2, label=f"$s_{i + 1}$")
        if collapse is not None and L in collapse:
            for c in np.asarray(collapse[L]):
                if np.isfinite(c) and c > 0:
                    ax.axvline(c, color="0.5", ls=":", lw=1)
        ax.set_title(f"$L = {L}$")
        ax.set_xlabel(r"$\lambda$")
    axes[0].set_ylabel(r"singular values $s_i(\lambda)$ of $P^*$")
    axes[-1].legend(loc="upper right")
    return fig


def plot_rank_phase_diagram(lams, depths, ranks, lam_star=None):
    r"""The rank of the minimizer over :math:`(\lambda, L)` as a colored grid.

    Parameters
    ----------
    lams : array_like
        Log-spaced grid of :math:`\lambda` (the x axis is logarithmic).
    depths : sequence of int
    ranks : array_like, shape ``(len(depths), len(lams))``
        As from :func:`wdlib.rank_phase_diagram`.
    lam_star : array_like, optional
        :math:`\lambda^*` for each depth, drawn as white markers.
    """
    lams = np.asarray(lams, dtype=float)
    ranks = np.asarray(ranks)
    depths = list(depths)
    fig, ax = new_figure(width=6.4, height=3.4)
    rmax = int(ranks.max())
    cmap = ListedColormap(["0.92"] + [COLORS[i % len(COLORS)] for i in range(rmax)])
    norm = BoundaryNorm(np.arange(-0.5, rmax + 1.5), cmap.N)
    edges_l = np.sqrt(lams[1:] * lams[:-1])
    edges_l = np.concatenate([[lams[0] ** 2 / edges_l[0]], edges_l, [lams[-1] ** 2 / edges_l[-1]]])
    edges_d = np.arange(len(depths) + 1) - 0.5
    mesh = ax.pcolormesh(edges_l, edges_d, ranks, cmap=cmap, norm=norm, shading="flat")
    ax.set_xscale("log")
    ax.set_yticks(range(len(depths)))
    ax.set_yticklabels([str(L) for L in depths])
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("depth $L$")
    ax.grid(False)
    if lam_star is not None:
        ls = np.asarray(lam_star, dtype=float)
        ok = np.isfinite(ls)
        # black ticks with a white halo: visible on the light and on the colored bands
        ax.plot(ls[ok], np.arange(len(depths))[ok], "|", color="w", ms=16, mew=5)
        ax.plot(ls[ok], np.arange(len(depths))[ok], "|", color="k", ms=14, mew=2.2, label=r"$\lambda^*$")
        fig.legend(loc="outside upper center", ncol=1, fontsize=9)
    cb = fig.colorbar(mesh, ax=ax, ticks=range(rmax + 1))
    cb.set_label(r"rank of $P^*$")
    return fig


def plot_rank_phase_plane(lams, y1s, ranks, curves=None, titles=None, width=9.5, height=3.6):
    r"""The rank of the minimizer over the plane :math:`(\lambda, y_1)`, one panel per depth.

    Parameters
    ----------
    lams : array_like, shape (n,)
        Increasing grid of :math:`\lambda` (horizontal axis).
    y1s : array_like, shape (m,)
        Increasing grid of the largest singular value :math:`y_1` (vertical axis).
    ranks : sequence of array_like, each of shape (m, n)
        Rank of the minimizer at ``(y1s[a], lams[b])``, one array per panel.
    curves : sequence of lists, optional
        Per panel, a list of ``(lam_values, label, style)`` with ``lam_values``
        of shape (m,) (a boundary :math:`\lambda(y_1)`), ``style`` ``"-"`` or
        ``"--"``; drawn in black and named in the legend.
    titles : sequence of str, optional
        Panel titles.
    width, height : float
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> lams, ys = np.linspace(0, 1, 4), np.linspace(0.1, 1, 3)
    >>> r = (ys[:, None] > lams[None, :]).astype(int)
    >>> len(plot_rank_phase_plane(lams, ys, [r, r]).axes)  # two panels and a colorbar
    3
    """
    lams = np.asarray(lams, dtype=float).reshape(-1)
    y1s = np.asarray(y1s, dtype=float).reshape(-1)
    ranks = [np.asarray(r) for r in ranks]
    if not ranks:
        raise ValueError("ranks must hold at least one array")
    for r in ranks:
        if r.shape != (y1s.size, lams.size):
            raise ValueError(f"each ranks array must have shape (len(y1s), len(lams)) = "
                             f"{(y1s.size, lams.size)}, got {r.shape}")
    k = len(ranks)
    curves = [[] for _ in range(k)] if curves is None else list(curves)
    if len(curves) != k:
        raise ValueError(f"curves must hold one list per panel ({k}), got {len(curves)}")
    rmax = max(1, int(max(r.max() for r in ranks)))
    cmap = ListedColormap(["0.92"] + [COLORS[i % len(COLORS)] for i in (5, 0, 2, 4, 3, 1, 6, 7)][:rmax])
    norm = BoundaryNorm(np.arange(-0.5, rmax + 1.5), cmap.N)
    fig, axes = new_figure(ncols=k, width=width, height=height, sharey=True)
    axes = np.atleast_1d(axes)
    mesh = None
    for j, ax in enumerate(axes):
        mesh = ax.pcolormesh(lams, y1s, ranks[j], cmap=cmap, norm=norm, shading="nearest",
                             rasterized=True)
        for lam_values, label, style in curves[j]:
            ax.plot(np.asarray(lam_values, dtype=float), y1s, color="k", lw=1.6, ls=style,
                    label=label)
        ax.set_xlim(lams[0], lams[-1])
        ax.set_ylim(y1s[0], y1s[-1])
        ax.set_xlabel(r"$\lambda$")
        ax.grid(False)
        if titles is not None:
            ax.set_title(titles[j], fontsize=10)
    axes[0].set_ylabel(r"largest singular value $y_1$")
    # one legend outside the data, from the panel with the most curves
    most = max(range(k), key=lambda j: len(curves[j]))
    if curves[most]:
        handles, labels = axes[most].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=len(handles), fontsize=9)
    cb = fig.colorbar(mesh, ax=list(axes), ticks=range(rmax + 1))
    cb.set_label(r"rank of $P^*$")
    return fig


def plot_scalar_phase_diagram(ys, lams, data, depth):
    r"""The scalar minimizer over :math:`(\lambda, y)` with the collapse and spinodal curves.

    Parameters
    ----------
    ys, lams : array_like
        Grids of singular values and regularization strengths.
    data : dict
        As from :func:`wdlib.scalar_phase_diagram`.
    depth : int
    """
    ys = np.asarray(ys, dtype=float)
    lams = np.asarray(lams, dtype=float)
    fig, ax = new_figure(width=6.0, height=3.8)
    ratio = np.where(ys[:, None] > 0, data["s"] / np.where(ys[:, None] > 0, ys[:, None], 1.0), 0.0)
    mesh = ax.pcolormesh(lams, ys, ratio, cmap="viridis", shading="auto", vmin=0, vmax=1)
    ax.plot(data["lam_star"], ys, color="w", lw=2.5, label=r"$\lambda^*(y) = \mu_L y^{2(L-1)/L}$")
    if depth >= 3:
        ax.plot(data["lam_sp"], ys, color=COLORS[1], lw=2.5, ls="--", label=r"spinodal $\lambda_{sp}(y)$")
    ax.set_xlim(lams[0], lams[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"singular value $y$")
    ax.set_title(f"$L = {depth}$: global minimizer $s/y$")
    ax.grid(False)
    fig.legend(loc="outside lower center", ncol=2, fontsize=9)  # outside the data
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label(r"$s^*/y$")
    return fig


def plot_hysteresis(lams, s_up, s_down, s_global, s_local, lam_star, lam_sp):
    r"""A continuation in :math:`\lambda` upward and downward against the two branches.

    Parameters
    ----------
    lams : array_like
        The grid, increasing.
    s_up, s_down : array_like
        The singular value reached by warm-started gradient descent on the
        upward and on the downward sweep, both aligned with ``lams``.
    s_global, s_local : array_like
        The global minimizer and the nonzero local minimizer (``nan`` where none).
    lam_star, lam_sp : float
        Collapse and spinodal values.
    """
    lams = np.asarray(lams, dtype=float)
    fig, ax = new_figure(width=6.4, height=3.6)
    ax.plot(lams, s_global, color="k", lw=2, label="global minimizer")
    ax.plot(lams, s_local, color="0.4", lw=1.5, ls="--", label="nonzero local minimizer")
    ax.plot(lams, s_up, "o", color=COLORS[0], ms=7, mfc="none", mew=1.5, label=r"GD, $\lambda$ increasing")
    ax.plot(lams, s_down, "x", color=COLORS[1], ms=6, mew=1.5, label=r"GD, $\lambda$ decreasing")
    ax.axvline(lam_star, color=COLORS[2], ls=":", lw=1.5)
    ax.axvline(lam_sp, color=COLORS[3], ls=":", lw=1.5)
    top = np.nanmax(np.asarray(s_up, dtype=float))
    ax.text(lam_star, 1.02 * top, r" $\lambda^*$", color=COLORS[2], va="bottom")
    ax.text(lam_sp, 1.02 * top, r" $\lambda_{sp}$", color=COLORS[3], va="bottom")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$|P|$ (scalar network)")
    ax.legend(loc="lower left")
    return fig
