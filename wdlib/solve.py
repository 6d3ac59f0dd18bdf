r"""The global minimizer of :math:`F` in closed form, from one SVD.

By the Schatten reduction and von Neumann's trace inequality (chapters
*Balanced factors and the Schatten quasi-norm* and *From matrices to
numbers*), the end-to-end matrix of every global minimizer is
:math:`P^* = U \operatorname{diag}(s_i) V^\top` with :math:`Y = U
\operatorname{diag}(y_i) V^\top` and :math:`s_i` a minimizer of the scalar
problem :math:`g(\cdot\,; y_i)`.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, check_depth, check_lam, check_lams, lam_bar, tie_column, check_positive_float
from .balance import balanced_factors
from .scalar import DEFAULT_RTOL, critical_singular_value, scalar_minimizers, scalar_objective

__all__ = [
    "minimizer",
    "minimizer_singular_values",
    "minimizer_factors",
    "minimum_value",
    "is_exceptional",
]

def minimizer_singular_values(Y, lam, depth, tie="largest", rtol=DEFAULT_RTOL) -> np.ndarray:
    r"""The singular values :math:`s_i` of the end-to-end minimizer, aligned with those of ``Y``.

    ``tie`` chooses, on the exceptional set (:func:`is_exceptional`), between
    the nonzero (``"largest"``) and the zero (``"smallest"``) minimizer for every
    singular value equal to :math:`y_c`. Per-layer ``lam`` (a sequence of
    :math:`L` positive values) acts through :math:`\bar\lambda = (\prod_l \lambda_l)^{1/L}`.
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    lam = lam_bar(check_lams(lam, L))
    col = tie_column(tie)
    y = np.linalg.svd(Y, compute_uv=False)
    return scalar_minimizers(y, lam, L, rtol)[:, col]


def minimizer(Y, lam, depth, tie="largest", rtol=DEFAULT_RTOL) -> np.ndarray:
    r"""The end-to-end matrix :math:`P^*` of a global minimizer of :math:`F`.

    One thin SVD of ``Y`` and the closed-form scalar problem: cost
    :math:`O(mn\min(m, n))`. Unique unless :func:`is_exceptional`; there,
    ``tie`` picks which of the minimizers is returned.

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    lam : float or sequence of float
        :math:`\lambda \ge 0`. For :math:`\lambda = 0` the result is ``Y``
        itself (any factorization of ``Y`` minimizes). A sequence of :math:`L`
        positive per-layer strengths gives the minimizer of the uniform problem
        with :math:`\bar\lambda = (\prod_l \lambda_l)^{1/L}` (chapter *The whole landscape*).
    depth : int
        :math:`L \ge 1`.
    tie : {"largest", "smallest"}
        On the exceptional set, keep (``"largest"``) or drop (``"smallest"``)
        the singular values equal to :math:`y_c`.
    rtol : float
        Tie tolerance, see :data:`wdlib.DEFAULT_RTOL`.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.diag([3.0, 1.0])
    >>> P = wdlib.minimizer(Y, 0.5, 3)  # y = 1 is below the jump point: dropped
    >>> np.round(np.linalg.svd(P, compute_uv=False), 6)
    array([2.638143, 0.      ])
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    lam = lam_bar(check_lams(lam, L))
    col = tie_column(tie)
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    s = scalar_minimizers(y, lam, L, rtol)[:, col]
    k = int(np.count_nonzero(s))
    return (U[:, :k] * s[:k]) @ Vt[:k]


def minimizer_factors(Y, lam, depth, widths=None, tie="largest", rtol=DEFAULT_RTOL) -> list[np.ndarray]:
    r"""Balanced factors of :func:`minimizer`: a global minimizer of :math:`F` in parameter space.

    For per-layer ``lam`` (a sequence of :math:`L` positive values) the balanced
    factors :math:`V_l` of the minimizer for :math:`\bar\lambda` are rescaled to
    :math:`W_l = \sqrt{\bar\lambda/\lambda_l}\, V_l`, which keeps the product and
    satisfies :math:`\lambda_{l+1} W_{l+1}^\top W_{l+1} = \lambda_l W_l W_l^\top`
    (chapter *The whole landscape*).
    """
    L = check_depth(depth)
    lams = check_lams(lam, L)
    V = balanced_factors(minimizer(Y, lams, L, tie=tie, rtol=rtol), L, widths)
    if isinstance(lams, float):
        return V
    bar = lam_bar(lams)
    return [np.sqrt(bar / lams[l]) * V[l] for l in range(L)]


def minimum_value(Y, lam, depth) -> float:
    r"""The global minimum of :math:`F`: :math:`\sum_i g(s_i; y_i)`.

    The sum runs over all :math:`\min(d_0, d_L)` singular values of ``Y``, so it
    accounts for the whole of :math:`\|Y\|_F^2`. Per-layer ``lam`` acts through
    :math:`\bar\lambda = (\prod_l \lambda_l)^{1/L}`.
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    lam = lam_bar(check_lams(lam, L))
    y = np.linalg.svd(Y, compute_uv=False)
    s = scalar_minimizers(y, lam, L)[:, 1]
    return float(np.sum(scalar_objective(s, y, lam, L)))


def is_exceptional(Y, lam, depth, rtol=DEFAULT_RTOL) -> bool:
    r"""Whether ``Y`` lies on the exceptional set, where the end-to-end minimizer is not unique.

    True exactly when :math:`L \ge 3`, :math:`\lambda > 0` and some singular
    value of ``Y`` is within ``rtol`` (relative) of :math:`y_c(\lambda, L)`.
    The set has Lebesgue measure zero; for :math:`L \le 2` or :math:`\lambda = 0`
    this is always false, since the end-to-end minimizer is then unique for every
    target, even when a singular value equals :math:`y_c(\lambda, 2) = \lambda`
    (chapter *Uniqueness and the invariant layer norm*).
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    rtol = check_positive_float(rtol, "rtol", allow_zero=True)
    if L <= 2 or lam == 0.0:
        return False
    yc = critical_singular_value(lam, L)
    y = np.linalg.svd(Y, compute_uv=False)
    return bool(np.any(np.abs(y - yc) <= rtol * yc))
