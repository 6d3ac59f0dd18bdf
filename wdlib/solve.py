r"""The global minimizer of :math:`F` in closed form, from one SVD.

By the Schatten reduction and von Neumann's trace inequality (chapters
*Balanced factors and the Schatten quasi-norm* and *A unique end-to-end
minimizer*), the end-to-end matrix of every global minimizer is
:math:`P^* = U \operatorname{diag}(s_i) V^\top` with :math:`Y = U
\operatorname{diag}(y_i) V^\top` and :math:`s_i` a minimizer of the scalar
problem :math:`g(\cdot\,; y_i)`.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, check_depth, check_lam, tie_column, check_positive_float
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
    singular value equal to :math:`y_c`.
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
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
    lam : float
        :math:`\lambda \ge 0`. For :math:`\lambda = 0` the result is ``Y``
        itself (any factorization of ``Y`` minimizes).
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
    lam = check_lam(lam)
    L = check_depth(depth)
    col = tie_column(tie)
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    s = scalar_minimizers(y, lam, L, rtol)[:, col]
    k = int(np.count_nonzero(s))
    return (U[:, :k] * s[:k]) @ Vt[:k]


def minimizer_factors(Y, lam, depth, widths=None, tie="largest", rtol=DEFAULT_RTOL) -> list[np.ndarray]:
    """Balanced factors of :func:`minimizer`: a global minimizer of :math:`F` in parameter space."""
    return balanced_factors(minimizer(Y, lam, depth, tie=tie, rtol=rtol), depth, widths)


def minimum_value(Y, lam, depth) -> float:
    r"""The global minimum of :math:`F`: :math:`\sum_i g(s_i; y_i)`.

    The sum runs over all :math:`\min(d_0, d_L)` singular values of ``Y``, so it
    accounts for the whole of :math:`\|Y\|_F^2`.
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    y = np.linalg.svd(Y, compute_uv=False)
    s = scalar_minimizers(y, lam, L)[:, 1]
    return float(np.sum(scalar_objective(s, y, lam, L)))


def is_exceptional(Y, lam, depth, rtol=DEFAULT_RTOL) -> bool:
    r"""Whether ``Y`` lies on the exceptional set, where the end-to-end minimizer is not unique.

    True exactly when :math:`L \ge 3`, :math:`\lambda > 0` and some singular
    value of ``Y`` is within ``rtol`` (relative) of :math:`y_c(\lambda, L)`.
    The set has Lebesgue measure zero and is empty for :math:`L \le 2`
    (chapter *A unique end-to-end minimizer*).
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
