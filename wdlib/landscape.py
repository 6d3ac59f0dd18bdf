r"""Exceptional targets, the minimizers on them, orbits and certificates of global optimality.

Chapter *Uniqueness and the invariant layer norm*. The end-to-end problem left
after minimizing over factorizations (chapter *Balanced factors and the
Schatten quasi-norm*) is the reduced objective

.. math::

    G(P) = \tfrac12 \|P - Y\|_F^2 + \tfrac{\lambda L}{2} \sum_i \sigma_i(P)^{2/L},

and its minimizer is unique unless a singular value of :math:`Y` equals
:math:`y_c(\lambda, L)` (:func:`wdlib.is_exceptional`). This module builds
targets on that exceptional set and every end-to-end minimizer there
(:func:`tie_minimizer`), aligns two points of parameter space by the
orthogonal symmetries (:func:`orbit_alignment`), evaluates :math:`G` and
:math:`F` along paths, and checks candidate minimizers against the
closed-form global minimum (:func:`wdlib.minimum_value`), the gradient and a
finite-difference Hessian.

Parameters are flattened layer by layer, input side first, each layer in C
(row-major) order: ``np.concatenate([W.ravel() for W in weights])``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, as_nonnegative_array, as_vector, check_depth, check_lam, check_positive_float, check_positive_int, check_rng, check_weights
from .balance import imbalance, numerical_rank, random_orthogonal
from .hessian import flatten_params, numerical_hessian
from .model import _grad, loss
from .scalar import critical_singular_value
from .solve import DEFAULT_RTOL, minimizer, minimizer_singular_values, minimum_value

__all__ = [
    "reduced_objective",
    "exceptional_target",
    "squared_layer_norms",
    "minimizer_layer_norm",
    "objective_on_segment",
    "optimality_report",
    "is_global_minimizer",
    "tie_minimizer",
    "orbit_alignment",
]


def reduced_objective(P, Y, lam, depth) -> float:
    r"""The reduced objective :math:`G(P) = \frac12\|P - Y\|_F^2 + \frac{\lambda L}{2}\sum_i \sigma_i(P)^{2/L}`.

    :math:`G(P)` is the least value of :math:`F` over all factorizations
    :math:`W_L \cdots W_1 = P` with hidden widths at least :math:`\operatorname{rank} P`
    (chapter *Balanced factors and the Schatten quasi-norm*), so
    :math:`\min_P G = \min F`. Singular values below the numerical rank of
    ``P`` are treated as zero (for deep networks :math:`\sigma^{2/L}` would
    magnify rounding noise).

    Parameters
    ----------
    P : array_like, shape ``(d_L, d_0)``
        End-to-end matrix.
    Y : array_like, same shape
        Target.
    lam : float
        :math:`\lambda \ge 0`.
    depth : int
        :math:`L \ge 1`.
    """
    P = as_matrix(P, "P")
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    if P.shape != Y.shape:
        raise ValueError(f"P must have the shape of Y, {Y.shape}, got {P.shape}")
    s = np.linalg.svd(P, compute_uv=False)
    s = s[: numerical_rank(s, P.shape)]
    R = P - Y
    return float(0.5 * np.sum(R * R) + 0.5 * lam * L * np.sum(s ** (2.0 / L)))


def exceptional_target(shape, lam, depth, others=None, multiplicity=1, rng=0) -> np.ndarray:
    r"""A target :math:`Y = U \operatorname{diag}(y) V^\top` on the exceptional set.

    ``multiplicity`` singular values equal :math:`y_c(\lambda, L)` exactly
    (as exactly as an SVD reproduces them, see :data:`wdlib.DEFAULT_RTOL`);
    the other :math:`\min(d_L, d_0) - \text{multiplicity}` are ``others``.
    :math:`U` and :math:`V` are the first :math:`\min(d_L, d_0)` columns of two
    Haar-random orthogonal matrices drawn from ``rng`` by
    :func:`wdlib.random_orthogonal` (:math:`U` first), paired with the
    singular values in decreasing order, so a seed reproduces the target.

    Parameters
    ----------
    shape : tuple of two ints
        ``(d_L, d_0)``.
    lam : float
        :math:`\lambda > 0` (the set is empty for :math:`\lambda = 0`).
    depth : int
        :math:`L \ge 3` (the set is empty for :math:`L \le 2`).
    others : array_like, optional
        The remaining singular values, each non-negative and at least 10% away
        from :math:`y_c` (so that only the intended ones tie). By default
        :math:`2 y_c, y_c/2, 3 y_c, y_c/4, 4 y_c, \dots` truncated to the
        number needed.
    multiplicity : int
        How many singular values equal :math:`y_c` (at least 1).
    rng : numpy.random.Generator or int
        Source of randomness for :math:`U, V` (default: the seed 0).

    Returns
    -------
    ndarray of shape ``shape``
        A target with :func:`wdlib.is_exceptional` true.
    """
    if not (isinstance(shape, tuple) and len(shape) == 2):
        raise TypeError(f"shape must be a tuple (d_L, d_0) of two positive ints, got {shape!r}")
    d_out = check_positive_int(shape[0], "shape[0]")
    d_in = check_positive_int(shape[1], "shape[1]")
    lam = check_lam(lam)
    L = check_depth(depth)
    if lam == 0.0:
        raise ValueError("lam must be > 0: for lam = 0 the end-to-end minimizer Y is unique, there is no exceptional set")
    if L <= 2:
        raise ValueError(f"depth must be >= 3: for depth {L} the scalar minimizer is unique, the exceptional set is empty")
    q = min(d_out, d_in)
    k = check_positive_int(multiplicity, "multiplicity")
    if k > q:
        raise ValueError(f"multiplicity must be at most min(shape) = {q}, got {k}")
    rng = check_rng(rng)
    yc = critical_singular_value(lam, L)
    if others is None:
        j = np.arange(q - k)
        others = yc * np.where(j % 2 == 0, 2.0 + j // 2, 0.5 ** ((j + 1) // 2))
    else:
        others = as_nonnegative_array(others, "others").ravel()
        if others.size != q - k:
            raise ValueError(f"others must hold min(shape) - multiplicity = {q - k} singular values, got {others.size}")
        if np.any(np.abs(others - yc) < 0.1 * yc):
            raise ValueError(f"others must stay at least 10% away from y_c = {yc:.6g}, got {others}")
    y = np.sort(np.concatenate([np.full(k, yc), others]))[::-1]
    U = random_orthogonal(d_out, rng)[:, :q]
    V = random_orthogonal(d_in, rng)[:, :q]
    return (U * y) @ V.T


def squared_layer_norms(weights) -> np.ndarray:
    r"""The squared Frobenius norms :math:`\|W_l\|_F^2`, one per layer, input side first."""
    weights = check_weights(weights)
    return np.array([float(np.sum(W * W)) for W in weights])


def minimizer_layer_norm(Y, lam, depth, tie="largest") -> float:
    r"""The common squared layer norm :math:`\sum_i s_i^{2/L}` of the minimizers of :math:`F`.

    :math:`s_i` are the singular values of the end-to-end minimizer
    (:func:`wdlib.minimizer_singular_values`; ``tie`` picks one on the
    exceptional set). For :math:`\lambda > 0` off the exceptional set every
    global minimizer has :math:`\|W_l\|_F^2` equal to this number for every
    layer (chapter *Uniqueness and the invariant layer norm*, theorem
    ``thm-frobenius-invariance``). Singular values below the numerical rank of
    the minimizer (:func:`wdlib.numerical_rank`, the rule of
    :func:`wdlib.representation_cost`) count as zero, so the result is
    ``representation_cost(minimizer(Y, lam, depth), depth) / depth``; this
    matters at :math:`\lambda = 0`, where a rank-deficient ``Y`` has
    rounding-noise singular values that :math:`s^{2/L}` would magnify.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> round(wdlib.minimizer_layer_norm(np.diag([4.0, 1.0]), 0.5, 2), 6)
    4.0
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    s = np.sort(minimizer_singular_values(Y, lam, L, tie=tie))[::-1]
    s = s[: numerical_rank(s, Y.shape)]
    return float(np.sum(s ** (2.0 / L)))


