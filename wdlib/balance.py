r"""Balancedness, balanced factorizations and the orthogonal orbit.

A point is *balanced* when :math:`W_{l+1}^\top W_{l+1} = W_l W_l^\top` for
:math:`l = 1, \dots, L-1` (chapter *Balancedness*). Balanced factors of a matrix
:math:`P` have singular values :math:`\sigma_i(P)^{1/L}` and reach the smallest
total squared norm :math:`L \sum_i \sigma_i(P)^{2/L}` among all factorizations
of :math:`P` (chapter *Balanced factors and the Schatten quasi-norm*).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, as_nonnegative_array, check_depth, check_positive_int, check_rng, check_weights, check_widths

__all__ = [
    "imbalance",
    "balanced_factors",
    "random_orthogonal",
    "random_orbit_point",
    "representation_cost",
    "numerical_rank",
]


def imbalance(weights) -> list[np.ndarray]:
    r"""The imbalance matrices :math:`D_l = W_{l+1}^\top W_{l+1} - W_l W_l^\top`.

    Returns ``L - 1`` symmetric matrices (``D_l`` of shape ``(d_l, d_l)``);
    an empty list for depth 1. Under gradient flow on :math:`F` each obeys
    :math:`\dot D_l = -2\lambda D_l` (chapter *Balancedness*).
    """
    weights = check_weights(weights)
    return [weights[l + 1].T @ weights[l + 1] - weights[l] @ weights[l].T for l in range(len(weights) - 1)]


def numerical_rank(singular_values, shape) -> int:
    """The number of singular values above ``max(shape) * eps * sigma_1``."""
    s = as_nonnegative_array(singular_values, "singular_values")
    if s.ndim > 1:
        raise ValueError(f"singular_values must be a 1-D array, got shape {s.shape}")
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or len(shape) == 0:
        raise TypeError(f"shape must be a sequence of array sizes, e.g. P.shape, got {shape!r}")
    shape = [check_positive_int(d, f"shape[{i}]", minimum=0) for i, d in enumerate(shape)]
    s = s.ravel()
    if s.size == 0 or s.max() == 0:
        return 0
    tol = max(shape) * np.finfo(float).eps * s.max()
    return int(np.count_nonzero(s > tol))


def balanced_factors(P, depth, widths=None) -> list[np.ndarray]:
    r"""A balanced factorization ``[W_1, ..., W_L]`` of ``P``.

    From the SVD :math:`P = U \Sigma V^\top` restricted to its rank :math:`r`:
    :math:`W_1 = \Sigma^{1/L} V^\top`, :math:`W_l = \Sigma^{1/L}` in between and
    :math:`W_L = U \Sigma^{1/L}`, padded with zeros up to the requested widths.

    Parameters
    ----------
    P : array_like, shape ``(d_L, d_0)``
        The end-to-end matrix to factor.
    depth : int
        Number of layers :math:`L \ge 1`.
    widths : sequence of int, optional
        Hidden widths ``[d_1, ..., d_{L-1}]``; each must be at least the rank of
        ``P``. By default every hidden width equals ``max(rank(P), 1)``, the
        smallest that works.

    Returns
    -------
    list of ndarray
        Balanced factors: ``W_{l+1}^T W_{l+1} == W_l W_l^T`` and
        ``W_L ... W_1 == P`` to working precision.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> P = np.diag([8.0, 1.0])
    >>> W = wdlib.balanced_factors(P, 3)
    >>> [np.round(np.linalg.svd(Wl, compute_uv=False), 6) for Wl in W]
    [array([2., 1.]), array([2., 1.]), array([2., 1.])]
    >>> bool(np.allclose(wdlib.end_to_end(W), P))
    True
    """
    P = as_matrix(P, "P")
    L = check_depth(depth)
    d_out, d_in = P.shape
    if L == 1:
        if widths is not None:
            # A single layer has no hidden width: only an empty sequence is valid.
            check_widths(widths, L)
        return [P.copy()]
    U, s, Vt = np.linalg.svd(P, full_matrices=False)
    r = numerical_rank(s, P.shape)
    if widths is None:
        widths = [max(r, 1)] * (L - 1)
    else:
        widths = check_widths(widths, L, min_width=r)
    root = s[:r] ** (1.0 / L)
    dims = [d_in] + widths + [d_out]
    weights = []
    for l in range(L):
        W = np.zeros((dims[l + 1], dims[l]))
        if l == 0:
            W[:r, :] = root[:, None] * Vt[:r]
        elif l == L - 1:
            W[:, :r] = U[:, :r] * root
        else:
            W[np.arange(r), np.arange(r)] = root
        weights.append(W)
    return weights


def random_orthogonal(n, rng=0) -> np.ndarray:
    """A Haar-distributed random ``n x n`` orthogonal matrix (QR with sign fix)."""
    n = check_positive_int(n, "n", minimum=0)
    rng = check_rng(rng)
    if n == 0:
        return np.zeros((0, 0))
    Z = rng.standard_normal((n, n))
    Q, R = np.linalg.qr(Z)
    return Q * np.where(np.diag(R) < 0, -1.0, 1.0)


def random_orbit_point(weights, rng=0) -> list[np.ndarray]:
    r"""A random point :math:`(Q_l W_l Q_{l-1}^\top)_l` of the orthogonal orbit.

    :math:`Q_0 = I`, :math:`Q_L = I` and :math:`Q_1, \dots, Q_{L-1}` are
    independent Haar-random orthogonal matrices, so the end-to-end matrix, the
    objective and balancedness are unchanged (chapter *The Hessian at minimizers*).

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``.
    rng : numpy.random.Generator or int
        Source of randomness (an int is a seed).
    """
    weights = check_weights(weights)
    rng = check_rng(rng)
    L = len(weights)
    Qs = [np.eye(weights[0].shape[1])] + [random_orthogonal(weights[l].shape[0], rng) for l in range(L - 1)] + [np.eye(weights[-1].shape[0])]
    return [Qs[l + 1] @ weights[l] @ Qs[l].T for l in range(L)]


def representation_cost(P, depth) -> float:
    r"""The least total squared norm of a depth-``L`` factorization of ``P``.

    .. math::

        \min\Big\{\sum_{l=1}^{L} \|W_l\|_F^2 : W_L \cdots W_1 = P\Big\}
          = L \sum_i \sigma_i(P)^{2/L},

    attained exactly at balanced factorizations (chapter *Balanced factors and
    the Schatten quasi-norm*).
    """
    P = as_matrix(P, "P")
    L = check_depth(depth)
    s = np.linalg.svd(P, compute_uv=False)
    # Singular values below the numerical rank are rounding noise; for deep
    # networks s**(2/L) would magnify them (1e-16 ** 0.2 ~ 6e-4), so drop them.
    s = s[: numerical_rank(s, P.shape)]
    return float(L * np.sum(s ** (2.0 / L)))
