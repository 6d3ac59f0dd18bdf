r"""The whole Hessian spectrum at aligned balanced critical points, from blocks of size at most 2L.

In coordinates aligned with the SVD of :math:`Y` every layer of a balanced
critical point is rectangular diagonal, :math:`W_l = \operatorname{diag}(a)`
with :math:`a_i = s_i^{1/L}`, and the Hessian splits into one block per
unordered index pair :math:`\{i, j\}` (variables :math:`D_l[i, j]`,
:math:`D_l[j, i]`, :math:`l = 1, \dots, L`). Every block has eigenvalues in
closed form (chapter *The whole landscape*): with
:math:`\rho_{ij} = \sum_{l=0}^{L-1} a_i^{2(L-1-l)} a_j^{2l}` and
:math:`c_{ij} = \lambda \sum_{m=0}^{L-2} (a_i/a_j)^{L-2-2m}`,

* a mode :math:`i` with :math:`s_i > 0`: :math:`L s_i^{2(L-1)/L} - (L-2)\lambda`
  once and :math:`2\lambda` (:math:`L-1` times);
* two modes :math:`i \ne j` with :math:`s_i, s_j > 0`: :math:`0` and
  :math:`2\lambda` (:math:`L-1` times each) and :math:`\rho_{ij} + \lambda \pm c_{ij}`;
* :math:`s_i > 0` and a direction :math:`j` outside the support: :math:`0` and
  :math:`2\lambda` once per hidden layer that has the slot :math:`j`, and
  :math:`s_i^{(L-2)/L}(y_i \pm y_j)` (if :math:`j < \min(d_0, d_L)`) or
  :math:`s_i^{(L-2)/L} y_i` (if :math:`j` exists on one side only);
* both outside the support: :math:`\lambda` for :math:`L \ge 3`;
  :math:`\lambda \pm y_i` (:math:`d_1 - k` times each) and :math:`\lambda` for :math:`L = 2`.

For :math:`L = 1` the Hessian is :math:`(1 + \lambda) I`.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, as_nonnegative_array, check_depth, check_lam, check_positive_int, check_widths, tie_column

__all__ = ["hessian_spectrum_at_minimizer", "hessian_spectrum_at_critical", "orbit_dimension"]


def orbit_dimension(rank, dims) -> int:
    r"""Dimension of the orbit :math:`(Q_l W_l Q_{l-1}^\top)` of a balanced point of rank ``rank``.

    :math:`\sum_{l=1}^{L-1} \big[k(k-1)/2 + k(d_l - k)\big]` for widths
    ``dims = [d_0, ..., d_L]``: the number of zero Hessian eigenvalues at a
    minimizer with :math:`\lambda > 0` (chapter *The whole landscape*).
    """
    k = check_positive_int(rank, "rank", minimum=0)
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__len__"):
        raise TypeError(f"dims must be a sequence [d_0, ..., d_L] of layer sizes, got {type(dims).__name__}")
    dims = [check_positive_int(d, f"dims[{i}]") for i, d in enumerate(dims)]
    if len(dims) < 2:
        raise ValueError(f"dims must list the layer sizes [d_0, ..., d_L] of a network of depth >= 1, got {len(dims)} size(s)")
    if k > min(dims):
        raise ValueError(f"rank must be at most min(dims) = {min(dims)} (every layer carries the rank), got {k}")
    return int(sum(k * (k - 1) // 2 + k * (d - k) for d in dims[1:-1]))


def _spectrum_groups(y, s, lam, L, dims):
    """Eigenvalues of the Hessian at the aligned balanced critical point ``s`` as (values, counts).

    ``y``: singular values of Y (length n = min(d_0, d_L)); ``s``: the point's
    singular values aligned with ``y`` (each 0 or a root of s + lam s^((2-L)/L) = y).
    ``dims``: [d_0, ..., d_L]. Values are not sorted or merged.
    """
    N = sum(dims[l] * dims[l - 1] for l in range(1, L + 1))
    if L == 1:
        return np.array([1.0 + lam]), np.array([N], dtype=np.int64)
    vals, cnts = [], []

    def add(v, c):
        v = np.atleast_1d(np.asarray(v, dtype=float)).ravel()
        c = np.broadcast_to(np.asarray(c, dtype=np.int64), v.shape).ravel()
        vals.append(v)
        cnts.append(c)

    n = len(y)
    inS = s > 0
    sS, yS = s[inS], y[inS]
    k = sS.size
    a = sS ** (1.0 / L)
    two = 2.0 * lam
    # (1) the diagonal pairs {i, i}, i in the support.
    add(L * sS ** (2.0 * (L - 1) / L) - (L - 2) * lam, 1)
    add(two, k * (L - 1))
    # (2) pairs {i, j} inside the support.
    npair = k * (k - 1) // 2
    add(0.0, (L - 1) * npair)
    add(two, (L - 1) * npair)
    if npair:
        iu, ju = np.triu_indices(k, 1)
        a2 = a * a
        # rho = sum_l a_i^{2(L-1-l)} a_j^{2l} (Horner in a_j^2 / a_i^2 avoided: plain powers)
        pw = [a2 ** p for p in range(L)]
        rho = np.zeros(npair)
        for l in range(L):
            rho += pw[L - 1 - l][iu] * pw[l][ju]
        t = a[iu] / a[ju]
        c = np.zeros(npair)
        for m in range(L - 1):
            c += t ** (L - 2 - 2 * m)
        c *= lam
        add(rho + lam - c, 1)
        add(rho + lam + c, 1)
    # (3) i in the support, j outside: hidden slots give 0 and 2 lam.
    hidden_out = sum(d - k for d in dims[1:-1])
    add(0.0, k * hidden_out)
    add(two, k * hidden_out)
    w = sS ** ((L - 2.0) / L)
    yO = y[~inS]
    if k and yO.size:
        add((w * yS)[:, None] + (w[:, None] * yO[None, :]), 1)
        add((w * yS)[:, None] - (w[:, None] * yO[None, :]), 1)
    one_side = max(dims[0], dims[-1]) - n
    add(w * yS, one_side)
    # (4) both outside the support.
    if L == 2:
        add(lam + yO, dims[1] - k)
        add(lam - yO, dims[1] - k)
    used = int(sum(int(np.sum(c)) for c in cnts))
    add(lam, N - used)
    v = np.concatenate(vals)
    c = np.concatenate(cnts)
    keep = c > 0
    return v[keep], c[keep]


def _finish(v, c, multiplicities):
    u, inv = np.unique(v, return_inverse=True)
    # integer sums: bincount's weights would add the counts as float64, inexact above 2**53
    counts = np.zeros(u.size, dtype=np.int64)
    np.add.at(counts, inv.ravel(), c)
    return (u, counts) if multiplicities else np.repeat(u, counts)


def _dims(Y_shape, L, widths, k):
    d_out, d_in = Y_shape
    if widths is None:
        widths = [min(d_in, d_out)] * (L - 1)
    else:
        widths = check_widths(widths, L, min_width=k)
    return [d_in] + list(widths) + [d_out]


def hessian_spectrum_at_minimizer(Y, lam, depth, widths=None, tie="largest", multiplicities=False):
    r"""All eigenvalues of :math:`\Hess F` at a global minimizer, from closed-form blocks.

    Every minimizer (:math:`\lambda > 0`) is, up to an isometry of parameter
    space, the aligned balanced point :math:`W_l = \operatorname{diag}(s_i^{1/L})`
    in the singular bases of ``Y``; its Hessian is block diagonal with blocks of
    size at most :math:`2L` whose eigenvalues are known in closed form (chapter
    *The whole landscape*, theorem ``thm-landscape-blocks``). Cost: one SVD of
    ``Y`` (singular values only) plus :math:`O(L n^2)` for the
    :math:`n(n-1)/2` pairs, :math:`n = \min(d_0, d_L)`; no matrix of size
    :math:`N` is formed.

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    lam : float
        :math:`\lambda \ge 0`. For :math:`\lambda = 0` the result is the spectrum
        at the balanced minimizers.
    depth : int
        :math:`L \ge 1`.
    widths : sequence of int, optional
        Hidden widths ``[d_1, ..., d_{L-1}]``, each at least the rank of the
        minimizer; default :math:`\min(d_0, d_L)` each.
    tie : {"largest", "smallest"}
        Which minimizer on the exceptional set (see :func:`wdlib.minimizer`).
    multiplicities : bool
        If true return ``(values, counts)``: the distinct eigenvalues, ascending,
        and how often each occurs.

    Returns
    -------
    ndarray of shape ``(N,)``, ascending, or ``(values, counts)``

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> ev = wdlib.hessian_spectrum_at_minimizer(np.diag([3.0, 1.0]), 0.5, 3)
    >>> ev.size, int(np.sum(ev == 0.0))  # N = 12; the orbit has dimension 2
    (12, 2)
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    tie_column(tie)
    if not isinstance(multiplicities, (bool, np.bool_)):
        raise TypeError(f"multiplicities must be True or False, got {type(multiplicities).__name__}")
    if widths is not None:
        check_widths(widths, L)  # the rank bound needs the SVD: in _dims
    y = np.linalg.svd(Y, compute_uv=False)
    s = _minimizer_s(y, lam, L, tie)
    dims = _dims(Y.shape, L, widths, int(np.count_nonzero(s)))
    return _finish(*_spectrum_groups(y, s, lam, L, dims), multiplicities)