def objective_on_segment(weights_a, weights_b, Y, lam, ts) -> np.ndarray:
    r""":math:`F` on the segment :math:`(1 - t)\,\theta_a + t\,\theta_b` of parameter space, for each ``t`` in ``ts``.

    Parameters
    ----------
    weights_a, weights_b : list of array_like
        Two points with the same layer shapes.
    Y : array_like
        Target.
    lam : float
        :math:`\lambda \ge 0`.
    ts : array_like
        Positions on the segment (``0`` is ``weights_a``, ``1`` is ``weights_b``).
    """
    Y = as_matrix(Y, "Y")
    A = check_weights(weights_a, Y, name="weights_a")
    B = check_weights(weights_b, Y, name="weights_b")
    if [a.shape for a in A] != [b.shape for b in B]:
        raise ValueError(f"weights_a and weights_b must have the same layer shapes, got {[a.shape for a in A]} and {[b.shape for b in B]}")
    lam = check_lam(lam)
    try:
        ts = as_vector(ts, "ts")  # TypeError for text, None, complex; ValueError below
    except ValueError:
        raise ValueError("ts must be a 1-D array of finite positions") from None
    return np.array([loss([(1 - t) * a + t * b for a, b in zip(A, B)], Y, lam) for t in ts])


def optimality_report(weights, Y, lam, h=1e-5) -> dict:
    r"""First- and second-order data and the gap to the global minimum at ``weights``.

    Returns
    -------
    dict
        ``"loss"``: :math:`F`; ``"minimum"``: :func:`wdlib.minimum_value`;
        ``"gap"``: their difference (non-negative up to rounding at a global
        minimizer, and zero exactly there); ``"grad_norm"``: Frobenius norm of
        the whole gradient; ``"min_hessian_eig"``: smallest eigenvalue of
        :func:`numerical_hessian`; ``"imbalance"``: the largest
        :math:`\|W_{l+1}^\top W_{l+1} - W_l W_l^\top\|_F` (0 for depth 1).
    """
    Y = as_matrix(Y, "Y")
    weights = check_weights(weights, Y)
    lam = check_lam(lam)
    h = check_positive_float(h, "h")
    L = len(weights)
    value = loss(weights, Y, lam)
    best = minimum_value(Y, lam, L)
    g = flatten_params(_grad(weights, Y, lam))
    H = numerical_hessian(weights, Y, lam, h)
    D = imbalance(weights)
    return {
        "loss": value,
        "minimum": best,
        "gap": value - best,
        "grad_norm": float(np.linalg.norm(g)),
        "min_hessian_eig": float(np.linalg.eigvalsh(H)[0]),
        "imbalance": float(max((np.linalg.norm(d) for d in D), default=0.0)),
    }


