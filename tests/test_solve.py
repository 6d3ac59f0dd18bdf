"""Tests of wdlib.solve against independent computations.

- gradient descent (wdlib.gradient_descent, iterative, no SVD) lands on minimizer(Y);
- minimizer_factors are critical points (wdlib.grad, and finite differences);
- minimum_value equals the loss there and no random point / GD result is lower;
- exceptional targets are constructed with a singular value exactly y_c;
- collapse across critical_lambda and the rank staircase.
"""


import numpy as np
import pytest

import wdlib
from _reference import product, direct_loss


def target(rng, m, n, y):
    """U diag(y) V^T with Haar-random U, V (y sorted descending, len <= min(m, n))."""
    k = len(y)
    U = wdlib.random_orthogonal(m, rng)[:, :k]
    V = wdlib.random_orthogonal(n, rng)[:, :k]
    return (U * np.asarray(y, dtype=float)) @ V.T






def max_grad(weights, Y, lam):
    return max(np.abs(g).max() for g in wdlib.grad(weights, Y, lam))


# ------------------------------------------------------------- vs gradient descent

@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("shape,y", [((3, 2), [2.0, 1.3]), ((2, 4), [2.0, 0.5]), ((1, 3), [1.7]), ((3, 3), [2.2, 1.1, 0.4])])
def test_gradient_descent_lands_on_minimizer(rng, depth, shape, y):
    Y = target(rng, *shape, y)
    lam = 0.2
    k = min(shape)
    init = [w + 0.2 * rng.standard_normal(w.shape) for w in wdlib.balanced_factors(Y, depth, widths=[k] * (depth - 1))]
    W, hist = wdlib.gradient_descent(Y, lam, depth, steps=20000, lr=0.1, init=init, tol=1e-10)
    assert hist["steps"] < 20000
    P_star = wdlib.minimizer(Y, lam, depth)
    np.testing.assert_allclose(product(W), P_star, atol=1e-8)
    np.testing.assert_allclose(direct_loss(W, Y, lam), wdlib.minimum_value(Y, lam, depth), rtol=1e-12)
    # the minimizer is not the target (weight decay acts) unless depth is irrelevant
    assert not np.allclose(P_star, Y)
    # claim 9 (off the exceptional set): every layer of the minimizer GD found has
    # ||W_l||^2 = sum_i s_i^{2/L}
    s = wdlib.minimizer_singular_values(Y, lam, depth)
    for w in W:
        np.testing.assert_allclose(np.sum(w**2), np.sum(s ** (2 / depth)), rtol=1e-7)


@pytest.mark.parametrize("depth", [2, 3])
def test_minimum_value_vs_scipy_lbfgs_multistart(rng, depth):
    # an independent optimizer over the flattened weights (wider widths than needed)
    from scipy.optimize import minimize

    Y = target(rng, 2, 3, [1.8, 0.9])
    lam = 0.15
    dims = [3] + [3] * (depth - 1) + [2]
    sizes = [(dims[l + 1], dims[l]) for l in range(depth)]

    def unpack(x):
        out, i = [], 0
        for m, n in sizes:
            out.append(x[i:i + m * n].reshape(m, n))
            i += m * n
        return out

    def fun(x):
        W = unpack(x)
        return direct_loss(W, Y, lam), np.concatenate([g.ravel() for g in wdlib.grad(W, Y, lam)])

    n = sum(m * k for m, k in sizes)
    values = [minimize(fun, rng.standard_normal(n) * 0.8, jac=True, method="L-BFGS-B", options={"gtol": 1e-11, "ftol": 1e-14}).fun
              for _ in range(4)]
    fmin = wdlib.minimum_value(Y, lam, depth)
    assert min(values) >= fmin - 1e-12
    np.testing.assert_allclose(min(values), fmin, rtol=1e-8)


# ------------------------------------------------------------- critical points

