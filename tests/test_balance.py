"""Tests of wdlib.balance against independent computations.

- the balancedness identity W_{l+1}^T G_{l+1} - G_l W_l^T = lam D_l with G from
  central finite differences (not wdlib.grad) as well as from wdlib.grad;
- balanced_factors: product, balance, singular values sigma^{1/L}, widths;
- random_orbit_point / random_orthogonal: invariants and orthogonality;
- representation_cost: closed forms for L = 1, 2 (Frobenius, 2 x nuclear norm),
  eigenvalues of P^T P, and never above the norm of random factorizations.
"""


import warnings

import numpy as np
import pytest

import wdlib
from _reference import product, direct_loss, fd_grad


def rand_weights(rng, dims, scale=0.8):
    return [scale * rng.standard_normal((dims[l + 1], dims[l])) for l in range(len(dims) - 1)]




def low_rank(rng, m, n, r, scale=1.0):
    if r == 0:
        return np.zeros((m, n))
    return scale * rng.standard_normal((m, r)) @ rng.standard_normal((r, n))






# ---------------------------------------------------------------- imbalance

@pytest.mark.parametrize("dims", [[3, 2], [3, 4, 2], [2, 5, 3, 4], [4, 2, 3, 1, 2], [2, 3, 2, 4, 3, 2]])
def test_imbalance_definition(rng, dims):
    W = rand_weights(rng, dims)
    D = wdlib.imbalance(W)
    assert len(D) == len(dims) - 2
    for l, Dl in enumerate(D):
        assert Dl.shape == (dims[l + 1], dims[l + 1])
        np.testing.assert_allclose(Dl, Dl.T, atol=1e-14)
        expect = np.einsum("ki,kj->ij", W[l + 1], W[l + 1]) - np.einsum("ik,jk->ij", W[l], W[l])
        np.testing.assert_allclose(Dl, expect, atol=1e-13)


@pytest.mark.parametrize("lam", [0.0, 0.25, 1.7])
@pytest.mark.parametrize("dims", [[3, 4, 2], [2, 5, 3, 4], [4, 2, 3, 1, 2], [2, 3, 2, 4, 3, 2]])
def test_balancedness_identity_at_random_points(rng, dims, lam):
    # W_{l+1}^T G_{l+1} - G_l W_l^T = lam D_l everywhere (thm-balance-identity).
    W = rand_weights(rng, dims)
    Y = rng.standard_normal((dims[-1], dims[0]))
    D = wdlib.imbalance(W)
    for G, atol in ((wdlib.grad(W, Y, lam), 1e-12), (fd_grad(W, Y, lam), 1e-7)):
        for l in range(len(W) - 1):
            lhs = W[l + 1].T @ G[l + 1] - G[l] @ W[l].T
            np.testing.assert_allclose(lhs, lam * D[l], atol=atol)
    if lam > 0:
        # so a critical point (G = 0) must have D = 0: the identity is not trivially 0 = 0
        assert max(np.linalg.norm(d) for d in D) > 1e-3


# ---------------------------------------------------------- balanced_factors

def assert_balanced(W, scale, atol=1e-12):
    for D in wdlib.imbalance(W):
        np.testing.assert_allclose(D, 0.0, atol=atol * max(scale, 1.0))