def is_global_minimizer(weights, Y, lam, atol=1e-9) -> bool:
    r"""Whether ``weights`` is a global minimizer of :math:`F`, up to ``atol``.

    The certificate is the value itself: :math:`F(\theta) \le \min F + \text{atol}\cdot\max(1, \min F)`,
    with :math:`\min F` from the closed form :func:`wdlib.minimum_value`
    (chapters *From matrices to numbers* and *Uniqueness and the invariant
    layer norm*). A point that
    passes is a global minimizer of :math:`F` up to that tolerance, whatever
    its gradient or curvature; see :func:`optimality_report` for those.
    """
    Y = as_matrix(Y, "Y")
    weights = check_weights(weights, Y)
    lam = check_lam(lam)
    atol = check_positive_float(atol, "atol", allow_zero=True)
    best = minimum_value(Y, lam, len(weights))
    return bool(loss(weights, Y, lam) <= best + atol * max(1.0, abs(best)))


def tie_minimizer(Y, lam, depth, projector, rtol=DEFAULT_RTOL) -> np.ndarray:
    r"""The end-to-end minimizer :math:`P_0 + s_c\, U_B\, \Pi\, V_B^\top` on the exceptional set.

    Let :math:`k \ge 1` singular values of :math:`Y` equal :math:`y_c(\lambda, L)`
    (within ``rtol``), with left and right singular vectors the columns of
    :math:`U_B` and :math:`V_B`, and let :math:`P_0` be the minimizer that
    drops them (``tie="smallest"``). Every end-to-end minimizer of :math:`F` is
    :math:`P_0 + s_c U_B \Pi V_B^\top` with :math:`s_c = \frac{L-2}{L-1} y_c`
    and :math:`\Pi` an orthogonal projector on :math:`\mathbb R^k`, and every
    such matrix is one (chapter *Uniqueness and the invariant layer norm*).
    :math:`\Pi = 0` gives ``tie="smallest"``, :math:`\Pi = I` ``tie="largest"``;
    for :math:`k \ge 2` the rank-one projectors already form a continuum.
    The matrix does not depend on the SVD used: a rotation of the singular
    vectors within the block is absorbed by :math:`\Pi`.

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
        Target on the exceptional set (:func:`wdlib.is_exceptional` true).
    lam : float
        :math:`\lambda > 0`.
    depth : int
        :math:`L \ge 3`.
    projector : array_like, shape ``(k, k)``
        Symmetric and idempotent (to ``1e-8``), in the basis of the tied
        singular vectors returned by :func:`numpy.linalg.svd` of ``Y``.
    rtol : float
        Relative tolerance for a singular value to count as equal to
        :math:`y_c`.

    Returns
    -------
    ndarray of shape ``(d_L, d_0)``

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = wdlib.exceptional_target((3, 4), 0.2, 4, multiplicity=2, rng=1)
    >>> e = np.array([0.6, 0.8])
    >>> P = wdlib.tie_minimizer(Y, 0.2, 4, np.outer(e, e))
    >>> bool(np.isclose(wdlib.reduced_objective(P, Y, 0.2, 4), wdlib.minimum_value(Y, 0.2, 4)))
    True
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    rtol = check_positive_float(rtol, "rtol", allow_zero=True)
    if lam == 0.0:
        raise ValueError(f"lam must be > 0 for a tie (depth must be >= 3 and lam > 0); got lam {lam}: the end-to-end minimizer is unique")
    if L <= 2:
        raise ValueError(f"depth must be >= 3 and lam > 0 for a tie; got depth {L}, lam {lam}: the end-to-end minimizer is unique")
    Pi = as_matrix(projector, "projector")
    yc = critical_singular_value(lam, L)
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    block = np.flatnonzero(np.abs(y - yc) <= rtol * yc)
    k = block.size
    if k == 0:
        raise ValueError(f"Y must be on the exceptional set: no singular value equals y_c = {yc:.6g} within rtol = {rtol:g}")
    if Pi.shape != (k, k):
        raise ValueError(f"projector must have shape ({k}, {k}), the multiplicity of y_c, got {Pi.shape}")
    if not (np.allclose(Pi, Pi.T, atol=1e-8) and np.allclose(Pi @ Pi, Pi, atol=1e-8)):
        raise ValueError("projector must be an orthogonal projector (symmetric and idempotent)")
    P0 = minimizer(Y, lam, L, tie="smallest", rtol=rtol)
    s_c = (L - 2) / (L - 1) * yc
    return P0 + s_c * U[:, block] @ Pi @ Vt[block]


def _polar(M):
    a, _, bt = np.linalg.svd(M)
    return a @ bt


def orbit_alignment(weights_a, weights_b):
    r"""Orthogonal :math:`Q_1, \dots, Q_{L-1}` carrying ``weights_a`` closest to ``weights_b``.

    The orthogonal symmetries act by
    :math:`W_l \mapsto Q_l W_l Q_{l-1}^\top` with :math:`Q_0 = I`, :math:`Q_L = I`
    (:func:`wdlib.random_orbit_point`). Layer by layer from the input side,
    :math:`Q_l` solves the orthogonal Procrustes problem
    :math:`\min_Q \|Q W^a_l Q_{l-1}^\top - W^b_l\|_F`, whose solution is the
    polar factor of :math:`W^b_l Q_{l-1} (W^a_l)^\top`. If ``weights_a`` is
    balanced and ``weights_b`` lies on its orbit, the residual is zero up to
    rounding (the freedom of :math:`Q_l` off the range of :math:`W^a_l` is
    killed by the next layer, whose null space is that complement); so a
    residual far from zero certifies that the two points are *not* on one orbit.

    Parameters
    ----------
    weights_a, weights_b : list of array_like
        Two points with the same layer shapes.

    Returns
    -------
    Qs : list of ndarray
        ``[Q_1, ..., Q_{L-1}]`` (empty for depth 1).
    residual : float
        :math:`\max_l \|Q_l W^a_l Q_{l-1}^\top - W^b_l\|_F`.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> W = wdlib.minimizer_factors(np.diag([1.0, 0.5]), 0.1, 3)
    >>> Qs, res = wdlib.orbit_alignment(W, wdlib.random_orbit_point(W, rng=3))
    >>> bool(res < 1e-12)
    True
    """
    A = check_weights(weights_a, name="weights_a")
    B = check_weights(weights_b, name="weights_b")
    if [a.shape for a in A] != [b.shape for b in B]:
        raise ValueError(f"weights_a and weights_b must have the same layer shapes, got {[a.shape for a in A]} and {[b.shape for b in B]}")
    L = len(A)
    Q_prev = np.eye(A[0].shape[1])
    Qs, residual = [], 0.0
    for l in range(L):
        if l < L - 1:
            Q = _polar(B[l] @ Q_prev @ A[l].T)
            Qs.append(Q)
        else:
            Q = np.eye(A[l].shape[0])
        residual = max(residual, float(np.linalg.norm(Q @ A[l] @ Q_prev.T - B[l])))
        Q_prev = Q
    return Qs, residual
