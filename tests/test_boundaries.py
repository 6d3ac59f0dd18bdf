"""Boundary cases that the mutation run of wdlib found untested.

Each test pins a behaviour exactly at a boundary (a rank threshold on a strongly
non-square shape, an odd count split between both ends of a spectrum, the kink of
the ReLU) where a one-character change of the code would otherwise go unnoticed.
"""

import numpy as np
import pytest

import wdlib


# ---- numerical_rank: the tolerance scales with max(shape), not min(shape) ----------

@pytest.mark.parametrize("shape", [(100, 2), (2, 100), (1000, 3)])
def test_numerical_rank_tolerance_uses_the_larger_dimension(shape):
    eps = np.finfo(float).eps
    big, small = max(shape), min(shape)
    # a singular value between small*eps and big*eps (relative to sigma_1) is noise
    # for a matrix of this shape: LAPACK's rank rule uses max(m, n) * eps * sigma_1
    noise = 0.5 * (small + big) * eps
    assert small * eps < noise < big * eps
    assert wdlib.numerical_rank([1.0, noise], shape) == 1
    # just above the threshold it counts
    assert wdlib.numerical_rank([1.0, 1.01 * big * eps], shape) == 2
    # scale invariance: the rule is relative to sigma_1
    assert wdlib.numerical_rank([1e6, 1e6 * noise], shape) == 1


def test_numerical_rank_agrees_with_numpy_matrix_rank_on_non_square():
    rng = np.random.default_rng(3)
    U, _ = np.linalg.qr(rng.standard_normal((100, 2)))
    V, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    eps = np.finfo(float).eps
    for second in [1e-15, 5e-15, 1e-13, 1e-12]:
        s = np.array([1.0, second])
        P = U @ np.diag(s) @ V.T
        # numpy's default tolerance is the same rule (S.max() * max(M, N) * eps)
        expected = int(np.count_nonzero(s > 100 * eps))
        assert wdlib.numerical_rank(s, P.shape) == expected


# ---- hessian_spectrum(which="both") with odd k ------------------------------------

@pytest.mark.parametrize("k", [1, 3, 5])
def test_both_ends_with_odd_k_match_dense_split(k):
    rng = np.random.default_rng(11)
    Y = rng.standard_normal((6, 7))
    W = wdlib.init_weights(Y, 3, widths=[6, 6], init_scale=0.7, rng=rng)
    lam = 0.1
    N = sum(w.size for w in W)
    full = np.linalg.eigvalsh(wdlib.numerical_hessian(W, Y, lam))  # independent: finite differences
    lo = k // 2  # as eigsh's 'BE': the extra one goes to the large end
    expected = np.concatenate([full[:lo], full[N - (k - lo):]])
    dense = wdlib.hessian_spectrum(W, Y, lam, k=k, method="dense", which="both")
    lanczos = wdlib.hessian_spectrum(W, Y, lam, k=k, method="lanczos", which="both")
    assert dense.shape == lanczos.shape == (k,)
    np.testing.assert_allclose(dense, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(lanczos, dense, rtol=1e-8, atol=1e-8)


# ---- ReLU: relu'(0) = 0 at the kink -------------------------------------------------

def test_relu_gradient_at_the_kink_uses_zero_derivative():
    # W = 0, b = 0: every pre-activation is exactly 0 (the kink). With relu'(0) = 0 the
    # first-layer gradient is the weight-decay term alone, i.e. zero here, so a point with
    # W = 0, b = 0 is not moved in W, b by the data term.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 3))
    y = rng.standard_normal(8)
    p = {"W": np.zeros((4, 3)), "b": np.zeros(4), "v": rng.standard_normal(4), "c": 0.3}
    g = wdlib.relu_grad(p, X, y, 0.1)
    np.testing.assert_array_equal(g["W"], 0.0)
    np.testing.assert_array_equal(g["b"], 0.0)
    # away from the kink the data term is present (the test can fail: it is not trivially zero)
    p2 = dict(p, b=np.full(4, 0.5))
    assert np.linalg.norm(wdlib.relu_grad(p2, X, y, 0.1)["b"]) > 1e-3
    # one-sided difference from the inactive side agrees with relu'(0) = 0
    h = 1e-7
    e = np.zeros(4)
    e[0] = 1.0
    down = (wdlib.relu_loss(dict(p, b=-h * e), X, y, 0.1) - wdlib.relu_loss(p, X, y, 0.1)) / (-h)
    assert abs(down - g["b"][0]) < 1e-6
