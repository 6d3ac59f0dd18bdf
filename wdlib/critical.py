r"""Every balanced critical point aligned with the target, classified by its Hessian.

A balanced point whose end-to-end matrix is :math:`P = U\operatorname{diag}(s)V^\top`
(the singular bases of :math:`Y`) is critical exactly when every :math:`s_i` is
``0`` (depth :math:`L \ge 2`) or a root of :math:`s + \lambda s^{(2-L)/L} = y_i`
(chapter *The whole landscape*). For :math:`L \ge 3` there are two roots above
the spinodal value :math:`y_{sp}`, one at it and none below; for :math:`L = 2`
one root :math:`y_i - \lambda` when :math:`y_i > \lambda`; for :math:`L = 1`
only :math:`y_i/(1+\lambda)`. The index and nullity of each point come from the
closed-form blocks of :mod:`wdlib.spectrum`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ._validate import as_matrix, as_nonnegative_array, check_depth, check_lam, check_widths
from .scalar import _largest_root, scalar_minimizers, scalar_objective, spinodal_singular_value
from .spectrum import _check_critical, _dims, _spectrum_groups

__all__ = ["CriticalPoint", "critical_points", "critical_values", "critical_point_factors"]

#: Largest number of critical points :func:`critical_points` enumerates.
MAX_POINTS = 200_000

#: Relative tolerance for a singular value at the spinodal (a double root).
SPINODAL_RTOL = 1e-10


@dataclass(frozen=True, eq=False)
class CriticalPoint:
    """One aligned balanced critical point of :math:`F`.

    Attributes
    ----------
    singular_values : ndarray
        :math:`s_i`, aligned with the descending singular values of ``Y``.
    value : float
        :math:`F` at the point, :math:`\\sum_i g(s_i; y_i)`.
    index : int
        Number of negative Hessian eigenvalues.
    nullity : int
        Number of zero Hessian eigenvalues (relative tolerance 1e-9).
    kind : str
        ``"global minimizer"``, ``"local minimizer"``, ``"strict saddle"`` or
        ``"non-strict saddle"``.
    """

    singular_values: np.ndarray
    value: float
    index: int
    nullity: int
    kind: str

    @property
    def rank(self) -> int:
        """Number of nonzero :math:`s_i`."""
        return int(np.count_nonzero(self.singular_values))


def critical_values(y, lam, depth) -> list[np.ndarray]:
    r"""For each singular value :math:`y_i`, the critical values of its mode, ascending.

    ``0`` (for :math:`L \ge 2`, or :math:`y_i = 0`) and the roots of
    :math:`s + \lambda s^{(2-L)/L} = y_i`. For :math:`L \ge 3`,
    :math:`\lambda > 0`: the smaller root (a local maximizer of
    :math:`g(\cdot\,; y_i)`) and the larger one, or the double root
    :math:`s_{sp} = ((L-2)\lambda/L)^{L/(2(L-1))}` when :math:`y_i = y_{sp}`
    (relative tolerance ``SPINODAL_RTOL``).
    """
    y = as_nonnegative_array(y, "y").ravel()
    lam = check_lam(lam)
    L = check_depth(depth)
    out = []
    for yi in y:
        if L == 1:
            out.append(np.array([yi / (1.0 + lam)]))
            continue
        vals = [0.0]
        if lam == 0.0 or L == 2:
            r = yi - lam  # the root y_i - lam for L = 2; y_i itself for lam = 0
            if r > 0:
                vals.append(r)
        else:
            ysp = spinodal_singular_value(lam, L)
            al = (L - 2.0) / L
            ssp = (al * lam) ** (1.0 / (1.0 + al))
            if abs(yi - ysp) <= SPINODAL_RTOL * ysp:
                vals.append(ssp)
            elif yi > ysp:
                h = lambda s, al=al, yi=yi: s + lam * s ** (-al) - yi  # noqa: E731
                lo = ssp
                while h(lo) < 0:
                    lo *= 0.5
                small = brentq(h, lo, ssp, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
                big = float(_largest_root(np.array([yi]), lam, L)[0])
                vals += [small, big]
        out.append(np.array(vals))
    return out


def _classify(y, s, lam, L, dims, gmin):
    v, c = _spectrum_groups(y, s, lam, L, dims)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(v))))
    index = int(np.sum(c[v < -tol]))
    nullity = int(np.sum(c[np.abs(v) <= tol]))
    value = float(np.sum(scalar_objective(s, y, lam, L)))
    if index > 0:
        kind = "strict saddle"
    elif L >= 3 and np.any(  # lam > 0: critical_points rejects lam = 0
        np.abs(y[s > 0] - spinodal_singular_value(lam, L)) <= SPINODAL_RTOL * spinodal_singular_value(lam, L)
    ):
        kind = "non-strict saddle"
    elif value <= gmin + 1e-12 * max(1.0, abs(gmin)):
        kind = "global minimizer"
    else:
        kind = "local minimizer"
    return CriticalPoint(np.array(s, dtype=float), value, index, nullity, kind)


def critical_points(Y, lam, depth, widths=None) -> list[CriticalPoint]:
    r"""Every balanced critical point of :math:`F` aligned with the SVD of ``Y``, classified.

    Each :math:`s_i` is chosen independently from :func:`critical_values`
    (:math:`y_i`), so there are :math:`\prod_i (1 + \#\text{roots}_i)` points, at most
    :math:`3^{\min(d_0, d_L)}`. The index (negative eigenvalues) and nullity
    (zero eigenvalues) come from the closed-form Hessian blocks
    (:func:`wdlib.hessian_spectrum_at_critical`); the classification is proved in
    the chapter *The whole landscape*: index :math:`> 0` is a strict saddle; index
    0 with a mode at the spinodal double root is a non-strict saddle; every other
    index-0 point is a local minimizer (global when its value is the minimum
    :func:`wdlib.minimum_value`, to within :math:`10^{-12}\max(1, |\min F|)`).

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    lam : float
        :math:`\lambda > 0` (at :math:`\lambda = 0` second-order information does
        not decide, e.g. :math:`\Hess F(0) = 0` for :math:`L \ge 3`).
    depth : int
        :math:`L \ge 1`.
    widths : sequence of int, optional
        Hidden widths, each at least :math:`\min(d_0, d_L)`; default that minimum.

    Returns
    -------
    list of :class:`CriticalPoint`
        Sorted by value, then index.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> pts = wdlib.critical_points(np.diag([2.0, 1.0]), 0.3, 3)
    >>> len(pts), pts[0].kind, pts[-1].kind
    (9, 'global minimizer', 'strict saddle')
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    if lam == 0.0:
        raise ValueError("lam must be > 0 for critical_points (at lam = 0 the Hessian does not classify)")
    d_out, d_in = Y.shape
    n = min(d_in, d_out)
    dims = _dims(Y.shape, L, widths, n)  # checks widths (each at least n)
    y = np.linalg.svd(Y, compute_uv=False)
    choices = critical_values(y, lam, L)
    total = int(np.prod([len(c) for c in choices], dtype=float))
    if total > MAX_POINTS:
        raise ValueError(f"Y has {total} aligned critical points (more than {MAX_POINTS}); use a smaller target")
    gmin = float(np.sum(scalar_objective(scalar_minimizers(y, lam, L)[:, 1], y, lam, L)))
    pts = [_classify(y, np.array(s), lam, L, dims, gmin) for s in itertools.product(*choices)]
    pts.sort(key=lambda p: (p.value, p.index))
    return pts