@pytest.mark.parametrize("depth", list(range(1, 13)))
@pytest.mark.parametrize("shape,rank", [((3, 5), 3), ((5, 2), 2), ((4, 4), 2), ((1, 3), 1), ((3, 3), 0)])
def test_balanced_factors(rng, depth, shape, rank):
    P = low_rank(rng, *shape, rank)
    W = wdlib.balanced_factors(P, depth)
    assert len(W) == depth
    # minimal default widths: every hidden width is max(rank, 1)
    widths = [w.shape[0] for w in W[:-1]]
    assert widths == [max(rank, 1)] * (depth - 1)
    assert W[0].shape[1] == shape[1] and W[-1].shape[0] == shape[0]
    np.testing.assert_allclose(product(W), P, atol=1e-12 * max(1.0, np.abs(P).max()))
    s = np.linalg.svd(P, compute_uv=False)[:rank]
    if depth >= 2:
        assert_balanced(W, np.max(s, initial=0.0) ** (2 / depth))
    # every layer has nonzero singular values s^{1/L} and ||W_l||^2 = sum s^{2/L}
    # (thm-schatten-balanced-structure)
    for Wl in W:
        sl = np.linalg.svd(Wl, compute_uv=False)
        np.testing.assert_allclose(sl[:rank], s ** (1 / depth), rtol=1e-10)
        np.testing.assert_allclose(sl[rank:], 0.0, atol=1e-10)
        np.testing.assert_allclose(np.sum(Wl**2), np.sum(s ** (2 / depth)), rtol=1e-10, atol=1e-14)
    # partial products W_L ... W_{l+1} have singular values s^{(L-l)/L}
    for l in range(depth):
        sv = np.linalg.svd(product(W[l:]), compute_uv=False)
        np.testing.assert_allclose(sv[:rank], s ** ((depth - l) / depth), rtol=1e-10)


def test_balanced_factors_zero_matrix():
    for depth in (1, 2, 5):
        W = wdlib.balanced_factors(np.zeros((2, 3)), depth)
        assert [w.shape for w in W] == ([(2, 3)] if depth == 1 else [(1, 3)] + [(1, 1)] * (depth - 2) + [(2, 1)])
        for w in W:
            np.testing.assert_array_equal(w, 0.0)


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_balanced_factors_explicit_widths_padded(rng, depth):
    P = low_rank(rng, 3, 4, 2)
    widths = [2, 5, 3, 7][: depth - 1]
    W = wdlib.balanced_factors(P, depth, widths=widths)
    dims = [4] + widths + [3]
    assert [w.shape for w in W] == [(dims[l + 1], dims[l]) for l in range(depth)]
    np.testing.assert_allclose(product(W), P, atol=1e-12)
    assert_balanced(W, 10.0)
    # the padding is zero: rows/cols beyond the rank carry nothing
    for l in range(1, depth - 1):
        np.testing.assert_array_equal(W[l][2:, :], 0.0)
        np.testing.assert_array_equal(W[l][:, 2:], 0.0)
    # a tuple and numpy ints are accepted
    W2 = wdlib.balanced_factors(P, depth, widths=tuple(np.array(widths)))
    for a, b in zip(W, W2):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("depth", [2, 4])
def test_balanced_factors_too_narrow_names_needed_width(rng, depth):
    P = low_rank(rng, 4, 5, 3)
    widths = [3] * (depth - 1)
    widths[-1] = 2
    with pytest.raises(ValueError, match=r"widths\[%d\].*>= 3" % (depth - 2)):
        wdlib.balanced_factors(P, depth, widths=widths)
    # exactly the rank is enough
    wdlib.balanced_factors(P, depth, widths=[3] * (depth - 1))


def test_balanced_factors_depth_one_is_copy(rng):
    P = rng.standard_normal((2, 3))
    (W,) = wdlib.balanced_factors(P, 1)
    np.testing.assert_array_equal(W, P)
    W[0, 0] = 99.0
    assert P[0, 0] != 99.0
    assert len(wdlib.balanced_factors(P, 1, widths=[])) == 1


def test_balanced_factors_wide_dynamic_range():
    # singular values 1e-6 .. 1e6 of a diagonal matrix (SVD exact), depth 7
    y = np.array([1e6, 1.0, 1e-6])
    W = wdlib.balanced_factors(np.diag(y), 7)
    np.testing.assert_allclose(np.abs(np.diag(product(W))), y, rtol=1e-9)


# ------------------------------------------------------------ orbit & orthogonal

@pytest.mark.parametrize("n", [0, 1, 2, 5, 9])
def test_random_orthogonal_is_orthogonal(n):
    Q = wdlib.random_orthogonal(n, np.random.default_rng(n))
    assert Q.shape == (n, n)
    np.testing.assert_allclose(Q.T @ Q, np.eye(n), atol=1e-13)
    np.testing.assert_allclose(Q @ Q.T, np.eye(n), atol=1e-13)


