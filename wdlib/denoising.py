r"""Noisy targets, the optimal regularization, and gradient descent in practice.

Chapter *The optimal weight norm*. With a target :math:`Y = X + Z` (a
low-rank signal plus noise), the error :math:`e(\lambda) = \|P^*(\lambda) - X\|_F`
of the minimizer starts at :math:`\|Z\|_F` for :math:`\lambda = 0`, ends at
:math:`\|X\|_F` above :math:`\lambda^*` (:math:`L \ge 2`), and under a condition
on the noise dips below both: the data choose a regularization, and with it a
layer norm :math:`\sum_i s_i(\lambda)^{2/L}` (the same for every layer of every
balanced minimizer). The error need not be unimodal in :math:`\lambda`, and for
:math:`L \ge 3` its minimum can sit at a tie value, where the optimal norm is a
one-sided limit.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from ._validate import (
    as_nonnegative_vector,
    tie_column,
    as_matrix,
    as_nonnegative_array,
    check_depth,
    check_lam,
    check_positive_float,
    check_positive_int,
    check_rng,
)
from .balance import numerical_rank
from .model import _grad, _product
from .scalar import collapse_lambdas, scalar_minimizers, threshold_constant
from .solve import minimizer
from .training import init_weights

__all__ = [
    "noisy_low_rank_target",
    "error_curve",
    "layer_norm_curve",
    "error_slope_at_zero",
    "optimal_regularization",
    "steps_to_tolerance",
]


def _check_pair(Y, X):
    Y = as_matrix(Y, "Y")
    X = as_matrix(X, "X")
    if X.shape != Y.shape:
        raise ValueError(f"X must have the shape of Y, {Y.shape}, got {X.shape}")
    return Y, X


def noisy_low_rank_target(shape, rank, noise, rng=0, signal=None):
    r"""A low-rank signal :math:`X` and a noisy target :math:`Y = X + \text{noise}\cdot N`.

    Parameters
    ----------
    shape : tuple of two ints
        ``(d_L, d_0)``.
    rank : int
        Rank of :math:`X`, at most ``min(shape)``.
    noise : float
        Standard deviation of the i.i.d. Gaussian entries of the noise (``0`` allowed).
    rng : numpy.random.Generator or int
        Source of randomness (random singular vectors and the noise).
    signal : array_like, optional
        The ``rank`` singular values of :math:`X` (positive); default
        ``rank, rank - 1, ..., 1``.

    Returns
    -------
    Y, X : ndarray
        The target and the signal, both of shape ``shape``.
    """
    if not (isinstance(shape, tuple) and len(shape) == 2):
        raise TypeError(f"shape must be a tuple (d_L, d_0) of two ints, got {shape!r}")
    m = check_positive_int(shape[0], "shape[0]")
    n = check_positive_int(shape[1], "shape[1]")
    r = check_positive_int(rank, "rank")
    if r > min(m, n):
        raise ValueError(f"rank must be at most min(shape) = {min(m, n)}, got {r}")
    noise = check_positive_float(noise, "noise", allow_zero=True)
    rng = check_rng(rng)
    if signal is None:
        sig = np.arange(r, 0, -1, dtype=float)
    else:
        sig = as_nonnegative_array(signal, "signal")
        if sig.shape != (r,) or np.any(sig == 0):
            raise ValueError(f"signal must hold {r} positive singular values, got {signal!r}")
    U, _ = np.linalg.qr(rng.standard_normal((m, r)))
    V, _ = np.linalg.qr(rng.standard_normal((n, r)))
    X = (U * sig) @ V.T
    Y = X + noise * rng.standard_normal((m, n))
    return Y, X


def _minimizers_on_grid(Y, lams, L, col):
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    for lam in lams:
        s = scalar_minimizers(y, lam, L)[:, col]
        yield U, s, Vt


def error_curve(Y, X, lams, depth, tie="largest") -> np.ndarray:
    r"""The error :math:`e(\lambda) = \|P^*(\lambda) - X\|_F` of the minimizer on a grid of :math:`\lambda`.

    :math:`P^*(\lambda)` is :func:`wdlib.minimizer` of ``Y`` (``tie`` chooses it
    on the exceptional set); ``X`` is the clean signal.
    """
    Y, X = _check_pair(Y, X)
    lams = as_nonnegative_vector(lams)
    L = check_depth(depth)
    if tie not in ("largest", "smallest"):
        raise ValueError(f"tie must be 'largest' or 'smallest', got {tie!r}")
    col = tie_column(tie)
    return np.array([np.linalg.norm((U * s) @ Vt - X) for U, s, Vt in _minimizers_on_grid(Y, lams, L, col)])


def layer_norm_curve(Y, lams, depth, tie="largest") -> np.ndarray:
    r"""The squared layer norm :math:`\sum_i s_i(\lambda)^{2/L}` of the minimizer on a grid.

    Every layer of a balanced minimizer has this squared Frobenius norm (and,
    off the exceptional set, every minimizer is balanced, chapter *A unique
    end-to-end minimizer*); the total penalty is :math:`L` times it.
    Singular values below the numerical rank of the minimizer
    (:func:`wdlib.numerical_rank`, as in :func:`wdlib.representation_cost`)
    count as zero. For :math:`L \ge 3` at a tie value of :math:`\lambda`,
    ``tie="largest"`` gives the norm of the minimizer that keeps the tied
    singular values (the limit from below), ``"smallest"`` the one that drops
    them (the limit from above); see :func:`optimal_regularization`.
    """
    Y = as_matrix(Y, "Y")
    lams = as_nonnegative_vector(lams)
    L = check_depth(depth)
    col = tie_column(tie)
    y = np.linalg.svd(Y, compute_uv=False)
    return np.array([_layer_norm(scalar_minimizers(y, lam, L)[:, col], L, Y.shape) for lam in lams])


def _layer_norm(s, L, shape):
    """Sum of s_i^(2/L) over the singular values above the numerical rank rule."""
    s = np.sort(np.asarray(s, dtype=float))[::-1]
    return float(np.sum(s[: numerical_rank(s, shape)] ** (2.0 / L)))


def error_slope_at_zero(Y, X, depth) -> float:
    r"""The right derivative of :math:`e(\lambda)^2` at :math:`\lambda = 0`.

    .. math::

        \frac{d}{d\lambda} \|P^*(\lambda) - X\|_F^2 \Big|_{0^+}
          = -2 \,\big\langle Y^{(2-L)/L},\, Y - X \big\rangle ,
        \qquad Y^{a} = \sum_{y_i > 0} y_i^{a} u_i v_i^\top ,

    because every nonzero :math:`s_i(\lambda) = y_i - \lambda y_i^{(2-L)/L} + O(\lambda^2)`.
    Negative means a little weight decay already reduces the error.
    """
    Y, X = _check_pair(Y, X)
    L = check_depth(depth)
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    keep = y > max(Y.shape) * np.finfo(float).eps * (y[0] if y.size else 0.0)
    if not np.any(keep):
        return 0.0
    M = (U[:, keep] * y[keep] ** ((2.0 - L) / L)) @ Vt[keep]
    return float(-2.0 * np.sum(M * (Y - X)))


def optimal_regularization(Y, X, depth, lams=None) -> dict:
    r"""The :math:`\lambda` minimizing :math:`e(\lambda) = \|P^*(\lambda) - X\|_F`, and the layer norm there.

    Scans ``lams`` (default: 400 log-spaced values from :math:`10^{-4}\lambda^*`
    to :math:`1.2\,\lambda^*`, or up to :math:`\|Y\|_2^2` for :math:`L = 1`), then
    refines by a bounded scalar minimization between the two grid neighbours of
    the best grid point, keeping the better of the two.

    For :math:`L \ge 3` the error jumps at each collapse value
    :math:`\mu_L y_i^{2(L-1)/L}`, and its minimum can sit exactly there (a tie
    value, where two minimizers share the global minimum of :math:`F`). When the
    refined :math:`\lambda` is within a relative ``1e-6`` of a collapse value,
    the result snaps to it, evaluates both minimizers of the tie and reports the
    one with the smaller error; its layer norm is then a one-sided limit of
    :math:`\lambda \mapsto \sum_i s_i(\lambda)^{2/L}`.

    Returns
    -------
    dict
        ``"lam"``, ``"error"``, ``"layer_norm"`` (:math:`\sum_i s_i^{2/L}` of the
        minimizer that attains ``"error"``), ``"rank"`` of that minimizer,
        ``"error_at_zero"`` (:math:`\|Y - X\|_F`), ``"error_at_infinity"``
        (:math:`\|X\|_F`), ``"tie"`` (whether ``lam`` is a tie value),
        ``"minimizer"`` (``"largest"`` or ``"smallest"``: which minimizer of a tie
        attains the error; ``"largest"`` otherwise), and ``"layer_norm_below"``,
        ``"layer_norm_above"``: the limits of the layer norm as :math:`\lambda`
        increases to, resp. decreases to, ``lam`` (the norms of the ``"largest"``
        and ``"smallest"`` minimizers at a tie; both equal ``"layer_norm"``
        otherwise).

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y, X = np.diag([10.0, 2.0]), np.diag([5.0, 4.0])
    >>> opt = wdlib.optimal_regularization(Y, X, 2)
    >>> round(opt["lam"], 6), round(opt["error"], 6)
    (5.0, 4.0)
    """
    Y, X = _check_pair(Y, X)
    L = check_depth(depth)
    if lams is not None:
        lams = as_nonnegative_vector(lams)
    y = np.linalg.svd(Y, compute_uv=False)
    if lams is None:
        if y.size == 0 or y[0] == 0:
            raise ValueError("Y must be nonzero to choose a default grid of lams")
        top = 1.2 * (y[0] ** 2 if L == 1 else float(np.exp(np.log(threshold_constant(L)) + 2.0 * (L - 1) / L * np.log(y[0]))))
        lams = np.geomspace(1e-4 * top, top, 400)
    errs = error_curve(Y, X, lams, L)
    k = int(np.argmin(errs))
    best_lam, best_err = float(lams[k]), float(errs[k])
    lo, hi = float(lams[max(k - 1, 0)]), float(lams[min(k + 1, lams.size - 1)])
    if hi > lo:
        res = minimize_scalar(lambda t: error_curve(Y, X, [t], L)[0], bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-12 * hi})
        if res.fun < best_err:
            best_lam, best_err = float(res.x), float(res.fun)
    col, tie = 1, False
    if L >= 3 and best_lam > 0:
        cl = collapse_lambdas(Y, L)
        near = cl[(cl > 0) & (np.abs(cl - best_lam) <= 1e-6 * best_lam)]
        if near.size:
            lam_c = float(near[0])
            e_big, e_small = error_curve(Y, X, [lam_c], L, "largest")[0], error_curve(Y, X, [lam_c], L, "smallest")[0]
            if min(e_big, e_small) <= best_err * (1 + 1e-12):
                tie, best_lam = True, lam_c
                col = 1 if e_big <= e_small else 0
                best_err = float(min(e_big, e_small))
    both = scalar_minimizers(y, best_lam, L)
    s = both[:, col]
    norm = _layer_norm(s, L, Y.shape)
    return {
        "lam": best_lam,
        "error": best_err,
        "layer_norm": norm,
        "rank": numerical_rank(np.sort(s)[::-1], Y.shape),
        "error_at_zero": float(np.linalg.norm(Y - X)),
        "error_at_infinity": float(np.linalg.norm(X)),
        "tie": tie,
        "minimizer": "largest" if col == 1 else "smallest",
        "layer_norm_below": _layer_norm(both[:, 1], L, Y.shape) if tie else norm,
        "layer_norm_above": _layer_norm(both[:, 0], L, Y.shape) if tie else norm,
    }


def steps_to_tolerance(Y, lam, depth, lr, init_scale, rng=0, rtol=1e-8, max_steps=20000, target=None, widths=None) -> dict:
    r"""Gradient descent until the end-to-end matrix is within ``rtol`` of the minimizer.

    Plain gradient descent :math:`W_l \leftarrow W_l - \eta \nabla_{W_l} F`
    (the same update as :func:`wdlib.gradient_descent`, with the gradient
    :func:`wdlib.grad`) from :func:`wdlib.init_weights`, recording after each
    step the relative error :math:`\|P_k - P^*\|_F / \|P^*\|_F` (absolute
    error :math:`\|P_k\|_F` when :math:`P^* = 0`).

    Parameters
    ----------
    Y : array_like
    lam : float
    depth : int
    lr : float
        Step size :math:`\eta > 0`.
    init_scale : float
        Entry standard deviation of the random start.
    rng : numpy.random.Generator or int
    rtol : float
        Tolerance on the (relative) error.
    max_steps : int
    target : array_like, optional
        The matrix to reach; default :func:`wdlib.minimizer` of ``Y``.
    widths : sequence of int, optional

    Returns
    -------
    dict
        ``"status"``: ``"converged"``, ``"not converged"`` (``max_steps``
        reached) or ``"diverged"`` (the iterates overflowed); ``"steps"``: the
        first step with error below ``rtol`` (``None`` otherwise);
        ``"errors"``: the error before each step and after the last;
        ``"weights"``: the final weights.
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    lam = check_lam(lam)
    lr = check_positive_float(lr, "lr")
    rtol = check_positive_float(rtol, "rtol")
    max_steps = check_positive_int(max_steps, "max_steps", minimum=0)
    W = init_weights(Y, L, widths, init_scale, rng)  # validates widths, init_scale and rng
    T = minimizer(Y, lam, L) if target is None else as_matrix(target, "target")
    if T.shape != Y.shape:
        raise ValueError(f"target must have the shape of Y, {Y.shape}, got {T.shape}")
    scale = float(np.linalg.norm(T)) or 1.0
    errors = []
    status, hit = "not converged", None
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_steps + 1):
            err = float(np.linalg.norm(_product(W) - T)) / scale
            errors.append(err)
            if not np.isfinite(err) or err > 1e150:
                status = "diverged"
                break
            if err <= rtol:
                status, hit = "converged", k
                break
            if k == max_steps:
                break
            G = _grad(W, Y, lam)
            W = [w - lr * g for w, g in zip(W, G)]
    return {"status": status, "steps": hit, "errors": np.array(errors), "weights": W}
