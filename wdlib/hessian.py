r"""Second-order information of :math:`F`: the exact Hessian, its products, trace and spectrum.

Parameters are flattened layer by layer, input side first, each layer in C
(row-major) order:

.. math::

    \theta = \big(\operatorname{vec}_C W_1, \operatorname{vec}_C W_2, \dots,
    \operatorname{vec}_C W_L\big) \in \mathbb{R}^N, \qquad N = \sum_{l=1}^{L} d_l d_{l-1},

i.e. ``np.concatenate([W.ravel() for W in weights])``. With
:math:`A_l = W_L \cdots W_{l+1}` (shape :math:`d_L \times d_l`),
:math:`B_l = W_{l-1} \cdots W_1` (shape :math:`d_{l-1} \times d_0`), empty
products being identities, and the residual :math:`R = P - Y`, the Hessian has
the blocks (chapter *The Hessian at minimizers*)

.. math::

    H_{ll} = A_l^\top A_l \otimes B_l B_l^\top + \lambda I, \qquad
    H_{ml} = A_m^\top A_l \otimes B_m B_l^\top + \mathcal R_{ml} \quad (m > l),

where :math:`\operatorname{vec}_C(A X B) = (A \otimes B^\top)\operatorname{vec}_C X`
gives the Gauss-Newton part, and the residual part is
:math:`(\mathcal R_{ml})_{(i,j),(p,q)} = (A_m^\top R B_l^\top)_{iq}\,
(W_{m-1}\cdots W_{l+1})_{jp}`, the second derivative of
:math:`\ip{R}{P}` through the two layers :math:`m` and :math:`l`. Since
:math:`P` is linear in each single layer, the residual contributes nothing to
the diagonal blocks.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg as sla

import sys

from ._validate import as_matrix, as_vector, check_depth, check_lam, check_lams, lam_at, check_positive_float, check_positive_int, check_weights, check_widths, tie_column
from .balance import numerical_rank
from .model import _grad, _prefix, _suffix
from .solve import minimizer_singular_values

__all__ = [
    "numerical_hessian",
    "flatten_params",
    "unflatten_params",
    "hessian",
    "hvp",
    "hessian_trace",
    "hessian_trace_at_minimizer",
    "hessian_spectrum",
    "sharpness",
]

#: Largest number of parameters for which ``method="auto"`` forms the dense Hessian.
DENSE_LIMIT = 1500

#: Largest number of parameters for which :func:`hessian_spectrum` forms the dense
#: Hessian at all (``k=None`` or ``method="dense"``): :math:`8N^2` bytes, 288 MB here,
#: plus the workspace of ``eigvalsh``. Larger networks are refused with a ``ValueError``.
DENSE_MAX_PARAMS = 6000

_WHICH = {"largest": "LA", "smallest": "SA", "both": "BE"}


def flatten_params(weights) -> np.ndarray:
    """Concatenate ``W_l.ravel()`` (C order), ``l = 1..L``: the coordinates of :func:`hessian`."""
    weights = check_weights(weights)
    return np.concatenate([W.ravel() for W in weights])


def unflatten_params(theta, weights) -> list[np.ndarray]:
    """Split a flat vector into arrays shaped like ``weights`` (inverse of :func:`flatten_params`)."""
    weights = check_weights(weights)
    theta = as_vector(theta, "theta")
    N = sum(W.size for W in weights)
    if theta.shape != (N,):
        raise ValueError(f"theta must be a vector of length {N} (the number of parameters), got shape {theta.shape}")
    out, k = [], 0
    for W in weights:
        out.append(theta[k:k + W.size].reshape(W.shape))
        k += W.size
    return out


def _checked(weights, Y, lam):
    Y = as_matrix(Y, "Y")
    weights = check_weights(weights, Y)
    lam = check_lams(lam, len(weights))
    return weights, Y, lam


def _hessian(weights, Y, lam):
    L = len(weights)
    B = _prefix(weights)
    A = _suffix(weights)
    R = B[-1] - Y
    sizes = [W.size for W in weights]
    offs = np.concatenate([[0], np.cumsum(sizes)])
    H = np.zeros((offs[-1], offs[-1]))
    for l in range(L):
        sl = slice(offs[l], offs[l + 1])
        H[sl, sl] = np.kron(A[l].T @ A[l], B[l] @ B[l].T) + lam_at(lam, l) * np.eye(sizes[l])
        # M = W_{m-1} ... W_{l+1} for m = l+1, l+2, ... (identity for m = l+1).
        M = np.eye(weights[l].shape[0])
        for m in range(l + 1, L):
            sm = slice(offs[m], offs[m + 1])
            gn = np.kron(A[m].T @ A[l], B[m] @ B[l].T)
            G = A[m].T @ R @ B[l].T  # (d_m, d_{l-1}) in 1-based widths
            res = np.einsum("iq,jp->ijpq", G, M).reshape(sizes[m], sizes[l])
            H[sm, sl] = gn + res
            H[sl, sm] = H[sm, sl].T
            M = weights[m] @ M
    return H


def hessian(weights, Y, lam) -> np.ndarray:
    r"""The dense Hessian of :math:`F` with respect to the flattened parameters.

    Assembled block by block from the exact formulas of the module docstring
    (no finite differences); derived in the chapter *The Hessian at minimizers*.

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``, ``W_l`` of shape ``(d_l, d_{l-1})``.
    Y : array_like, shape ``(d_L, d_0)``
        The target.
    lam : float or sequence of float
        :math:`\lambda \ge 0`, or per-layer :math:`\lambda_l > 0` (block
        :math:`H_{ll}` then carries :math:`\lambda_l I`).

    Returns
    -------
    ndarray, shape ``(N, N)``
        Symmetric; row and column ``k`` refer to entry ``k`` of
        ``np.concatenate([W.ravel() for W in weights])`` (:func:`flatten_params`).

    Notes
    -----
    Memory :math:`O(N^2)` and time :math:`O(N^2 + L^2 d^3)`; meant for small
    networks. Use :func:`hvp` for large ones.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.diag([3.0, 1.0])
    >>> W = wdlib.balanced_factors(wdlib.minimizer(Y, 0.5, 3), 3, widths=[2, 2])
    >>> H = wdlib.hessian(W, Y, 0.5)
    >>> H.shape, bool(np.allclose(H, H.T))
    ((12, 12), True)
    >>> bool(np.linalg.eigvalsh(H).min() > -1e-10)  # a minimizer: no negative curvature
    True
    """
    weights, Y, lam = _checked(weights, Y, lam)
    return _hessian(weights, Y, lam)


def _hvp(weights, Y, lam, V):
    # Forward: B[l] = W_{l-1} ... W_1 and its tangent dB[l] in the direction V.
    L = len(weights)
    B = [np.eye(weights[0].shape[1])]
    dB = [None]  # dB[0] = 0, kept implicit
    for l in range(L):
        B.append(weights[l] @ B[l])
        dB.append(V[l] @ B[l] if l == 0 else V[l] @ B[l] + weights[l] @ dB[l])
    # Backward: the signal G_l = A_l^T R (so grad_l = G_l B_l^T + lam W_l) and its
    # tangent dG_l = dA_l^T R + A_l^T dP, by G_{l-1} = W_l^T G_l. Eight matrix
    # products per layer against three for the gradient: Pearlmutter's bound.
    G = B[-1] - Y
    dG = dB[-1]
    out = [None] * L
    for l in range(L - 1, -1, -1):
        out[l] = dG @ B[l].T + lam_at(lam, l) * V[l]
        if l > 0:
            out[l] += G @ dB[l].T
            G, dG = weights[l].T @ G, V[l].T @ G + weights[l].T @ dG
    return out


def hvp(weights, Y, lam, V) -> list[np.ndarray]:
    r"""The exact Hessian-vector product :math:`\Hess F(W)[V]`, without forming the Hessian.

    The directional derivative of the gradient
    :math:`\partial F/\partial W_l = A_l^\top R B_l^\top + \lambda W_l`
    (Pearlmutter's trick, :cite:`pearlmutter1994fast`):

    .. math::

        \Hess F[V]_l = (dA_l)^\top R B_l^\top + A_l^\top\, dP\, B_l^\top
            + A_l^\top R\, (dB_l)^\top + \lambda V_l ,
        \qquad dP = \sum_k A_k V_k B_k ,

    where :math:`dA_l, dB_l` are the derivatives of the partial products in the
    direction :math:`V`. Only :math:`B_l`, :math:`dB_l` (forward,
    :math:`dB_{l+1} = V_l B_l + W_l\, dB_l`) and the backward signal
    :math:`G_l = A_l^\top R` with its tangent
    :math:`dG_l = dA_l^\top R + A_l^\top dP` (backward,
    :math:`G_{l-1} = W_l^\top G_l`, :math:`dG_{l-1} = V_l^\top G_l + W_l^\top dG_l`)
    are formed: eight matrix products per layer, against three for
    :func:`wdlib.grad`.

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``.
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    lam : float or sequence of float
        :math:`\lambda \ge 0`, or per-layer :math:`\lambda_l > 0` (then :math:`\lambda_l V_l`).
    V : list of array_like
        The direction, one array per layer with the shape of that layer.

    Returns
    -------
    list of ndarray
        One array per layer; equal to ``hessian(weights, Y, lam) @ flatten_params(V)``
        split per layer.

    Notes
    -----
    :math:`O(L)` matrix products, i.e. :math:`O(L d^3)` for widths at most
    :math:`d`, and :math:`O(L d^2)` memory.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.diag([3.0, 1.0])
    >>> W = wdlib.balanced_factors(wdlib.minimizer(Y, 0.5, 3), 3, widths=[2, 2])
    >>> V = [np.ones_like(Wl) for Wl in W]
    >>> HV = wdlib.hvp(W, Y, 0.5, V)
    >>> H = wdlib.hessian(W, Y, 0.5)
    >>> bool(np.allclose(wdlib.flatten_params(HV), H @ wdlib.flatten_params(V)))
    True
    """
    weights, Y, lam = _checked(weights, Y, lam)
    V = _check_direction(V, weights)
    return _hvp(weights, Y, lam, V)


def _check_direction(V, weights, name="V"):
    if isinstance(V, np.ndarray) or not isinstance(V, (list, tuple)):
        raise TypeError(f"{name} must be a list of arrays shaped like weights (one per layer), got {type(V).__name__}")
    if len(V) != len(weights):
        raise ValueError(f"{name} must have one array per layer ({len(weights)}), got {len(V)}")
    out = []
    for i, (v, W) in enumerate(zip(V, weights)):
        v = as_matrix(v, f"{name}[{i}]")
        if v.shape != W.shape:
            raise ValueError(f"{name}[{i}] must have the shape of weights[{i}], {W.shape}, got {v.shape}")
        out.append(v)
    return out


def hessian_trace(weights, Y, lam) -> float:
    r"""The exact trace of :math:`\Hess F` at any point, from the diagonal blocks.

    .. math::

        \tr \Hess F = \sum_{l=1}^{L} \fro{W_L \cdots W_{l+1}}^2\, \fro{W_{l-1} \cdots W_1}^2
            + \lambda \sum_{l=1}^{L} d_l d_{l-1},

    since :math:`\tr(X \otimes Z) = \tr X \tr Z` and the residual part has zero
    diagonal blocks. Empty products are identities (norms :math:`d_L`,
    :math:`d_0`). ``Y`` only fixes the shapes: the trace does not depend on it.
    Cost :math:`O(L d^3)`.
    """
    weights, Y, lam = _checked(weights, Y, lam)
    B = _prefix(weights)
    A = _suffix(weights)
    gn = sum(np.sum(A[l] * A[l]) * np.sum(B[l] * B[l]) for l in range(len(weights)))
    if not isinstance(lam, float):
        return float(gn + sum(lam_at(lam, l) * W.size for l, W in enumerate(weights)))
    return float(gn + lam * sum(W.size for W in weights))


def hessian_trace_at_minimizer(Y, lam, depth, widths=None, tie="largest") -> float:
    r"""The trace of :math:`\Hess F` at a global minimizer, from the singular values :math:`s_i` alone.

    At a balanced point the partial products have singular values
    :math:`s_i^{(L-l)/L}` and :math:`s_i^{(l-1)/L}`, so

    .. math::

        \begin{aligned}
        \tr \Hess F &= \sum_{l=1}^{L} \alpha_l\, \beta_l + \lambda \sum_{l=1}^{L} d_l d_{l-1},\\
        \alpha_l &= \sum_i s_i^{2(L-l)/L}\ (l < L),\quad \alpha_L = d_L,\\
        \beta_l &= \sum_i s_i^{2(l-1)/L}\ (l > 1),\quad \beta_1 = d_0 .
        \end{aligned}

    Derived in the chapter *The Hessian at minimizers* (theorem
    ``thm-hessian-trace``). For :math:`\lambda > 0` every minimizer is balanced,
    so this is the trace at every minimizer; for :math:`\lambda = 0` it is the
    trace at the balanced minimizers only. Singular values below the numerical
    rank of the minimizer (:func:`wdlib.numerical_rank`, the rule of
    :func:`wdlib.representation_cost`) count as zero: at :math:`\lambda = 0` a
    rank-deficient ``Y`` has rounding-noise singular values of order
    :math:`10^{-16}`, which :math:`s^{2/L}` would magnify.

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    lam : float
        :math:`\lambda \ge 0`.
    depth : int
        :math:`L \ge 1`.
    widths : sequence of int, optional
        Hidden widths ``[d_1, ..., d_{L-1}]``, each at least the rank of the
        minimizer; default :math:`\min(d_0, d_L)` each (as :func:`wdlib.init_weights`).
    tie : {"largest", "smallest"}
        Which minimizer on the exceptional set (see :func:`wdlib.minimizer`).

    Returns
    -------
    float
        Cost: one SVD of ``Y``.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.diag([3.0, 1.0])
    >>> t = wdlib.hessian_trace_at_minimizer(Y, 0.5, 3)
    >>> W = wdlib.balanced_factors(wdlib.minimizer(Y, 0.5, 3), 3, widths=[2, 2])
    >>> round(t, 6), bool(np.isclose(t, np.trace(wdlib.hessian(W, Y, 0.5))))
    (24.226407, True)
    """
    Y = as_matrix(Y, "Y")
    lam = check_lam(lam)
    L = check_depth(depth)
    tie_column(tie)
    d_out, d_in = Y.shape
    if widths is not None:
        check_widths(widths, L)  # the rank bound is checked below
    s = np.sort(minimizer_singular_values(Y, lam, L, tie=tie))[::-1]
    r = numerical_rank(s, Y.shape)
    s = s[:r]
    if widths is None:
        widths = [min(d_in, d_out)] * (L - 1)
    else:
        widths = check_widths(widths, L, min_width=r)
    dims = [d_in] + list(widths) + [d_out]
    total = 0.0
    for l in range(1, L + 1):
        a = float(d_out) if l == L else float(np.sum(s ** (2.0 * (L - l) / L)))
        b = float(d_in) if l == 1 else float(np.sum(s ** (2.0 * (l - 1) / L)))
        total += a * b
    return float(total + lam * sum(dims[l] * dims[l - 1] for l in range(1, L + 1)))


def hessian_spectrum(weights, Y, lam, k=None, method="auto", which="largest", progress=None) -> np.ndarray:
    r"""Eigenvalues of :math:`\Hess F`: all of them, or the ``k`` extreme ones.

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``.
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    lam : float
        :math:`\lambda \ge 0`.
    k : int, optional
        Number of extreme eigenvalues; ``None`` for the full spectrum (needs the
        dense method, so at most ``DENSE_MAX_PARAMS`` (6000) parameters; at a
        global minimizer :func:`wdlib.hessian_spectrum_at_minimizer` gives the
        exact full spectrum at any size).
    method : {"auto", "dense", "lanczos"}
        ``"dense"``: ``np.linalg.eigvalsh`` of :func:`hessian`, :math:`O(N^3)`.
        ``"lanczos"``: ``scipy.sparse.linalg.eigsh`` on a ``LinearOperator``
        whose products are :func:`hvp` (:math:`O(L d^3)` each), with a fixed
        start vector so results are reproducible. ``"auto"``: dense when
        ``k`` is ``None`` or :math:`N \le` ``DENSE_LIMIT`` (1500) or ``k`` is
        not below :math:`N`, Lanczos otherwise.
    which : {"largest", "smallest", "both"}
        With ``k``: the ``k`` largest, the ``k`` smallest, or ``k`` from both
        ends (``k // 2`` smallest and ``k - k // 2`` largest, as ``eigsh``'s ``"BE"``).
    progress : bool, int or callable, optional
        Progress of a Lanczos run. ``True``: a line on ``sys.stderr`` every 100
        Hessian-vector products; an int ``m``: every ``m`` products; a callable:
        called with the number of products so far after each one. Ignored by the
        dense method.

    Returns
    -------
    ndarray
        The requested eigenvalues in ascending order (all ``N`` when ``k`` is ``None``).

    Raises
    ------
    ValueError
        If the dense Hessian is needed (``k=None`` or ``method="dense"``) and the
        network has more than ``DENSE_MAX_PARAMS`` parameters; the message gives
        :math:`N`, the memory the dense Hessian would take and what to call instead.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.diag([2.0, 1.0])
    >>> W = wdlib.minimizer_factors(Y, 0.1, 3)
    >>> np.round(wdlib.hessian_spectrum(W, Y, 0.1, k=1), 4)
    array([7.0568])
    """
    weights, Y, lam = _checked(weights, Y, lam)
    if not (progress is None or isinstance(progress, bool) or callable(progress)):
        progress = check_positive_int(progress, "progress")
    if method not in ("auto", "dense", "lanczos"):
        raise ValueError(f"method must be one of 'auto', 'dense', 'lanczos', got {method!r}")
    if which not in _WHICH:
        raise ValueError(f"which must be one of {tuple(_WHICH)}, got {which!r}")
    N = sum(W.size for W in weights)
    if k is not None:
        k = check_positive_int(k, "k")
        if k > N:
            raise ValueError(f"k must be at most the number of parameters N = {N}, got {k}")
    if method == "lanczos" and (k is None or k >= N):
        raise ValueError(f"method='lanczos' needs an integer k < N = {N} (eigsh finds at most N - 1 eigenvalues)")
    dense = method == "dense" or (method == "auto" and (k is None or N <= DENSE_LIMIT or k >= N))
    if dense and N > DENSE_MAX_PARAMS:
        gib = 8.0 * N * N / 2**30
        raise ValueError(
            f"the dense Hessian of this network has N = {N} parameters, i.e. N x N = {N * N:.3g} entries, "
            f"about {gib:.3g} GiB of memory (8 N^2 bytes, plus the eigvalsh workspace), more than the "
            f"limit of {DENSE_MAX_PARAMS} parameters (wdlib.hessian.DENSE_MAX_PARAMS). Ask for the extreme "
            f"eigenvalues only, hessian_spectrum(weights, Y, lam, k=..., method='lanczos'), or, at a global "
            f"minimizer, for the exact full spectrum: wdlib.hessian_spectrum_at_minimizer(Y, lam, depth, ...)"
        )
    if dense:
        ev = np.linalg.eigvalsh(_hessian(weights, Y, lam))
        if k is None:
            return ev
        if which == "largest":
            return ev[N - k:]
        if which == "smallest":
            return ev[:k]
        lo = k // 2
        return np.concatenate([ev[:lo], ev[N - (k - lo):]])

    report = _progress_reporter(progress, N, k)

    def matvec(x):
        V = unflatten_params(np.ravel(x), weights)
        out = np.concatenate([g.ravel() for g in _hvp(weights, Y, lam, V)])
        report()
        return out

    op = sla.LinearOperator((N, N), matvec=matvec, dtype=float)
    v0 = np.random.default_rng(0).standard_normal(N)
    # ARPACK's 'BE' needs k >= 2; for k = 1 'both' means the largest one (as the dense split)
    mode = _WHICH["largest"] if which == "both" and k == 1 else _WHICH[which]
    ev = sla.eigsh(op, k=k, which=mode, v0=v0, return_eigenvectors=False, tol=0)
    return np.sort(ev)


def _progress_reporter(progress, N, k):
    """A function to call after each Hessian-vector product of a Lanczos run."""
    if progress is None or progress is False:
        return lambda: None
    if callable(progress):
        callback = progress
    else:
        every = 100 if progress is True else progress  # an int >= 1 (checked by hessian_spectrum)

        def callback(count):
            if count % every == 0:
                print(f"hessian_spectrum: {count} Hessian-vector products (N = {N}, k = {k})",
                      file=sys.stderr, flush=True)
    count = [0]

    def report():
        count[0] += 1
        callback(count[0])

    return report


def sharpness(weights, Y, lam, method="auto") -> float:
    r"""The largest eigenvalue :math:`\lambda_{\max}(\Hess F)` (the sharpness).

    ``method`` as in :func:`hessian_spectrum` (with ``k = 1``).
    """
    return float(hessian_spectrum(weights, Y, lam, k=1, method=method, which="largest")[-1])


def numerical_hessian(weights, Y, lam, h=1e-5) -> np.ndarray:
    r"""The Hessian of :math:`F` by central differences of the exact gradient.

    Column :math:`j` is :math:`(\nabla F(\theta + h e_j) - \nabla F(\theta - h e_j)) / (2h)`;
    the result is symmetrized. There is no truncation error, for any ``h``: every
    entry of :math:`\nabla F` is a quadratic function of any single weight (the
    product :math:`W_L \cdots W_1` is affine in it), and central differences
    differentiate quadratics exactly. What remains is rounding, of order
    :math:`\epsilon \|\nabla F\| / h`: about ``1e-9`` for the default ``h`` and
    entries of order one, so a larger ``h`` is more accurate. Cost: :math:`2N` gradients for :math:`N`
    parameters. Independent of the closed-form blocks of :func:`hessian`: the chapters
    use it to check them, and to certify minimizers.

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``.
    Y : array_like
        Target.
    lam : float
        :math:`\lambda \ge 0`.
    h : float
        Step, > 0.

    Returns
    -------
    ndarray of shape ``(N, N)``
        In the flattening ``np.concatenate([W.ravel() for W in weights])``.
    """
    Y = as_matrix(Y, "Y")
    weights = check_weights(weights, Y)
    lam = check_lams(lam, len(weights))
    h = check_positive_float(h, "h")
    shapes = [W.shape for W in weights]
    sizes = np.cumsum([0] + [W.size for W in weights])

    def gradient(theta):
        Ws = [theta[a:b].reshape(shp) for a, b, shp in zip(sizes[:-1], sizes[1:], shapes)]
        return np.concatenate([G.ravel() for G in _grad(Ws, Y, lam)])

    theta = np.concatenate([W.ravel() for W in weights])
    N = theta.size
    H = np.empty((N, N))
    for j in range(N):
        e = np.zeros(N)
        e[j] = h
        H[:, j] = (gradient(theta + e) - gradient(theta - e)) / (2.0 * h)
    return 0.5 * (H + H.T)
