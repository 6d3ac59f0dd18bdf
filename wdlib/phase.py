r"""The collapse threshold, rank staircases and hysteresis (chapter *The critical threshold*).

Above :math:`\lambda^* = \mu_L y_1^{2(L-1)/L}` the minimizer of :math:`F` is
zero (for :math:`L \ge 2`); the rank of the minimizer is the number of
singular values whose collapse value :math:`\mu_L y_i^{2(L-1)/L}` exceeds
:math:`\lambda`. At zero the Hessian is :math:`\lambda I` for :math:`L \ge 3`
and has eigenvalues :math:`\lambda \pm y_i` (and :math:`\lambda`) for
:math:`L = 2`. This module computes the phase diagrams, the Hessian at zero
in closed form and by finite differences, an independent bisection for the
threshold, and warm-started gradient-descent continuations (hysteresis).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._validate import (
    as_nonnegative_vector,
    tie_column,
    as_matrix,
    check_depth,
    check_lam,
    check_positive_float,
    check_positive_int,
    check_weights,
    check_widths,
)
from .scalar import scalar_local_minimizer, scalar_minimizers, spinodal_lambda, _collapse_lambdas
from .solve import minimizer
from .training import ConvergenceWarning, gradient_descent

__all__ = [
    "minimizer_rank",
    "singular_value_paths",
    "rank_phase_diagram",
    "scalar_phase_diagram",
    "collapse_lambda_bisection",
    "zero_hessian_eigenvalues",
    "continuation",
]


def minimizer_rank(Y, lam, depth, tie="largest") -> int:
    r"""The rank of the end-to-end minimizer :math:`P^*(\lambda)`.

    The number of singular values :math:`y_i` whose scalar minimizer is
    nonzero (above the rounding level ``max(Y.shape) * eps * y_1`` of the SVD,
    the tolerance of :func:`numpy.linalg.matrix_rank`); at a tie (:math:`L \ge 3`, :math:`y_i = y_c`) ``tie`` chooses
    the nonzero (``"largest"``) or the zero (``"smallest"``) minimizer.
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    col = tie_column(tie)
    y = np.linalg.svd(Y, compute_uv=False)
    return int(np.count_nonzero(scalar_minimizers(y, lam, L)[:, col] > _rank_tol(Y, y)))


def _rank_tol(Y, y):
    # singular values of an exactly rank-deficient Y come out of the SVD as ~eps * y_1,
    # not 0; below this tolerance (that of numpy.linalg.matrix_rank) they count as zero
    return max(Y.shape) * np.finfo(float).eps * (y[0] if y.size else 0.0)


def singular_value_paths(Y, lams, depth, tie="largest") -> np.ndarray:
    r"""The singular values :math:`s_i(\lambda)` of the minimizer along a grid of :math:`\lambda`.

    Returns an array of shape ``(len(lams), min(Y.shape))``; row ``k`` holds
    :math:`s_1 \ge s_2 \ge \dots` at ``lams[k]``, aligned with the singular
    values of ``Y``.
    """
    Y = as_matrix(Y, "Y")
    lams = as_nonnegative_vector(lams)
    L = check_depth(depth)
    col = tie_column(tie)
    y = np.linalg.svd(Y, compute_uv=False)
    return np.array([scalar_minimizers(y, lam, L)[:, col] for lam in lams]).reshape(lams.size, y.size)


def rank_phase_diagram(Y, lams, depths, tie="largest") -> np.ndarray:
    r"""Rank of the minimizer over a grid of :math:`(L, \lambda)`.

    Returns an integer array of shape ``(len(depths), len(lams))``; ranks are
    counted as in :func:`minimizer_rank`. By the
    threshold theorem of the chapter *The critical threshold* it equals the
    number of collapse values :math:`\mu_L y_i^{2(L-1)/L}` above :math:`\lambda`
    (at or above, with ``tie="largest"`` and :math:`L \ge 3`).
    """
    Y = as_matrix(Y, "Y")
    lams = as_nonnegative_vector(lams)
    if isinstance(depths, (int, np.integer)) or not hasattr(depths, "__len__") or len(depths) == 0:
        raise TypeError(f"depths must be a non-empty sequence of depths, got {depths!r}")
    depths = [check_depth(L, f"depths[{i}]") for i, L in enumerate(depths)]
    col = tie_column(tie)
    y = np.linalg.svd(Y, compute_uv=False)
    tol = _rank_tol(Y, y)
    out = np.zeros((len(depths), lams.size), dtype=int)
    for a, L in enumerate(depths):
        for b, lam in enumerate(lams):
            out[a, b] = np.count_nonzero(scalar_minimizers(y, lam, L)[:, col] > tol)
    return out


