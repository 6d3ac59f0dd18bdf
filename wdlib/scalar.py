r"""The scalar problem behind every minimizer, and its thresholds.

After the spectral reduction (chapter *From matrices to numbers*), each
singular value :math:`y` of the target is treated on its own by

.. math::

    g(s; y) = \tfrac12 (s - y)^2 + \tfrac{\lambda L}{2}\, s^{2/L}, \qquad s \ge 0 .

For :math:`L = 1` the minimizer is :math:`y/(1+\lambda)`, for :math:`L = 2` it is
:math:`\max(y - \lambda, 0)`; for :math:`L \ge 3` it is zero below
:math:`y_c(\lambda, L) = (\lambda/\mu_L)^{L/(2(L-1))}` and the largest root of
:math:`s + \lambda s^{(2-L)/L} = y` above it, with a jump of ratio
:math:`(L-2)/(L-1)` at :math:`y_c` (chapter *The scalar problem*).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, as_nonnegative_array, check_depth, check_lam, check_positive_float
from .balance import numerical_rank

__all__ = [
    "DEFAULT_RTOL",
    "threshold_constant",
    "critical_singular_value",
    "critical_lambda",
    "collapse_lambdas",
    "spinodal_singular_value",
    "spinodal_lambda",
    "scalar_objective",
    "scalar_minimizers",
    "scalar_minimizer",
    "scalar_local_minimizer",
]

#: Relative tolerance within which a singular value counts as equal to
#: :math:`y_c` (a tie between the zero and the nonzero minimizer). Singular
#: values from an SVD carry relative errors of order ``eps * y_1 / y_i``; 1e-10
#: covers them for condition numbers up to about 1e5.
DEFAULT_RTOL = 1e-10


def threshold_constant(depth) -> float:
    r"""The constant :math:`\mu_L` of the collapse threshold :math:`\lambda^* = \mu_L y_1^{2(L-1)/L}`.

    .. math::

        \mu_L = \frac{1}{L-1}\Big(\frac{L-2}{L-1}\Big)^{(L-2)/L}, \qquad \mu_2 = 1 .

    For :math:`L = 1` the minimizer :math:`y/(1+\lambda)` never collapses and
    ``inf`` is returned. :math:`\mu_L` decreases in :math:`L` and behaves like
    :math:`1/L` for large :math:`L`. Derived in the chapter *The scalar problem*.
    """
    L = check_depth(depth)
    if L == 1:
        return float("inf")
    if L == 2:
        return 1.0
    return float(np.exp(-np.log(L - 1) + (L - 2) / L * np.log((L - 2) / (L - 1))))


def critical_singular_value(lam, depth) -> float:
    r"""The threshold :math:`y_c(\lambda, L)` below which a singular value is set to zero.

    :math:`y_c = (\lambda/\mu_L)^{L/(2(L-1))}` for :math:`L \ge 2` (so
    :math:`y_c = \lambda` for :math:`L = 2`), and :math:`0` for :math:`L = 1`.
    For :math:`L \ge 3` a singular value equal to :math:`y_c` has two minimizers,
    :math:`0` and :math:`\frac{L-2}{L-1} y_c`.
    """
    lam = check_lam(lam)
    L = check_depth(depth)
    if L == 1 or lam == 0.0:
        return 0.0
    if L == 2:
        return lam
    mu = threshold_constant(L)
    return float(np.exp(L / (2.0 * (L - 1)) * (np.log(lam) - np.log(mu))))


def collapse_lambdas(Y, depth) -> np.ndarray:
    r"""For each singular value :math:`y_i` of ``Y``, the :math:`\lambda` at which it is set to zero.

    :math:`\mu_L\, y_i^{2(L-1)/L}`, in the order of the singular values
    (non-increasing): the rank of the minimizer is the number of entries larger
    than :math:`\lambda`. ``inf`` for nonzero :math:`y_i` when :math:`L = 1`.
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    y = np.linalg.svd(Y, compute_uv=False)
    # Singular values below the numerical rank are rounding noise of an exact
    # zero (as in representation_cost): they collapse at lam = 0, not at inf (L = 1).
    y[numerical_rank(y, Y.shape):] = 0.0
    return _collapse_lambdas(y, L)


def _collapse_lambdas(y, L):
    if L == 1:
        return np.where(y > 0, np.inf, 0.0)
    if L == 2:
        # mu_2 = 1 and the exponent is 1: lam* = y exactly (exp(log(y)) is off by ulps,
        # which would leave a nonzero minimizer max(y - lam*, 0) at lam = lam*).
        return y.copy()
    mu = threshold_constant(L)
    # log is taken of positive entries only (zeros are replaced by 1, then masked).
    return np.where(y > 0, np.exp(np.log(mu) + 2.0 * (L - 1) / L * np.log(np.where(y > 0, y, 1.0))), 0.0)