def critical_point_factors(Y, lam, depth, singular_values, widths=None) -> list[np.ndarray]:
    r"""Weights ``[W_1, ..., W_L]`` of the aligned balanced critical point with the given :math:`s_i`.

    With :math:`Y = U\operatorname{diag}(y)V^\top` and :math:`S` the modes with
    :math:`s_i > 0` (taking the hidden slots :math:`0, \dots, |S|-1` in order):
    :math:`W_1 = \operatorname{diag}(a_S) V_S^\top`, :math:`W_l = \operatorname{diag}(a_S)`,
    :math:`W_L = U_S \operatorname{diag}(a_S)`, :math:`a_i = s_i^{1/L}`, padded with zeros.
    The gradient of :math:`F` vanishes there (checked by ``singular_values``).
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    s = as_nonnegative_array(singular_values, "singular_values")
    if widths is not None:
        check_widths(widths, L)  # the rank bound: in _dims
    U, y, Vt = np.linalg.svd(Y)
    if s.shape != y.shape:
        raise ValueError(f"singular_values must have length min(Y.shape) = {y.size}, got shape {s.shape}")
    _check_critical(y, s, lam, L)
    S = np.flatnonzero(s > 0)
    k = S.size
    dims = _dims(Y.shape, L, widths, k)
    if L == 1:
        return [(U[:, S] * s[S]) @ Vt[S]]
    a = s[S] ** (1.0 / L)
    Ws = []
    for l in range(L):
        W = np.zeros((dims[l + 1], dims[l]))
        if l == 0:
            W[:k, :] = a[:, None] * Vt[S]
        elif l == L - 1:
            W[:, :k] = U[:, S] * a
        else:
            W[np.arange(k), np.arange(k)] = a
        Ws.append(W)
    return Ws
