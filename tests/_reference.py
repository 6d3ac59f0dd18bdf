"""Independent reference computations shared by the tests.

Written directly from the definitions in the book's notation page, without any
of wdlib's code paths, so that wdlib can be tested against them.
"""

from functools import reduce

import numpy as np


def product(weights):
    """The end-to-end matrix W_L ... W_1, by a plain left fold."""
    return reduce(lambda acc, W: W @ acc, weights[1:], weights[0])


def direct_loss(weights, Y, lam):
    """F = 1/2 ||W_L ... W_1 - Y||_F^2 + sum_l lam_l/2 ||W_l||_F^2, from the definition.

    ``lam`` is one number (the same for every layer) or one per layer.
    """
    lams = np.broadcast_to(np.asarray(lam, dtype=float), (len(weights),))
    penalty = sum(lam_l * np.sum(W**2) for lam_l, W in zip(lams, weights))
    return 0.5 * np.sum((product(weights) - Y) ** 2) + 0.5 * penalty


def fd_grad(weights, Y, lam, h=1e-6):
    """The gradient of direct_loss by central differences, entry by entry."""
    out = []
    for l, W in enumerate(weights):
        G = np.zeros_like(W)
        for idx in np.ndindex(*W.shape):
            plus = [w.copy() for w in weights]
            minus = [w.copy() for w in weights]
            plus[l][idx] += h
            minus[l][idx] -= h
            G[idx] = (direct_loss(plus, Y, lam) - direct_loss(minus, Y, lam)) / (2 * h)
        out.append(G)
    return out