def critical_lambda(Y, depth, ratios=None) -> float:
    r"""The critical regularization :math:`\lambda^* = \mu_L\, y_1^{2(L-1)/L}`.

    For :math:`\lambda > \lambda^*` the minimizer of :math:`F` is zero; for
    :math:`\lambda < \lambda^*` it is not. At :math:`\lambda = \lambda^*` it is
    zero for :math:`L = 2` and both zero and a nonzero point minimize for
    :math:`L \ge 3`. For :math:`L = 1` it is ``inf`` (no collapse) unless
    :math:`Y = 0`. Derived in the chapter *The critical threshold*.

    With ``ratios`` (:math:`L` positive numbers :math:`r_l`), per-layer weight
    decay :math:`\lambda_l = t\, r_l` collapses exactly when
    :math:`\bar\lambda = t\, (\prod_l r_l)^{1/L} > \lambda^*`: the critical
    scale :math:`t^* = \lambda^* / (\prod_l r_l)^{1/L}` is returned (chapter
    *The whole landscape*).

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.diag([3.0, 1.0])
    >>> round(wdlib.critical_lambda(Y, 2), 6), round(wdlib.critical_lambda(Y, 3), 6)
    (3.0, 1.717071)
    >>> bool(np.all(wdlib.minimizer(Y, 1.72, 3) == 0))
    True
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    if ratios is not None:
        from ._validate import check_lams, lam_bar

        r = check_lams(ratios, L, name="ratios")
        if isinstance(r, float):
            raise TypeError(f"ratios must be a sequence of {L} positive numbers (one per layer), got a scalar")
        return critical_lambda(Y, L) / lam_bar(r)
    if Y.size == 0:
        return 0.0
    y1 = np.linalg.norm(Y, 2)
    return float(_collapse_lambdas(np.array([y1]), L)[0])


def spinodal_singular_value(lam, depth) -> float:
    r"""The smallest :math:`y` for which :math:`g(\cdot\,; y)` has a nonzero local minimizer.

    For :math:`L \ge 3`: :math:`y_{sp} = \frac{2(L-1)}{L-2}\big(\lambda\frac{L-2}{L}\big)^{L/(2(L-1))} < y_c`.
    For :math:`L \le 2` it coincides with :math:`y_c`.
    """
    lam = check_lam(lam)
    L = check_depth(depth)
    if L <= 2 or lam == 0.0:
        return critical_singular_value(lam, L)
    return float(2.0 * (L - 1) / (L - 2) * np.exp(L / (2.0 * (L - 1)) * np.log(lam * (L - 2) / L)))


def spinodal_lambda(y, depth):
    r"""The supremum of the :math:`\lambda` at which a singular value ``y`` keeps a nonzero local minimizer.

    :math:`\lambda_{sp} = L\, 2^{-2(L-1)/L}\, \mu_L\, y^{2(L-1)/L}` for
    :math:`L \ge 3` (above the collapse value :math:`\mu_L y^{2(L-1)/L}` by the
    factor :math:`L\,2^{-2(L-1)/L} > 1`); equal to the collapse value for
    :math:`L \le 2`. The local minimizer exists for every
    :math:`\lambda < \lambda_{sp}`; at :math:`\lambda_{sp}` itself it has merged
    with the local maximizer into an inflection point. Vectorized over ``y``.
    """
    y = as_nonnegative_array(y, "y")
    L = check_depth(depth)
    out = _collapse_lambdas(y, L)
    if L >= 3:
        out = out * (L * 2.0 ** (-2.0 * (L - 1) / L))
    return out if out.ndim else float(out)


def scalar_objective(s, y, lam, depth):
    r""":math:`g(s; y) = \frac12 (s - y)^2 + \frac{\lambda L}{2} s^{2/L}`, broadcast over ``s`` and ``y``."""
    s = as_nonnegative_array(s, "s")
    y = as_nonnegative_array(y, "y")
    lam = check_lam(lam)
    L = check_depth(depth)
    out = 0.5 * (s - y) ** 2 + 0.5 * lam * L * s ** (2.0 / L)
    return out if out.ndim else float(out)


def _largest_root(y, lam, L):
    """Largest root of h(s) = s + lam * s**(-(L-2)/L) = y, for y above the spinodal.

    Newton's method started at s = y: h is convex and increasing to the right
    of the spinodal point s_sp = (a lam)^{1/(1+a)}, a = (L-2)/L, and h(y) > y,
    so in exact arithmetic the iterates decrease monotonically to the root.
    Quadratic convergence except at the spinodal itself. In floating point an
    iterate can land at or left of the root (f <= 0) when y is within rounding
    of the spinodal value; the iteration then stops there instead of dividing
    by a vanishing or negative h' and wandering, and it never steps below s_sp.
    """
    a = (L - 2.0) / L
    s_sp = np.exp(np.log(a * lam) / (1.0 + a))
    s = y.astype(float).copy()
    active = np.ones(s.shape, dtype=bool)
    for _ in range(200):
        sa = s ** (-a)
        f = s + lam * sa - y
        fp = 1.0 - a * lam * sa / s
        active &= (f > 0) & (fp > 0)
        step = np.where(active, f / np.where(active, fp, 1.0), 0.0)
        s_new = np.maximum(s - step, s_sp)
        s_new = np.where(np.isfinite(s_new), s_new, s)
        active &= np.abs(s_new - s) > 4.0 * np.finfo(float).eps * s
        s = s_new
        if not np.any(active):
            break
    return s


def scalar_minimizers(y, lam, depth, rtol=DEFAULT_RTOL) -> np.ndarray:
    r"""All global minimizers of :math:`g(\cdot\,; y)` over :math:`s \ge 0`, vectorized over ``y``.

    Parameters
    ----------
    y : float or array_like
        Singular values of the target (non-negative).
    lam : float
        Regularization strength :math:`\lambda \ge 0`.
    depth : int
        :math:`L \ge 1`.
    rtol : float
        ``y`` with :math:`|y - y_c| \le` ``rtol`` :math:`\cdot y_c` is a tie
        (see :data:`DEFAULT_RTOL`); consistent with :func:`wdlib.is_exceptional`.

    Returns
    -------
    ndarray of shape ``y.shape + (2,)``
        ``[..., 0]`` is the smallest and ``[..., 1]`` the largest global
        minimizer; they are equal where the minimizer is unique. They differ
        only for :math:`L \ge 3`, :math:`\lambda > 0` and :math:`y = y_c`,
        where they are :math:`0` and :math:`\frac{L-2}{L-1} y_c`.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> np.round(wdlib.scalar_minimizers([0.5, 2.0], 0.5, 3), 6)
    array([[0.     , 0.     ],
           [1.56978, 1.56978]])

    At the jump point :math:`y_c` both zero and a nonzero value minimize:

    >>> y_c = wdlib.critical_singular_value(0.5, 3)
    >>> np.round(wdlib.scalar_minimizers(y_c, 0.5, 3), 6)
    array([0.      , 0.594604])
    """
    y = as_nonnegative_array(y, "y")
    lam = check_lam(lam)
    L = check_depth(depth)
    rtol = check_positive_float(rtol, "rtol", allow_zero=True)
    out = np.zeros(y.shape + (2,))
    if L == 1:
        out[...] = (y / (1.0 + lam))[..., None]
        return out
    if L == 2:
        out[...] = np.maximum(y - lam, 0.0)[..., None]
        return out
    if lam == 0.0:
        out[...] = y[..., None]
        return out
    yc = critical_singular_value(lam, L)
    tie = np.abs(y - yc) <= rtol * yc
    nonzero = (y > yc) | tie
    if np.any(nonzero):
        root = _largest_root(y[nonzero], lam, L)
        hi = np.zeros(y.shape)
        hi[nonzero] = root
        out[..., 1] = hi
        out[..., 0] = np.where(tie, 0.0, hi)
    return out


def scalar_minimizer(y, lam, depth, rtol=DEFAULT_RTOL):
    r"""The largest global minimizer of :math:`g(\cdot\,; y)`; see :func:`scalar_minimizers`.

    Returns a float for scalar ``y`` and an array of the shape of ``y`` otherwise.
    """
    out = scalar_minimizers(y, lam, depth, rtol)[..., 1]
    return out if out.ndim else float(out)


def scalar_local_minimizer(y, lam, depth):
    r"""The nonzero local minimizer of :math:`g(\cdot\,; y)`, ``nan`` where there is none.

    For :math:`L \ge 3` and :math:`\lambda > 0` it exists for
    :math:`y > y_{sp}` (:func:`spinodal_singular_value`), also where zero is the
    global minimizer (:math:`y_{sp} < y < y_c`): the metastable branch behind
    hysteresis. For :math:`L \le 2` it is the global minimizer where that is
    positive.
    """
    y = as_nonnegative_array(y, "y")
    lam = check_lam(lam)
    L = check_depth(depth)
    if L <= 2 or lam == 0.0:
        s = scalar_minimizers(y, lam, L)[..., 1]  # no ties for L <= 2 or lam = 0
        s = np.where(s > 0, s, np.nan)
    else:
        ysp = spinodal_singular_value(lam, L)
        s = np.full(y.shape, np.nan)
        ok = y > ysp
        if np.any(ok):
            s[ok] = _largest_root(y[ok], lam, L)
    return s if s.ndim else float(s)