def test_random_orthogonal_seed_and_haar_statistics():
    np.testing.assert_array_equal(wdlib.random_orthogonal(4, 3), wdlib.random_orthogonal(4, 3))
    assert not np.allclose(wdlib.random_orthogonal(4, 3), wdlib.random_orthogonal(4, 4))
    g = np.random.default_rng(0)
    Qs = np.array([wdlib.random_orthogonal(3, g) for _ in range(3000)])
    dets = np.linalg.det(Qs)
    # Haar on O(3): both orientations, about equally often; E[Q_ij] = 0, E[Q_ij^2] = 1/3
    assert 0.45 < np.mean(dets > 0) < 0.55
    np.testing.assert_allclose(Qs.mean(axis=0), 0.0, atol=0.05)
    np.testing.assert_allclose((Qs**2).mean(axis=0), 1 / 3, atol=0.03)


@pytest.mark.parametrize("dims", [[3, 2], [3, 4, 2], [2, 5, 3, 4], [4, 2, 3, 1, 2], [2, 3, 2, 4, 3, 2]])
def test_random_orbit_point_invariants(rng, dims):
    W = rand_weights(rng, dims)
    Y = rng.standard_normal((dims[-1], dims[0]))
    V = wdlib.random_orbit_point(W, rng)
    assert [v.shape for v in V] == [w.shape for w in W]
    np.testing.assert_allclose(product(V), product(W), atol=1e-12)
    for lam in (0.0, 0.6):
        np.testing.assert_allclose(direct_loss(V, Y, lam), direct_loss(W, Y, lam), rtol=1e-12)
    for v, w in zip(V, W):
        np.testing.assert_allclose(np.linalg.norm(v), np.linalg.norm(w), rtol=1e-12)
    # D_l -> Q_l D_l Q_l^T: its spectrum (hence its norm) is preserved
    for Dv, Dw in zip(wdlib.imbalance(V), wdlib.imbalance(W)):
        np.testing.assert_allclose(np.linalg.eigvalsh(Dv), np.linalg.eigvalsh(Dw), atol=1e-12)
    # the input-side Gram W_1^T W_1 is fixed (Q_0 = I); the point really moved (L >= 2)
    np.testing.assert_allclose(V[0].T @ V[0], W[0].T @ W[0], atol=1e-12)
    if len(W) >= 2:
        assert not np.allclose(V[0], W[0])


def test_random_orbit_point_keeps_balanced_minimizer(rng):
    Y = rng.standard_normal((3, 4))
    W = wdlib.minimizer_factors(Y, 0.3, 4, widths=[3, 4, 3])
    V = wdlib.random_orbit_point(W, 5)
    assert_balanced(V, 10.0)
    for g in wdlib.grad(V, Y, 0.3):
        np.testing.assert_allclose(g, 0.0, atol=1e-11)
    # reproducible from an int seed
    for a, b in zip(V, wdlib.random_orbit_point(W, 5)):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------- representation cost

@pytest.mark.parametrize("depth", list(range(1, 13)))
def test_representation_cost_equals_balanced_norms_and_eigen_formula(rng, depth):
    P = rng.standard_normal((3, 5))
    W = wdlib.balanced_factors(P, depth)
    cost = wdlib.representation_cost(P, depth)
    np.testing.assert_allclose(cost, sum(np.sum(w**2) for w in W), rtol=1e-12)
    # independent spectrum: eigenvalues of P P^T (full rank here)
    ev = np.linalg.eigvalsh(P @ P.T)
    np.testing.assert_allclose(cost, depth * np.sum(ev ** (1.0 / depth)), rtol=1e-10)


def test_representation_cost_closed_forms(rng):
    P = rng.standard_normal((4, 3))
    np.testing.assert_allclose(wdlib.representation_cost(P, 1), np.sum(P**2), rtol=1e-13)
    np.testing.assert_allclose(wdlib.representation_cost(P, 2), 2 * np.linalg.norm(P, "nuc"), rtol=1e-13)
    assert wdlib.representation_cost(np.zeros((2, 3)), 5) == 0.0
    # rank deficient: rounding-level singular values do not contribute (1e-16**(2/10) would be ~6e-4)
    Q = low_rank(rng, 4, 4, 1)
    s1 = np.linalg.norm(Q, 2)
    np.testing.assert_allclose(wdlib.representation_cost(Q, 10), 10 * s1**0.2, rtol=1e-12)


