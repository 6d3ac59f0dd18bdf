r"""The opening figure of the book: three views of one landscape.

The helper only draws; the data (objective on a grid, scalar objectives,
singular-value paths) are computed by the caller with ``wdlib`` (see
:func:`overview_data`, which the book's build uses).
"""

from __future__ import annotations

import numpy as np

from .._validate import as_matrix, as_vector, check_lam
from ._style import COLORS, new_figure

__all__ = ["overview_data", "plot_overview"]


def overview_data(y2=1.5, lam2=0.5, y3=(0.6, 0.76, 0.95), lam3=0.3, target=(3.0, 2.0, 1.0, 0.5), num=301):
    r"""The data of :func:`plot_overview`, computed with ``wdlib``.

    Returns a dict with ``w`` and ``F`` (the two-layer scalar objective
    :math:`F(w_1, w_2) = \tfrac12 (w_2 w_1 - y)^2 + \tfrac{\lambda}{2}(w_1^2 + w_2^2)`
    on a grid), ``minimizers`` (its two global minimizers), the depth-3 scalar
    objectives :math:`g(s; y) - g(0; y)` on a grid ``s`` for the targets ``y3``
    with their global and local minimizers, and the singular values of the
    minimizer against :math:`\lambda` for the target spectrum ``target`` at
    depths 2 and 3.
    """
    from ..scalar import scalar_local_minimizer, scalar_minimizer, scalar_objective
    from ..solve import minimizer_singular_values

    lam2 = check_lam(lam2, "lam2")
    w = np.linspace(-2.0, 2.0, num)
    W1, W2 = np.meshgrid(w, w)
    F = 0.5 * (W2 * W1 - y2) ** 2 + 0.5 * lam2 * (W1 ** 2 + W2 ** 2)
    a = np.sqrt(max(y2 - lam2, 0.0))  # balanced minimizers w1 = w2 = +-sqrt(y - lam) (chapter 1)
    s = np.linspace(0.0, 1.0, num)
    curves, glob, loc = [], [], []
    for y in y3:
        g = scalar_objective(s, y, lam3, 3) - scalar_objective(0.0, y, lam3, 3)
        curves.append(g)
        sg = float(scalar_minimizer(y, lam3, 3))
        glob.append((sg, float(scalar_objective(sg, y, lam3, 3) - scalar_objective(0.0, y, lam3, 3))))
        sl = scalar_local_minimizer(y, lam3, 3)
        loc.append(None if not np.isfinite(sl) else (float(sl), float(scalar_objective(sl, y, lam3, 3)
                                                            - scalar_objective(0.0, y, lam3, 3))))
    Y = np.diag(np.asarray(target, dtype=float))
    lams = np.linspace(0.0, 1.1 * float(target[0]), num)
    paths = {L: np.array([minimizer_singular_values(Y, lam, L) for lam in lams]) for L in (2, 3)}
    return {"w": w, "F": F, "y2": y2, "lam2": lam2, "minimizers": np.array([[a, a], [-a, -a]]),
            "s": s, "curves": np.array(curves), "y3": np.asarray(y3, float), "lam3": lam3,
            "global": glob, "local": loc, "lams": lams, "paths2": paths[2], "paths3": paths[3]}


def plot_overview(data, width=10.5, height=4.8):
    """Three panels: the two-layer landscape, the depth-3 scalar objective, the collapse paths.

    Parameters
    ----------
    data : dict
        As returned by :func:`overview_data`.
    width, height : float
        Figure size in inches.
    """
    if not isinstance(data, dict):
        raise TypeError(f"data must be the dict returned by overview_data, got {type(data).__name__}")
    w = as_vector(data["w"], "data['w']")
    F = as_matrix(data["F"], "data['F']")
    if F.shape != (w.size, w.size):
        raise ValueError(f"data['F'] must have shape {(w.size, w.size)}, got {F.shape}")
    fig, (a1, a2, a3) = new_figure(ncols=3, width=width, height=height)
    # (a) contours of F with the lam = 0 minimizers (a hyperbola) and the two balanced minimizers
    levels = np.quantile(F, np.linspace(0.0, 0.6, 14))
    a1.contour(w, w, F, levels=np.unique(levels), cmap="viridis", linewidths=0.8)
    branch = w[np.abs(w) > 0.3]
    for sign in (1, -1):
        ww = branch[np.sign(branch) == sign]
        a1.plot(ww, data["y2"] / ww, "--", color=COLORS[1], lw=1.2,
                label=r"minimizers at $\lambda = 0$" if sign == 1 else None)
    m = np.asarray(data["minimizers"])
    a1.plot(m[:, 0], m[:, 1], "o", color=COLORS[0], ms=7, label=rf"minimizers at $\lambda = {data['lam2']:g}$")
    a1.set(xlim=(w[0], w[-1]), ylim=(w[0], w[-1]), xlabel=r"$w_1$", ylabel=r"$w_2$", aspect="equal",
           title=rf"(a) $L = 2$, $y = {data['y2']:g}$")
    a1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), fontsize=8)
    # (b) the scalar objective along the balanced line for L = 3
    s = as_vector(data["s"], "data['s']")
    for j, (y, g) in enumerate(zip(data["y3"], data["curves"])):
        c = COLORS[j % len(COLORS)]
        a2.plot(s, g, color=c, label=rf"$y = {y:g}$")
        a2.plot(*data["global"][j], "o", color=c, ms=6)
        # the other local minimizer: zero when the global one is not, else the nonzero one
        other = (0.0, 0.0) if data["global"][j][0] > 0 else data["local"][j]
        if other is not None:
            a2.plot(*other, "o", mfc="white", color=c, ms=6, zorder=3)
    a2.plot([], [], "o", color="0.3", label="global min.")
    a2.plot([], [], "o", mfc="white", color="0.3", label="local min.")
    a2.axhline(0.0, color="0.5", lw=0.6)
    a2.set(xlabel=r"$s$", ylabel=r"$g(s; y) - g(0; y)$", ylim=(-0.12, 0.12),
           title=rf"(b) $L = 3$, $\lambda = {data['lam3']:g}$")
    a2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8)
    # (c) singular values of the minimizer against lam: continuous at L = 2, jumps at L = 3
    lams = as_vector(data["lams"], "data['lams']")
    for i in range(np.shape(data["paths2"])[1]):
        c = COLORS[i % len(COLORS)]
        a3.plot(lams, data["paths2"][:, i], color=c, lw=1.2)
        a3.plot(lams, data["paths3"][:, i], "--", color=c, lw=1.6)
    a3.plot([], [], color="0.3", label=r"$L = 2$ (continuous)")
    a3.plot([], [], "--", color="0.3", label=r"$L = 3$ (jumps to zero)")
    a3.set(xlabel=r"$\lambda$", ylabel=r"$s_i$ of the minimizer",
           title=r"(c) collapse")
    a3.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=1, fontsize=8)
    # the figure is shown across one text column: every label a third larger than the default
    for text in fig.findobj(lambda o: hasattr(o, "set_fontsize") and hasattr(o, "get_text")):
        text.set_fontsize(text.get_fontsize() * 1.35)
    return fig
