r"""Minimum-norm factorizations, computed without the SVD closed form.

The chapter *Balanced factors and the Schatten quasi-norm* proves

.. math::

    \min\Big\{\sum_{l=1}^{L} \|W_l\|_F^2 : W_L \cdots W_1 = P\Big\}
        = L \sum_i \sigma_i(P)^{2/L},

attained exactly at balanced factorizations. :func:`min_norm_factorization`
solves the left-hand side as an optimization problem without any SVD (a
pivoted-QR reduction to an invertible core, elimination of the last layer, and
L-BFGS on the remaining layers), so it is an *independent* check of the closed
form :func:`wdlib.representation_cost` and of the balanced factors
:func:`wdlib.balanced_factors`, which are both built from an SVD.
:func:`balanced_extension` grows random balanced factorizations from a first
layer, again without the SVD of the product. The module also holds small tools
the chapter uses in its proofs: the :math:`k`-th compound matrix (for Horn's
inequality) and the boundary of the unit ball of the penalty
:math:`\sum_i |s_i|^{2/L}` in two dimensions.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.linalg import qr
from scipy.optimize import minimize

from ._validate import as_matrix, check_depth, check_positive_float, check_positive_int, check_rng, check_weights, check_widths

__all__ = [
    "min_norm_factorization",
    "balanced_extension",
    "total_squared_norm",
    "compound_matrix",
    "schatten_ball_boundary",
]


def total_squared_norm(weights) -> float:
    r"""The total squared norm :math:`\sum_{l=1}^{L} \|W_l\|_F^2` of a factorization.

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``.
    """
    weights = check_weights(weights)
    return float(sum(np.sum(W * W) for W in weights))


def _unflatten(x, dims):
    out, start = [], 0
    for l in range(len(dims) - 1):
        size = dims[l + 1] * dims[l]
        out.append(x[start : start + size].reshape(dims[l + 1], dims[l]))
        start += size
    return out


def _range_basis(A):
    """Orthonormal basis of the column space of ``A`` by a column-pivoted QR (no SVD)."""
    Q, R, _ = qr(A, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    if diag.size == 0 or diag[0] == 0.0:
        return Q[:, :0]
    r = int(np.count_nonzero(diag > max(A.shape) * np.finfo(float).eps * diag[0]))
    return Q[:, :r]


def _reduced_objective(x, dims, K):
    r"""Value and gradient of :math:`\sum_{l<L}\|W_l\|_F^2 + \|K B^{+}\|_F^2`, :math:`B = W_{L-1}\cdots W_1`.

    ``dims = [r, d_1, ..., d_{L-1}]``; :math:`\|K B^+\|_F^2 = \operatorname{tr}(K (B^\top B)^{-1} K^\top)`.
    """
    Ws = _unflatten(x, dims)
    below = [np.eye(dims[0])]  # below[l] = W_l ... W_1 (0-based: the first l layers)
    for W in Ws:
        below.append(W @ below[-1])
    B = below[-1]
    G = B.T @ B
    try:
        GinvKt = np.linalg.solve(G, K.T)  # (B^T B)^{-1} K^T
    except np.linalg.LinAlgError:
        return np.inf, np.zeros_like(x)
    value = sum(np.sum(W * W) for W in Ws) + float(np.sum(K.T * GinvKt))
    if not np.isfinite(value) or value < 0:
        return np.inf, np.zeros_like(x)
    # d/dB tr(K G^{-1} K^T) = -2 B G^{-1} K^T K G^{-1}.
    gB = -2.0 * B @ (GinvKt @ GinvKt.T)
    grads = [None] * len(Ws)
    above = np.eye(dims[-1])  # W_{L-1} ... W_{l+2} for 0-based layer l
    for l in range(len(Ws) - 1, -1, -1):
        grads[l] = 2.0 * Ws[l] + above.T @ gB @ below[l].T
        above = above @ Ws[l]
    return value, np.concatenate([g.ravel() for g in grads])


def min_norm_factorization(P, depth, widths=None, rng=0, gtol=1e-12, maxiter=20000) -> list[np.ndarray]:
    r"""A factorization of ``P`` of least total squared norm, found by optimization.

    Solves

    .. math::

        \min_{W_1, \dots, W_L} \sum_{l=1}^{L} \|W_l\|_F^2
        \quad\text{subject to}\quad W_L \cdots W_1 = P

    without any singular value decomposition, in two exact reductions and one
    unconstrained optimization (derived in the chapter *Balanced factors and the
    Schatten quasi-norm*):

    1. With orthonormal bases :math:`Q_c` of the column space and :math:`Q_r`
       of the row space of ``P`` (column-pivoted QR), replacing :math:`W_1` by
       :math:`W_1 Q_r Q_r^\top` and :math:`W_L` by :math:`Q_c Q_c^\top W_L`
       keeps the product and does not increase the norm, so it suffices to
       factor the invertible :math:`r \times r` matrix
       :math:`K = Q_c^\top P Q_r`, :math:`r = \operatorname{rank} P`.
    2. For fixed :math:`W_1, \dots, W_{L-1}` with product :math:`B` (of full
       column rank :math:`r`, as any factorization of :math:`K` needs), the
       least-norm last layer solving :math:`W_L B = K` is :math:`K B^+`, with
       :math:`\|K B^+\|_F^2 = \operatorname{tr}(K (B^\top B)^{-1} K^\top)`.
    3. The remaining function of :math:`W_1, \dots, W_{L-1}` is minimized by
       L-BFGS with its exact gradient, from one random start. Its stationary
       points are balanced, hence global minimizers, so no new random start is
       ever needed; L-BFGS is only restarted (at most five times) from its own
       last iterate, to refresh its curvature memory after a stall.

    ``K`` is scaled to unit Frobenius norm internally and the layers are scaled
    back by :math:`\|K\|_F^{1/L}`.

    Parameters
    ----------
    P : array_like, shape ``(d_L, d_0)``
        The matrix to factor.
    depth : int
        Number of layers :math:`L \ge 1`; for ``L = 1`` the only factorization
        ``[P]`` is returned.
    widths : sequence of int, optional
        Hidden widths ``[d_1, ..., d_{L-1}]``, each at least ``rank(P)``; by
        default :math:`\min(d_0, d_L)` for each.
    rng : numpy.random.Generator or int
        Source of the random starting point (default: the seed 0).
    gtol : float
        Gradient tolerance of L-BFGS.
    maxiter : int
        Iteration limit of L-BFGS.

    Returns
    -------
    list of ndarray
        ``[W_1, ..., W_L]`` with ``W_L ... W_1 = P`` to working precision.

    Raises
    ------
    RuntimeError
        If the optimizer ends far from stationarity (gradient norm of the
        scaled problem above ``1e-4``). The value converges quadratically, so
        it is exact to rounding error long before the gradient is: expect
        ``sum ||W_l||^2`` within ~1e-14 (relative) of the minimum, but
        balancedness only within ~1e-7 for ill-conditioned ``P`` and large ``L``.
    """
    P = as_matrix(P, "P")
    L = check_depth(depth)
    rng = check_rng(rng)
    gtol = check_positive_float(gtol, "gtol")
    maxiter = check_positive_int(maxiter, "maxiter")
    d_out, d_in = P.shape
    if widths is not None:
        check_widths(widths, L)  # the rank bound is checked below, after the QR
    if L == 1:
        return [P.copy()]
    Qr = _range_basis(P.T)  # row space of P, (d_0, r)
    Qc = _range_basis(P)  # column space of P, (d_L, r)
    r = min(Qr.shape[1], Qc.shape[1])
    Qr, Qc = Qr[:, :r], Qc[:, :r]
    if widths is None:
        widths = [min(d_in, d_out)] * (L - 1)
    else:
        widths = check_widths(widths, L, min_width=r)
    dims = [d_in] + list(widths) + [d_out]
    if r == 0:
        return [np.zeros((dims[l + 1], dims[l])) for l in range(L)]
    K = Qc.T @ P @ Qr
    scale = float(np.linalg.norm(K))
    K = K / scale
    inner = [r] + list(widths)  # W_1 acts on R^r after the reduction
    x0 = np.concatenate([rng.standard_normal(inner[l + 1] * inner[l]) / np.sqrt(inner[l]) for l in range(L - 1)])
    for _ in range(5):  # restarts refresh the L-BFGS memory after a stall
        res = minimize(_reduced_objective, x0, args=(inner, K), jac=True, method="L-BFGS-B",
                       options={"maxiter": maxiter, "maxcor": 30, "gtol": gtol, "ftol": 0.0})
        gnorm = float(np.linalg.norm(res.jac))
        x0 = res.x
        if gnorm <= 1e3 * gtol:
            break
    if not np.isfinite(res.fun) or gnorm > 1e-4:
        raise RuntimeError(f"min_norm_factorization: L-BFGS stopped with gradient norm {gnorm:.2e} ({res.message})")
    Ws = _unflatten(res.x, inner)
    B = Ws[0]
    for W in Ws[1:]:
        B = W @ B
    WL = (B @ np.linalg.solve(B.T @ B, K.T)).T  # K B^+ = K (B^T B)^{-1} B^T
    factor = scale ** (1.0 / L)
    out = [Ws[0] @ Qr.T] + Ws[1:] + [Qc @ WL]
    return [factor * W for W in out]


def balanced_extension(first, widths, rng=0) -> list[np.ndarray]:
    r"""A random balanced factorization ``[W_1, ..., W_L]`` grown from a given first layer.

    Each next layer solves :math:`W_{l+1}^\top W_{l+1} = W_l W_l^\top`: with the
    eigendecomposition :math:`W_l W_l^\top = V \operatorname{diag}(\mu) V^\top`
    (eigenvalues in decreasing order) it is
    :math:`W_{l+1} = Q\,\operatorname{diag}(\mu_{1:k})^{1/2} V_{:,1:k}^\top`,
    :math:`k = \min(d_l, d_{l+1})`, with :math:`Q` a random
    :math:`d_{l+1} \times k` matrix with orthonormal columns. The end-to-end
    matrix is whatever the layers multiply to, so the chapter *Balanced factors
    and the Schatten quasi-norm* uses this to test its structure theorem without
    building the layers from the SVD of a given product.

    Parameters
    ----------
    first : array_like, shape ``(d_1, d_0)``
        The first layer :math:`W_1`.
    widths : sequence of int
        The output sizes ``[d_2, ..., d_L]`` of the next layers (empty for
        depth 1). A size below the rank of the previous layer is impossible.
    rng : numpy.random.Generator or int
        Source of the random orthonormal factors (default: the seed 0).

    Returns
    -------
    list of ndarray
        ``[W_1, ..., W_L]`` with ``W_{l+1}^T W_{l+1} == W_l W_l^T`` to working precision.
    """
    W = as_matrix(first, "first")
    rng = check_rng(rng)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
        raise TypeError(f"widths must be a sequence of layer sizes [d_2, ..., d_L], got {type(widths).__name__}")
    sizes = [check_positive_int(w, f"widths[{i}]") for i, w in enumerate(widths)]
    out = [W.copy()]
    for i, d_next in enumerate(sizes):
        M = out[-1] @ out[-1].T
        mu, V = np.linalg.eigh(M)
        mu, V = np.clip(mu[::-1], 0.0, None), V[:, ::-1]
        k = min(M.shape[0], d_next)
        rank = int(np.count_nonzero(mu > max(M.shape) * np.finfo(float).eps * max(mu[0], 0.0))) if mu.size else 0
        if rank > d_next:
            raise ValueError(f"widths[{i}] = {d_next} is smaller than the rank {rank} of the previous layer: no balanced next layer exists")
        Z = rng.standard_normal((d_next, k))
        Q, R = np.linalg.qr(Z)
        Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)
        out.append(Q @ (np.sqrt(mu[:k])[:, None] * V[:, :k].T))
    return out


def compound_matrix(A, k) -> np.ndarray:
    r"""The :math:`k`-th compound matrix :math:`C_k(A)`: all :math:`k \times k` minors of ``A``.

    Rows and columns are indexed by the :math:`k`-subsets of the row and column
    indices of ``A`` in lexicographic order. By the Cauchy--Binet formula
    :math:`C_k(AB) = C_k(A)\,C_k(B)`, and its largest singular value is
    :math:`\sigma_1(A)\cdots\sigma_k(A)`; together they give Horn's inequality
    (chapter *Balanced factors and the Schatten quasi-norm*). The cost grows
    like :math:`\binom{m}{k}\binom{n}{k}`: meant for small matrices.

    Parameters
    ----------
    A : array_like, shape ``(m, n)``
    k : int
        Order, ``1 <= k <= min(m, n)``.
    """
    A = as_matrix(A, "A")
    k = check_positive_int(k, "k")
    m, n = A.shape
    if k > min(m, n):
        raise ValueError(f"k must be at most min(m, n) = {min(m, n)} for a matrix of shape {A.shape}, got {k}")
    rows = list(itertools.combinations(range(m), k))
    cols = list(itertools.combinations(range(n), k))
    C = np.empty((len(rows), len(cols)))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            C[i, j] = np.linalg.det(A[np.ix_(r, c)])
    return C


def schatten_ball_boundary(depth, num=401) -> tuple[np.ndarray, np.ndarray]:
    r"""Boundary of :math:`\{(s_1, s_2) : |s_1|^{2/L} + |s_2|^{2/L} \le 1\}`.

    This is the unit ball of the depth-:math:`L` penalty :math:`\sum_i
    \sigma_i^{2/L}` restricted to diagonal :math:`2 \times 2` matrices
    (``L = 1``: a disc; ``L = 2``: a diamond; ``L >= 3``: a non-convex star).
    Parametrized by :math:`s_1 = \operatorname{sgn}(\cos t)|\cos t|^{L}`,
    :math:`s_2 = \operatorname{sgn}(\sin t)|\sin t|^{L}`, :math:`t \in [0, 2\pi]`.

    Parameters
    ----------
    depth : int
        :math:`L \ge 1`.
    num : int
        Number of points (at least 5).

    Returns
    -------
    (ndarray, ndarray)
        The coordinates ``s1, s2`` of a closed curve (first point = last point).
    """
    L = check_depth(depth)
    num = check_positive_int(num, "num", minimum=5)
    t = np.linspace(0.0, 2.0 * np.pi, num)
    c, s = np.cos(t), np.sin(t)
    x = np.sign(c) * np.abs(c) ** L
    y = np.sign(s) * np.abs(s) ** L
    x[-1], y[-1] = x[0], y[0]
    return x, y