def _minimizer_s(y, lam, L, tie):
    """The minimizer's singular values from those of Y (no second SVD)."""
    from .scalar import scalar_minimizers

    return scalar_minimizers(y, lam, L)[:, tie_column(tie)]


def hessian_spectrum_at_critical(Y, lam, depth, singular_values, widths=None, multiplicities=False):
    r"""All eigenvalues of :math:`\Hess F` at the aligned balanced critical point with the given ``s_i``.

    ``singular_values`` are aligned with the (descending) singular values
    :math:`y_i` of ``Y``; each must be ``0`` or a root of
    :math:`s + \lambda s^{(2-L)/L} = y_i` (checked to relative accuracy 1e-8).
    See :func:`hessian_spectrum_at_minimizer` and :func:`wdlib.critical_points`.
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    s = as_nonnegative_array(singular_values, "singular_values")
    if widths is not None:
        check_widths(widths, L)  # the rank bound: in _dims
    if not isinstance(multiplicities, (bool, np.bool_)):
        raise TypeError(f"multiplicities must be True or False, got {type(multiplicities).__name__}")
    y = np.linalg.svd(Y, compute_uv=False)
    if s.shape != y.shape:
        raise ValueError(f"singular_values must have length min(Y.shape) = {y.size}, got shape {s.shape}")
    _check_critical(y, s, lam, L)
    dims = _dims(Y.shape, L, widths, int(np.count_nonzero(s)))
    return _finish(*_spectrum_groups(y, s, lam, L, dims), multiplicities)


def _check_critical(y, s, lam, L):
    nz = s > 0
    if L == 1:
        bad = np.abs(s * (1.0 + lam) - y) > 1e-8 * np.maximum(y, 1.0)
    else:
        h = s[nz] + lam * s[nz] ** ((2.0 - L) / L)
        bad = np.zeros(s.shape, dtype=bool)
        bad[nz] = np.abs(h - y[nz]) > 1e-8 * np.maximum(y[nz], 1.0)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"singular_values[{i}] = {s[i]} is not a critical value for y = {y[i]}: "
            f"it must be 0 (depth >= 2) or a root of s + lam s^((2-L)/L) = y"
        )