def scalar_phase_diagram(ys, lams, depth) -> dict:
    r"""The scalar problem over a grid of :math:`(y, \lambda)`: global and metastable branches.

    Parameters
    ----------
    ys : array_like, 1-D
        Singular values :math:`y \ge 0`.
    lams : array_like, 1-D
        Regularization strengths.
    depth : int
        :math:`L \ge 1`.

    Returns
    -------
    dict
        ``"s"``: the (largest) global minimizer, shape ``(len(ys), len(lams))``;
        ``"local"``: the nonzero local minimizer (``nan`` where there is none);
        ``"lam_star"``: the collapse value :math:`\mu_L y^{2(L-1)/L}` for each ``y``;
        ``"lam_sp"``: the spinodal :math:`\lambda_{sp}(y)` for each ``y``;
        ``"bistable"``: boolean, where both zero and a nonzero point are local
        minimizers (:math:`L \ge 3`, :math:`0 < \lambda < \lambda_{sp}(y)`).
    """
    ys = as_nonnegative_vector(ys, "ys")
    lams = as_nonnegative_vector(lams)
    L = check_depth(depth)
    s = np.empty((ys.size, lams.size))
    loc = np.empty((ys.size, lams.size))
    for b, lam in enumerate(lams):
        s[:, b] = scalar_minimizers(ys, lam, L)[:, 1]
        loc[:, b] = scalar_local_minimizer(ys, lam, L)
    bistable = np.isfinite(loc) & (L >= 3) & (lams[None, :] > 0)
    return {
        "s": s,
        "local": loc,
        "lam_star": _collapse_lambdas(ys, L),
        "lam_sp": spinodal_lambda(ys, L),  # a float array shaped like ys (ys is 1-D)
        "bistable": bistable,
    }


