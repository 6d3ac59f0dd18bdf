r"""The regularized deep linear network: end-to-end matrix, objective, gradient.

Conventions (the book's notation page and the chapter *Balancedness*): depth
:math:`L \ge 1`, layers ``weights = [W_1, ..., W_L]`` with ``W_l`` of shape
``(d_l, d_{l-1})``, end-to-end matrix :math:`P = W_L \cdots W_1` and

.. math::

    F(W_1, \dots, W_L) = \tfrac12 \|W_L \cdots W_1 - Y\|_F^2
        + \tfrac{\lambda}{2} \sum_{l=1}^{L} \|W_l\|_F^2 .
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, check_lams, check_weights, lam_at

__all__ = ["end_to_end", "loss", "grad", "prefix_products", "suffix_products"]


def prefix_products(weights) -> list[np.ndarray]:
    r"""Products below each layer: ``B[l] = W_{l-1} ... W_1`` (0-based: ``B[0] = I``).

    Returns a list of ``L + 1`` matrices; ``B[L]`` is the end-to-end matrix.
    Cost :math:`O(L d^3)`.
    """
    weights = check_weights(weights)
    return _prefix(weights)


def suffix_products(weights) -> list[np.ndarray]:
    r"""Products above each layer: ``A[l] = W_L ... W_{l+2}`` for 0-based layer ``l``.

    ``A[l]`` has shape ``(d_L, d_{l+1})`` so that
    ``P = A[l] @ weights[l] @ B[l]``; ``A[L-1] = I``. Returns ``L`` matrices.
    """
    weights = check_weights(weights)
    return _suffix(weights)


def _prefix(weights):
    B = [np.eye(weights[0].shape[1])]
    for W in weights:
        B.append(W @ B[-1])
    return B


def _suffix(weights):
    L = len(weights)
    A = [None] * L
    A[L - 1] = np.eye(weights[-1].shape[0])
    for l in range(L - 2, -1, -1):
        A[l] = A[l + 1] @ weights[l + 1]
    return A


def _product(weights):
    P = weights[0]
    for W in weights[1:]:
        P = W @ P
    return P


def end_to_end(weights) -> np.ndarray:
    r"""The end-to-end matrix :math:`P = W_L \cdots W_1`, shape ``(d_L, d_0)``.

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``, ``W_l`` of shape ``(d_l, d_{l-1})``.
    """
    return _product(check_weights(weights))


def loss(weights, Y, lam) -> float:
    r"""The objective :math:`F = \frac12\|P - Y\|_F^2 + \frac{\lambda}{2}\sum_l \|W_l\|_F^2`.

    Parameters
    ----------
    weights : list of array_like
        ``[W_1, ..., W_L]``.
    Y : array_like, shape ``(d_L, d_0)``
        The target.
    lam : float or sequence of float
        Regularization strength :math:`\lambda \ge 0`, or one positive
        :math:`\lambda_l` per layer: the penalty is then
        :math:`\sum_l \frac{\lambda_l}{2}\|W_l\|_F^2` (chapter *The whole landscape*).
    """
    Y = as_matrix(Y, "Y")
    weights = check_weights(weights, Y)
    lam = check_lams(lam, len(weights))
    R = _product(weights) - Y
    if not isinstance(lam, float):
        return float(0.5 * np.sum(R * R) + 0.5 * sum(lam_at(lam, l) * np.sum(W * W) for l, W in enumerate(weights)))
    return float(0.5 * np.sum(R * R) + 0.5 * lam * sum(np.sum(W * W) for W in weights))


def _grad(weights, Y, lam):
    B = _prefix(weights)
    R = B[-1] - Y
    # Walk down from the top, carrying A^T R = (W_L ... W_{l+1})^T R.
    out = [None] * len(weights)
    AtR = R
    for l in range(len(weights) - 1, -1, -1):
        out[l] = AtR @ B[l].T + lam_at(lam, l) * weights[l]
        if l > 0:
            AtR = weights[l].T @ AtR
    return out


def grad(weights, Y, lam) -> list[np.ndarray]:
    r"""The gradient of :func:`loss`, one array per layer.

    .. math::

        \frac{\partial F}{\partial W_l}
          = (W_L \cdots W_{l+1})^\top (P - Y) (W_{l-1} \cdots W_1)^\top + \lambda W_l .

    Derived in the chapter *Balancedness*. Cost :math:`O(L d^3)`. ``lam`` may be a
    sequence of per-layer strengths, as in :func:`loss` (then :math:`\lambda_l W_l`).
    """
    Y = as_matrix(Y, "Y")
    weights = check_weights(weights, Y)
    lam = check_lams(lam, len(weights))
    return _grad(weights, Y, lam)