@pytest.mark.parametrize("depth", [2, 3, 4, 6])
def test_representation_cost_never_above_random_factorizations(rng, depth):
    P = rng.standard_normal((3, 2)) @ np.diag([2.0, 0.3])
    cost = wdlib.representation_cost(P, depth)
    best = np.inf
    for trial in range(200):
        # random W_1 .. W_{L-1} (widths >= d_0 = 2, full column rank a.s.), then W_L = P B^+ exactly
        dims = [2] + list(rng.integers(2, 5, size=depth - 1))
        head = rand_weights(rng, dims, scale=rng.uniform(0.3, 2.0))
        B = product(head)
        WL = P @ np.linalg.pinv(B)
        Ws = head + [WL]
        np.testing.assert_allclose(product(Ws), P, atol=1e-8)
        total = sum(np.sum(w**2) for w in Ws)
        assert total >= cost * (1 - 1e-12)
        best = min(best, total)
    # gauge transforms of the balanced factors: W_l -> G_l W_l G_{l-1}^{-1}
    W = wdlib.balanced_factors(P, depth)
    for trial in range(100):
        Gs = [np.eye(2)] + [np.eye(w.shape[0]) + 0.3 * rng.standard_normal((w.shape[0],) * 2) for w in W[:-1]] + [np.eye(3)]
        Ws = [Gs[l + 1] @ W[l] @ np.linalg.inv(Gs[l]) for l in range(depth)]
        np.testing.assert_allclose(product(Ws), P, atol=1e-9)
        total = sum(np.sum(w**2) for w in Ws)
        assert total >= cost * (1 - 1e-12)
    assert best > cost  # random ones are strictly worse


def test_numerical_rank(rng):
    for r in range(4):
        P = low_rank(rng, 4, 5, r)
        assert wdlib.numerical_rank(np.linalg.svd(P, compute_uv=False), P.shape) == r
    assert wdlib.numerical_rank([], (0, 3)) == 0
    assert wdlib.numerical_rank([0.0, 0.0], (2, 2)) == 0
    assert wdlib.numerical_rank([1.0, 1e-17], (2, 2)) == 1
    assert wdlib.numerical_rank([1.0, 1e-12], (2, 2)) == 2
    # unsorted input: the tolerance is relative to the largest value, not the first
    assert wdlib.numerical_rank([0.0, 2.0, 1.0], (3, 3)) == 2


# ---------------------------------------------------- seeds, independence, tolerance edge

def test_default_rng_is_the_seed_zero():
    # reproducible by default: the same draws as an explicit rng=0
    np.testing.assert_array_equal(wdlib.random_orthogonal(4), wdlib.random_orthogonal(4, 0))
    W = [np.eye(3)] * 3
    for a, b in zip(wdlib.random_orbit_point(W), wdlib.random_orbit_point(W, 0)):
        np.testing.assert_array_equal(a, b)


def test_random_orbit_point_draws_independent_rotations_from_rng():
    # identity layers: V_1 = Q_1 and V_3 = Q_2^T expose the rotations themselves
    W = [np.eye(3)] * 3
    V = wdlib.random_orbit_point(W, 5)
    np.testing.assert_allclose(V[0] @ V[0].T, np.eye(3), atol=1e-14)
    assert not np.allclose(V[0], V[2].T)  # Q_1 and Q_2 are different draws
    W6 = wdlib.random_orbit_point(W, 6)
    assert not np.allclose(V[0], W6[0])   # and they come from rng


def test_numerical_rank_tolerance_is_strict_and_silent():
    # tol = max(shape) * eps * s_max = 8 eps here; a value exactly at it is noise (as matrix_rank)
    eps = np.finfo(float).eps
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wdlib.numerical_rank([4.0, 8 * eps], (2, 2)) == 1
        assert wdlib.numerical_rank([4.0, 16 * eps], (2, 2)) == 2
    assert np.linalg.matrix_rank(np.diag([4.0, 8 * eps])) == 1