def collapse_lambda_bisection(Y, depth, rtol=1e-13, tie="largest") -> float:
    r"""The smallest :math:`\lambda` beyond which :func:`wdlib.minimizer` is zero, by bisection.

    An independent check of :func:`wdlib.critical_lambda`: it never uses the
    formula :math:`\mu_L y_1^{2(L-1)/L}`, only whether the minimizer returned
    by :func:`wdlib.minimizer` vanishes, starting from the bracket
    :math:`[0, \max(1, \|Y\|_F^2)]` (a crude upper bound, checked: the
    minimizer must vanish at its right end). Returns ``inf`` for :math:`L = 1`
    and a nonzero ``Y`` (no collapse). The answer agrees with the formula to
    about the tie tolerance :data:`wdlib.DEFAULT_RTOL` of :func:`wdlib.minimizer`
    (``tie`` decides on which side of :math:`\lambda^*` the tie band falls).
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    rtol = check_positive_float(rtol, "rtol")
    tie_column(tie)
    if not np.any(Y):
        return 0.0
    if L == 1:
        return float("inf")
    lo, hi = 0.0, max(1.0, float(np.sum(Y * Y)))
    if np.any(minimizer(Y, hi, L, tie=tie)):
        raise RuntimeError("the minimizer is nonzero at the upper end of the bracket [0, max(1, ||Y||_F^2)]")
    # Halve until hi - lo <= rtol * hi, or until lo and hi are adjacent doubles (no
    # midpoint left: a tolerance below the resolution of doubles). Each halving shrinks
    # the bracket, so this ends after at most about 2100 steps, however small lambda* is.
    while hi - lo > rtol * hi:
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        if np.any(minimizer(Y, mid, L, tie=tie)):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def zero_hessian_eigenvalues(Y, lam, depth, widths=None) -> np.ndarray:
    r"""The eigenvalues of :math:`\operatorname{Hess} F` at the origin, in closed form (ascending).

    - :math:`L = 1`: :math:`F` is quadratic with Hessian :math:`(1+\lambda) I`.
    - :math:`L = 2`, widths :math:`(d_0, d_1, d_2)`: for every hidden unit,
      :math:`\lambda \pm y_i` for :math:`i = 1..\min(d_0, d_2)` (zero singular
      values included) and :math:`\lambda` another :math:`|d_0 - d_2|` times;
      in all :math:`d_1 (d_0 + d_2)` eigenvalues.
    - :math:`L \ge 3`: :math:`\lambda` with multiplicity :math:`\sum_l d_l d_{l-1}`.

    Derived in the chapter *The critical threshold*.

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
    lam : float
    depth : int
    widths : sequence of int, optional
        Hidden widths (default :math:`\min(d_0, d_L)` each).
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    d_out, d_in = Y.shape
    widths = [min(d_in, d_out)] * (L - 1) if widths is None else check_widths(widths, L)
    dims = [d_in] + list(widths) + [d_out]
    n = sum(dims[l] * dims[l + 1] for l in range(L))
    if L == 1:
        return np.full(n, 1.0 + lam)
    if L >= 3:
        return np.full(n, lam)
    d1 = dims[1]
    y = np.linalg.svd(Y, compute_uv=False)
    ev = np.concatenate([np.repeat(lam + y, d1), np.repeat(lam - y, d1), np.full(d1 * abs(d_in - d_out), lam)])
    return np.sort(ev)


def continuation(Y, lams, depth, init, steps=2000, lr=0.1, tol=1e-12) -> dict:
    r"""Warm-started gradient descent along a sequence of :math:`\lambda` (a continuation).

    For each ``lams[k]`` in order, run :func:`wdlib.gradient_descent` from the
    final weights of the previous value (from ``init`` for the first). Sweeping
    :math:`\lambda` up and then down exposes hysteresis for :math:`L \ge 3`:
    a branch is followed as long as it stays a local minimizer.

    Returns
    -------
    dict
        ``"s"``: the singular values of the end-to-end matrix after each value,
        shape ``(len(lams), min(Y.shape))``; ``"loss"``: the final objective;
        ``"steps"``: the number of steps taken; ``"converged"``: whether the
        gradient norm reached ``tol`` at each value; ``"weights"``: the final
        weights of the last value.

    Warns
    -----
    ConvergenceWarning
        Once, naming the values of :math:`\lambda` at which ``tol`` was not reached.
    """
    Y = as_matrix(Y, "Y")
    lams = as_nonnegative_vector(lams)
    L = check_depth(depth)
    W = check_weights(init, Y, name="init")
    if len(W) != L:
        raise ValueError(f"init must have depth = {L} layers, got {len(W)}")
    steps = check_positive_int(steps, "steps", minimum=1)
    lr = check_positive_float(lr, "lr")
    tol = check_positive_float(tol, "tol", allow_zero=True)
    svals, losses, nsteps, conv = [], [], [], []
    for lam in lams:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # reported once below
            W, hist = gradient_descent(Y, float(lam), L, steps=steps, lr=lr, init=W, tol=tol, progress=False)
        conv.append(hist.success)
        P = W[0]
        for M in W[1:]:
            P = M @ P
        svals.append(np.linalg.svd(P, compute_uv=False))
        losses.append(hist["loss"][-1])
        nsteps.append(hist["steps"])
    conv = np.array(conv, dtype=bool)
    if not conv.all():
        bad = ", ".join(f"{lam:.4g}" for lam in lams[~conv])
        warnings.warn(f"continuation: tol={tol:g} not reached within steps={steps} at lam = {bad}",
                      ConvergenceWarning, stacklevel=2)
    return {"s": np.array(svals), "loss": np.array(losses), "steps": np.array(nsteps), "converged": conv,
            "weights": W}