@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("shape", [(3, 2), (2, 5), (4, 4), (1, 1), (1, 4)])
@pytest.mark.parametrize("lam", [0.0, 0.05, 0.4])
def test_minimizer_factors_have_zero_gradient(rng, depth, shape, lam):
    Y = rng.standard_normal(shape)
    W = wdlib.minimizer_factors(Y, lam, depth)
    assert len(W) == depth
    assert W[0].shape[1] == shape[1] and W[-1].shape[0] == shape[0]
    assert max_grad(W, Y, lam) < 1e-12 * max(1.0, np.abs(Y).max())
    np.testing.assert_allclose(product(W), wdlib.minimizer(Y, lam, depth), atol=1e-12)
    np.testing.assert_allclose(direct_loss(W, Y, lam), wdlib.minimum_value(Y, lam, depth), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_minimizer_factors_wider_widths(rng, depth):
    Y = rng.standard_normal((3, 4))
    widths = [5, 3, 7, 4][: depth - 1]
    W = wdlib.minimizer_factors(Y, 0.3, depth, widths=widths)
    assert [w.shape[0] for w in W[:-1]] == widths
    assert max_grad(W, Y, 0.3) < 1e-12
    # and a random orbit point of it is also critical and has the same value
    V = wdlib.random_orbit_point(W, rng)
    assert max_grad(V, Y, 0.3) < 1e-12
    np.testing.assert_allclose(direct_loss(V, Y, 0.3), wdlib.minimum_value(Y, 0.3, depth), rtol=1e-12)


def test_minimizer_factors_gradient_by_finite_differences(rng):
    Y = rng.standard_normal((2, 3))
    lam, depth = 0.3, 3
    W = wdlib.minimizer_factors(Y, lam, depth)
    h = 1e-6
    for l, w in enumerate(W):
        for idx in np.ndindex(*w.shape):
            p = [x.copy() for x in W]
            m = [x.copy() for x in W]
            p[l][idx] += h
            m[l][idx] -= h
            assert abs(direct_loss(p, Y, lam) - direct_loss(m, Y, lam)) / (2 * h) < 1e-8


# ------------------------------------------------------------- global optimality

@pytest.mark.parametrize("depth", [1, 2, 3, 4, 6])
def test_minimum_value_not_beaten_by_random_points_or_gd(rng, depth):
    Y = target(rng, 3, 4, [2.5, 1.0, 0.35])
    lam = 0.3
    fmin = wdlib.minimum_value(Y, lam, depth)
    W = wdlib.minimizer_factors(Y, lam, depth, widths=[3] * (depth - 1))
    for trial in range(150):
        scale = rng.choice([0.01, 0.1, 0.5])
        V = [w + scale * rng.standard_normal(w.shape) for w in W]
        assert direct_loss(V, Y, lam) >= fmin - 1e-12
    for trial in range(50):
        V = wdlib.init_weights(Y, depth, init_scale=rng.uniform(0.1, 1.5), rng=rng)
        assert direct_loss(V, Y, lam) >= fmin
    for seed in range(2):
        Wgd, hist = wdlib.gradient_descent(Y, lam, depth, steps=300, lr=0.05, init_scale=0.5, rng=seed)
        assert hist["loss"][-1] >= fmin - 1e-12
    # the value: sum_i g(s_i; y_i) over all min(m, n) singular values (independent formula)
    s = wdlib.minimizer_singular_values(Y, lam, depth)
    y = np.array([2.5, 1.0, 0.35])
    np.testing.assert_allclose(fmin, np.sum(0.5 * (s - y) ** 2 + 0.5 * lam * depth * s ** (2 / depth)), rtol=1e-12)


def test_minimum_value_closed_forms(rng):
    Y = rng.standard_normal((3, 2))
    y = np.linalg.svd(Y, compute_uv=False)
    lam = 0.4
    # L = 1: ridge, min = lam/(2(1+lam)) ||Y||^2
    np.testing.assert_allclose(wdlib.minimum_value(Y, lam, 1), lam / (2 * (1 + lam)) * np.sum(Y**2), rtol=1e-12)
    np.testing.assert_allclose(wdlib.minimizer(Y, lam, 1), Y / (1 + lam), atol=1e-13)
    # L = 2: singular value soft thresholding
    s = np.maximum(y - lam, 0)
    np.testing.assert_allclose(wdlib.minimum_value(Y, lam, 2), np.sum(0.5 * (s - y) ** 2 + lam * s), rtol=1e-12)
    # lam = 0: F = 0 at any exact factorization
    for L in (1, 2, 5):
        assert wdlib.minimum_value(Y, 0.0, L) == pytest.approx(0.0, abs=1e-28)
    # everything collapsed: min F = ||Y||^2 / 2
    assert wdlib.minimum_value(Y, 1e3, 4) == pytest.approx(0.5 * np.sum(Y**2), rel=1e-12)


# ------------------------------------------------------------- the exceptional set

@pytest.mark.parametrize("depth", [3, 4, 6, 10])
@pytest.mark.parametrize("lam", [0.05, 0.8])
def test_exceptional_target_two_minimizers(rng, depth, lam):
    yc = wdlib.critical_singular_value(lam, depth)
    y = [3.0 * yc, yc, 0.5 * yc]
    Y = target(rng, 4, 3, y)
    assert wdlib.is_exceptional(Y, lam, depth)
    big = wdlib.minimizer(Y, lam, depth, tie="largest")
    small = wdlib.minimizer(Y, lam, depth)  # default is largest
    np.testing.assert_array_equal(big, small)
    small = wdlib.minimizer(Y, lam, depth, tie="smallest")
    assert np.linalg.matrix_rank(big, tol=1e-8) == 2
    assert np.linalg.matrix_rank(small, tol=1e-8) == 1
    assert np.linalg.norm(big - small) > 0.1 * yc
    # the difference is the rank-one piece s* u_2 v_2^T with s* = (L-2)/(L-1) y_c
    np.testing.assert_allclose(np.linalg.svd(big - small, compute_uv=False)[0], (depth - 2) / (depth - 1) * yc, rtol=1e-8)
    fmin = wdlib.minimum_value(Y, lam, depth)
    for tie in ("largest", "smallest"):
        W = wdlib.minimizer_factors(Y, lam, depth, tie=tie)
        assert max_grad(W, Y, lam) < 1e-11
        np.testing.assert_allclose(direct_loss(W, Y, lam), fmin, rtol=1e-10)
    # different layer norms (claim 9 on the exceptional set)
    nb = np.sum(wdlib.minimizer_factors(Y, lam, depth, tie="largest")[0] ** 2)
    ns = np.sum(wdlib.minimizer_factors(Y, lam, depth, tie="smallest")[0] ** 2)
    assert nb - ns > 0.1 * yc ** (2 / depth)
    s_big = wdlib.minimizer_singular_values(Y, lam, depth, tie="largest")
    s_small = wdlib.minimizer_singular_values(Y, lam, depth, tie="smallest")
    assert s_big[1] > 0 and s_small[1] == 0 and s_big[2] == s_small[2] == 0
    np.testing.assert_array_equal(s_big[0], s_small[0])


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_is_exceptional_false_off_the_set(rng, depth):
    lam = 0.5
    yc = wdlib.critical_singular_value(lam, depth) if depth >= 2 else 0.5
    for f in (1 + 1e-6, 1 - 1e-6, 2.0, 0.3):
        assert not wdlib.is_exceptional(target(rng, 3, 3, [3 * yc, f * yc]), lam, depth)
    # L <= 2 or lam = 0: never exceptional, even with y_i = y_c
    Y = target(rng, 3, 3, [3 * yc, yc])
    assert wdlib.is_exceptional(Y, lam, depth) == (depth >= 3)
    assert not wdlib.is_exceptional(Y, 0.0, depth)
    for tie in ("largest", "smallest"):
        if depth <= 2:
            np.testing.assert_array_equal(wdlib.minimizer(Y, lam, depth, tie="largest"),
                                          wdlib.minimizer(Y, lam, depth, tie="smallest"))
    # a generic target is unique: both tie rules agree
    Y = rng.standard_normal((3, 4))
    if not wdlib.is_exceptional(Y, lam, depth):
        np.testing.assert_array_equal(wdlib.minimizer(Y, lam, depth, tie="largest"),
                                      wdlib.minimizer(Y, lam, depth, tie="smallest"))


# ------------------------------------------------------------- special targets

@pytest.mark.parametrize("depth", [1, 2, 3, 7])
def test_lam_zero_returns_Y(rng, depth):
    for shape in ((3, 2), (2, 5), (1, 1)):
        Y = rng.standard_normal(shape)
        np.testing.assert_allclose(wdlib.minimizer(Y, 0.0, depth), Y, atol=1e-13)
        W = wdlib.minimizer_factors(Y, 0.0, depth)
        np.testing.assert_allclose(product(W), Y, atol=1e-12)
        assert max_grad(W, Y, 0.0) < 1e-12


@pytest.mark.parametrize("depth", [1, 2, 3, 6])
def test_zero_target(depth):
    Y = np.zeros((3, 2))
    for lam in (0.0, 0.5):
        np.testing.assert_array_equal(wdlib.minimizer(Y, lam, depth), 0.0)
        assert wdlib.minimum_value(Y, lam, depth) == 0.0
        assert not wdlib.is_exceptional(Y, lam, depth)
        for w in wdlib.minimizer_factors(Y, lam, depth):
            np.testing.assert_array_equal(w, 0.0)


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_rank_one_target(rng, depth):
    u, v = rng.standard_normal(4), rng.standard_normal(3)
    Y = np.outer(u, v)
    y1 = np.linalg.norm(u) * np.linalg.norm(v)
    lam = 0.3 * wdlib.critical_lambda(Y, depth) if depth >= 2 else 0.3
    s = wdlib.scalar_minimizer(y1, lam, depth)
    assert s > 0
    P = wdlib.minimizer(Y, lam, depth)
    np.testing.assert_allclose(P, (s / y1) * Y, atol=1e-12)
    W = wdlib.minimizer_factors(Y, lam, depth)
    assert [w.shape[0] for w in W[:-1]] == [1] * (depth - 1)
    assert max_grad(W, Y, lam) < 1e-12


@pytest.mark.parametrize("shape", [(1, 1), (6, 2), (2, 6), (5, 5)])
@pytest.mark.parametrize("depth", [1, 3, 4])
def test_tall_wide_square_and_alignment(rng, shape, depth):
    Y = rng.standard_normal(shape)
    lam = 0.2
    P = wdlib.minimizer(Y, lam, depth)
    assert P.shape == shape and P.dtype == np.float64
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    s = wdlib.minimizer_singular_values(Y, lam, depth)
    assert s.shape == y.shape
    np.testing.assert_allclose(s, wdlib.scalar_minimizer(y, lam, depth), rtol=1e-14)
    # P shares the singular vectors of Y: U^T P V = diag(s)
    np.testing.assert_allclose(U.T @ P @ Vt.T, np.diag(s), atol=1e-12)
    # P commutes in the sense P^T Y and Y P^T are symmetric (aligned SVDs)
    np.testing.assert_allclose(P.T @ Y, (P.T @ Y).T, atol=1e-12)
    np.testing.assert_allclose(Y @ P.T, (Y @ P.T).T, atol=1e-12)


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_singular_values_spanning_1e_minus8_to_1e8(depth):
    y = np.logspace(8, -8, 9)
    Y = np.diag(y)  # exact SVD
    lam = 1e-3
    P = wdlib.minimizer(Y, lam, depth)
    s = wdlib.scalar_minimizer(y, lam, depth)
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(np.diag(P), s, rtol=1e-10, atol=0)
    np.testing.assert_array_equal(P - np.diag(np.diag(P)), 0.0)
    assert np.isfinite(wdlib.minimum_value(Y, lam, depth))
    # scaling law with random singular vectors: minimizer(cY, c^{2(L-1)/L} lam) = c minimizer(Y, lam)
    rng = np.random.default_rng(depth)
    Y = target(rng, 3, 4, [1.5, 1.0, 0.2])
    lam = 0.1
    P = wdlib.minimizer(Y, lam, depth)
    for c in np.logspace(-8, 8, 5):
        lam_c = c ** (2 * (depth - 1) / depth) * lam if depth >= 2 else lam
        np.testing.assert_allclose(wdlib.minimizer(c * Y, lam_c, depth) / c, P, atol=1e-12)


def test_integer_and_float32_inputs_become_float64(rng):
    Yi = np.array([[3, 1, 0], [1, 2, 1]])
    Yf = Yi.astype(np.float64)
    for Y in (Yi, Yi.astype(np.float32), Yi.tolist()):
        for depth in (1, 2, 3):
            P = wdlib.minimizer(Y, 1, depth)
            assert P.dtype == np.float64
            np.testing.assert_allclose(P, wdlib.minimizer(Yf, 1.0, depth), atol=1e-12)
            W = wdlib.minimizer_factors(Y, 1, depth)
            assert all(w.dtype == np.float64 for w in W)
            assert type(wdlib.minimum_value(Y, 1, depth)) is float
            assert wdlib.minimizer_singular_values(Y, 1, depth).dtype == np.float64
            assert isinstance(wdlib.is_exceptional(Y, 1, depth), bool)
    # float32 that is not exactly representable: converted, not computed in single precision
    Y32 = rng.standard_normal((3, 3)).astype(np.float32)
    np.testing.assert_allclose(wdlib.minimizer(Y32, 0.2, 3), wdlib.minimizer(Y32.astype(np.float64), 0.2, 3), rtol=0, atol=1e-14)


# ------------------------------------------------------------- collapse

@pytest.mark.parametrize("depth", list(range(2, 11)))
def test_collapse_across_critical_lambda(rng, depth):
    Y = target(rng, 3, 4, [2.0, 1.1, 0.4])
    lam_star = wdlib.critical_lambda(Y, depth)
    np.testing.assert_allclose(lam_star, wdlib.threshold_constant(depth) * 2.0 ** (2 * (depth - 1) / depth), rtol=1e-12)
    np.testing.assert_array_equal(wdlib.minimizer(Y, lam_star * (1 + 1e-6), depth), 0.0)
    below = wdlib.minimizer(Y, lam_star * (1 - 1e-6), depth)
    assert np.linalg.norm(below) > 0
    assert np.linalg.matrix_rank(below, tol=1e-12) == 1
    if depth >= 3:
        # a jump: just below lam*, the top singular value is ~ (L-2)/(L-1) y_1, not small
        np.testing.assert_allclose(np.linalg.norm(below, 2), (depth - 2) / (depth - 1) * 2.0, rtol=1e-3)
        # at lam* itself the two tie rules give zero and the jump
        assert wdlib.is_exceptional(Y, lam_star, depth)
        np.testing.assert_array_equal(wdlib.minimizer(Y, lam_star, depth, tie="smallest"), 0.0)
        np.testing.assert_allclose(np.linalg.norm(wdlib.minimizer(Y, lam_star, depth, tie="largest"), 2),
                                   (depth - 2) / (depth - 1) * 2.0, rtol=1e-8)
    else:
        assert np.linalg.norm(below, 2) < 1e-5  # continuous for L = 2
        np.testing.assert_array_equal(wdlib.minimizer(Y, lam_star, depth), 0.0)


@pytest.mark.parametrize("depth", [2, 3, 4, 7])
def test_collapse_lambdas_staircase(rng, depth):
    y = [3.0, 2.0, 1.0, 0.5]
    Y = target(rng, 5, 4, y)
    col = wdlib.collapse_lambdas(Y, depth)
    assert np.all(np.diff(col) < 0)
    # between consecutive collapse values the rank is the count of collapse values above lam
    grid = np.sort(np.concatenate([[0.5 * col[-1]], np.sqrt(col[1:] * col[:-1]), [2 * col[0]]]))
    ranks = []
    for lam in grid:
        r = np.linalg.matrix_rank(wdlib.minimizer(Y, lam, depth), tol=1e-10)
        assert r == np.count_nonzero(col > lam)
        ranks.append(r)
    assert ranks == [4, 3, 2, 1, 0]
    # each step: the i-th singular value dies exactly at col[i]
    for i, c in enumerate(col):
        s_lo = wdlib.minimizer_singular_values(Y, c * (1 - 1e-7), depth)
        s_hi = wdlib.minimizer_singular_values(Y, c * (1 + 1e-7), depth)
        assert s_lo[i] > 0 and s_hi[i] == 0
