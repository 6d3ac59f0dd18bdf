"""Tests of wdlib.factorization against independent computations."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose

import wdlib


def _matrix(shape, rank, rng):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((shape[0], rank)) @ rng.standard_normal((rank, shape[1]))


CASES = [((3, 4), 3, 2), ((4, 3), 2, 3), ((2, 5), 1, 4), ((4, 4), 2, 5), ((3, 3), 3, 5), ((5, 2), 2, 3)]


@pytest.mark.parametrize("shape,rank,depth", CASES)
def test_min_norm_factorization_reaches_schatten_value(shape, rank, depth):
    P = _matrix(shape, rank, sum(shape) + 7 * depth)
    Ws = wdlib.min_norm_factorization(P, depth, rng=1)
    assert [W.shape for W in Ws][0][1] == shape[1] and Ws[-1].shape[0] == shape[0]
    assert_allclose(wdlib.end_to_end(Ws), P, atol=1e-10 * np.linalg.norm(P))
    # Independent closed form (one SVD): L * sum sigma_i^(2/L).
    s = np.linalg.svd(P, compute_uv=False)[:rank]
    assert_allclose(wdlib.total_squared_norm(Ws), depth * np.sum(s ** (2 / depth)), rtol=1e-10)
    assert_allclose(wdlib.total_squared_norm(Ws), wdlib.representation_cost(P, depth), rtol=1e-10)
    for D in wdlib.imbalance(Ws):
        assert_allclose(D, 0, atol=1e-5)


def test_min_norm_factorization_wide_layers_and_generator():
    P = _matrix((3, 5), 2, 3)
    Ws = wdlib.min_norm_factorization(P, 3, widths=[6, 4], rng=np.random.default_rng(5))
    assert [W.shape for W in Ws] == [(6, 5), (4, 6), (3, 4)]
    assert_allclose(wdlib.end_to_end(Ws), P, atol=1e-10)
    assert_allclose(wdlib.total_squared_norm(Ws), wdlib.representation_cost(P, 3), rtol=1e-10)
    # every layer carries the same norm sum s^(2/3) (balanced structure)
    s = np.linalg.svd(P, compute_uv=False)[:2]
    for W in Ws:
        assert_allclose(np.sum(W * W), np.sum(s ** (2 / 3)), rtol=1e-6)


def test_min_norm_factorization_beats_random_factorizations():
    """No random factorization of P has a smaller total norm than the optimizer's."""
    rng = np.random.default_rng(11)
    P = _matrix((3, 3), 3, 2)
    best = wdlib.total_squared_norm(wdlib.min_norm_factorization(P, 3, rng=0))
    for _ in range(50):
        G1, G2 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
        W1 = G1
        W2 = G2
        W3 = P @ np.linalg.inv(W2 @ W1)
        assert wdlib.total_squared_norm([W1, W2, W3]) >= best - 1e-12


def test_min_norm_factorization_depth_one_and_zero():
    P = _matrix((2, 3), 2, 0)
    (W,) = wdlib.min_norm_factorization(P, 1)
    assert_allclose(W, P)
    Ws = wdlib.min_norm_factorization(np.zeros((2, 3)), 3)
    assert [W.shape for W in Ws] == [(2, 3), (2, 2), (2, 2)]
    assert wdlib.total_squared_norm(Ws) == 0.0


def test_min_norm_factorization_deterministic():
    P = _matrix((3, 2), 2, 4)
    a = wdlib.min_norm_factorization(P, 3, rng=2)
    b = wdlib.min_norm_factorization(P, 3, rng=2)
    for x, y in zip(a, b):
        assert np.array_equal(x, y)


def test_min_norm_factorization_bad_input():
    P = _matrix((3, 3), 2, 0)
    with pytest.raises(ValueError, match="P"):
        wdlib.min_norm_factorization(np.ones(3), 2)
    with pytest.raises(TypeError, match="depth"):
        wdlib.min_norm_factorization(P, 2.0)
    with pytest.raises(ValueError, match="depth"):
        wdlib.min_norm_factorization(P, 0)
    with pytest.raises(ValueError, match="widths"):
        wdlib.min_norm_factorization(P, 3, widths=[1, 3])
    with pytest.raises(ValueError, match="widths"):
        wdlib.min_norm_factorization(P, 1, widths=[2])
    with pytest.raises(TypeError, match="rng"):
        wdlib.min_norm_factorization(P, 2, rng="seed")
    with pytest.raises(ValueError, match="gtol"):
        wdlib.min_norm_factorization(P, 2, gtol=-1.0)
    with pytest.raises(ValueError, match="maxiter"):
        wdlib.min_norm_factorization(P, 2, maxiter=0)


def test_total_squared_norm():
    Ws = [np.arange(6.0).reshape(2, 3), np.ones((1, 2))]
    assert wdlib.total_squared_norm(Ws) == pytest.approx(sum(i * i for i in range(6)) + 2)
    with pytest.raises(TypeError, match="weights"):
        wdlib.total_squared_norm(np.ones((2, 2)))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_compound_matrix(k):
    rng = np.random.default_rng(k)
    A, B = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    CA = wdlib.compound_matrix(A, k)
    assert CA.shape == (len(list(itertools.combinations(range(4), k))), len(list(itertools.combinations(range(3), k))))
    # Cauchy-Binet
    assert_allclose(wdlib.compound_matrix(A @ B, k), CA @ wdlib.compound_matrix(B, k), atol=1e-12)
    # top singular value = product of the k largest singular values
    s = np.linalg.svd(A, compute_uv=False)
    assert_allclose(np.linalg.norm(CA, 2), np.prod(s[:k]), rtol=1e-12)
    if k == 1:
        assert_allclose(CA, A)


def test_compound_matrix_bad_input():
    with pytest.raises(ValueError, match="k"):
        wdlib.compound_matrix(np.ones((2, 3)), 3)
    with pytest.raises(ValueError, match="k"):
        wdlib.compound_matrix(np.ones((2, 3)), 0)
    with pytest.raises(ValueError, match="A"):
        wdlib.compound_matrix(np.ones(3), 1)


@pytest.mark.parametrize("depth", [1, 2, 3, 8])
def test_schatten_ball_boundary(depth):
    x, y = wdlib.schatten_ball_boundary(depth, num=101)
    assert x.shape == y.shape == (101,)
    assert_allclose(np.abs(x) ** (2 / depth) + np.abs(y) ** (2 / depth), 1.0, rtol=1e-12)
    assert x[0] == x[-1] and y[0] == y[-1]
    # all four quadrants are visited
    assert {(np.sign(a), np.sign(b)) for a, b in zip(x, y) if a != 0 and b != 0} == {(1, 1), (-1, 1), (-1, -1), (1, -1)}


def test_schatten_ball_boundary_bad_input():
    with pytest.raises(ValueError, match="num"):
        wdlib.schatten_ball_boundary(2, num=3)
    with pytest.raises(ValueError, match="depth"):
        wdlib.schatten_ball_boundary(0)


@pytest.mark.parametrize("shape,widths", [((3, 4), [5, 3, 6]), ((2, 5), [2, 2]), ((6, 3), []), ((4, 4), [3])])
def test_balanced_extension_is_balanced_and_has_rooted_spectrum(shape, widths):
    rng = np.random.default_rng(len(widths) + shape[0])
    W1 = rng.standard_normal(shape)
    if shape == (4, 4):
        W1[:, 0] = W1[:, 1]  # rank 3, so a width-3 second layer is possible
    Ws = wdlib.balanced_extension(W1, widths, rng=3)
    assert [W.shape for W in Ws] == [shape] + [(w, d) for w, d in zip(widths, [shape[0]] + widths[:-1])]
    for D in wdlib.imbalance(Ws):
        assert_allclose(D, 0, atol=1e-12)
    L = len(Ws)
    P = wdlib.end_to_end(Ws)
    s = np.linalg.svd(P, compute_uv=False)
    r = wdlib.numerical_rank(s, P.shape)
    for W in Ws:
        sw = np.linalg.svd(W, compute_uv=False)
        assert_allclose(sw[:r], s[:r] ** (1 / L), rtol=1e-10)


def test_balanced_extension_bad_input():
    with pytest.raises(ValueError, match="widths"):
        wdlib.balanced_extension(np.ones((3, 3)) + np.eye(3), [2])
    with pytest.raises(TypeError, match="widths"):
        wdlib.balanced_extension(np.ones((3, 3)), 2)
    with pytest.raises(ValueError, match="first"):
        wdlib.balanced_extension(np.ones(3), [2])


# ---------------------------------------------------------------- edge cases of the rank rule and the optimizer


@pytest.mark.parametrize("shape", [(3, 1), (1, 4)])
def test_min_norm_factorization_of_a_single_column_or_row(shape):
    P = np.arange(1.0, 1.0 + shape[0] * shape[1]).reshape(shape)
    Ws = wdlib.min_norm_factorization(P, 3)
    assert_allclose(wdlib.end_to_end(Ws), P, atol=1e-12)
    assert_allclose(wdlib.total_squared_norm(Ws), 3 * np.linalg.norm(P) ** (2 / 3), rtol=1e-10)


def test_min_norm_factorization_of_a_diagonal_matrix_with_unit_pivot():
    # pivoted QR of diag(1, 1/4) has |R_11| = 1 exactly; min sum ||W_l||^2 = 2 (1 + 1/4) at depth 2
    Ws = wdlib.min_norm_factorization(np.diag([1.0, 0.25]), 2)
    assert_allclose(wdlib.total_squared_norm(Ws), 2.5, rtol=1e-12)


def test_min_norm_factorization_drops_a_singular_value_at_the_rank_threshold():
    # sigma_2 = 2 eps sigma_1 = max(shape) eps sigma_1 is not above the threshold of numerical_rank
    eps = np.finfo(float).eps
    P = np.diag([1.0, 2 * eps])
    assert wdlib.numerical_rank(np.linalg.svd(P, compute_uv=False), P.shape) == 1
    Ws = wdlib.min_norm_factorization(P, 4)
    assert wdlib.total_squared_norm(Ws) == pytest.approx(wdlib.representation_cost(P, 4), rel=1e-12)
    assert wdlib.total_squared_norm(Ws) == pytest.approx(4.0, rel=1e-12)  # not 4 (1 + sqrt(2 eps))


@pytest.mark.parametrize("c", [1e-4, 1e4])
def test_min_norm_factorization_of_a_scaled_rank_deficient_matrix(c):
    # the rank rule is relative to the largest pivot: scaling P must not change the rank
    P = c * _matrix((4, 5), 2, 3)
    Ws = wdlib.min_norm_factorization(P, 3)
    assert_allclose(wdlib.total_squared_norm(Ws), wdlib.representation_cost(P, 3), rtol=1e-10)
    assert_allclose(wdlib.end_to_end(Ws), P, atol=1e-10 * np.linalg.norm(P))


def test_empty_matrices_factor_into_empty_layers():
    assert [W.shape for W in wdlib.min_norm_factorization(np.zeros((0, 3)), 2)] == [(0, 3), (0, 0)]
    assert [W.shape for W in wdlib.min_norm_factorization(np.zeros((3, 0)), 2)] == [(0, 0), (3, 0)]
    assert [W.shape for W in wdlib.balanced_extension(np.zeros((0, 3)), [2])] == [(0, 3), (2, 0)]


@pytest.mark.filterwarnings("error")
def test_min_norm_factorization_default_seed_and_no_warnings():
    # no warning from the optimizer (unknown options, another method) or from NumPy
    P = _matrix((3, 4), 2, 8)
    a = wdlib.min_norm_factorization(P, 3)
    b = wdlib.min_norm_factorization(P, 3, rng=0)
    for x, y in zip(a, b):
        assert np.array_equal(x, y)
    assert_allclose(wdlib.total_squared_norm(a), wdlib.representation_cost(P, 3), rtol=1e-10)


def test_min_norm_factorization_raises_when_the_iteration_limit_stops_it_early():
    with pytest.raises(RuntimeError, match="gradient norm"):
        wdlib.min_norm_factorization(np.random.default_rng(0).standard_normal((3, 3)), 3, maxiter=2)


def test_reduced_objective_gradient_matches_finite_differences():
    from wdlib.factorization import _reduced_objective

    rng = np.random.default_rng(0)
    dims = [2, 3, 2]  # r = 2, hidden widths 3 and 2: two free layers
    K = 1e-2 * rng.standard_normal((2, 2))  # not normalized: a value below 1
    x = 0.2 * rng.standard_normal(12)
    value, g = _reduced_objective(x, dims, K)
    W1, W2 = x[:6].reshape(3, 2), x[6:].reshape(2, 3)
    B = W2 @ W1
    assert value == pytest.approx(np.sum(x * x) + np.linalg.norm(K @ np.linalg.pinv(B)) ** 2, rel=1e-12)
    assert value < 1
    h = 1e-6
    fd = [(_reduced_objective(x + h * e, dims, K)[0] - _reduced_objective(x - h * e, dims, K)[0]) / (2 * h)
          for e in np.eye(x.size)]
    assert_allclose(g, fd, atol=1e-8)


def test_reduced_objective_is_infinite_where_the_product_loses_rank():
    # L-BFGS must see +inf and a finite (zero) gradient: at B = 0 (singular B^T B) and where
    # B^T B is so small that the solve overflows
    from wdlib.factorization import _reduced_objective

    K = np.array([[0.1]])
    for x in (np.zeros(2), np.array([1e-80, 1e-80])):
        value, g = _reduced_objective(x, [1, 1, 1], K)
        assert value == np.inf
        assert g.shape == (2,) and np.array_equal(g, np.zeros(2))


# ---------------------------------------------------------------- balanced_extension: rank, scale, randomness


def test_balanced_extension_of_a_rank_one_layer_into_wider_layers():
    # W W^T has zero eigenvalues (some computed slightly negative): they must give zero, not NaN
    rng = np.random.default_rng(0)
    W1 = np.outer(rng.standard_normal(4), rng.standard_normal(4))
    Ws = wdlib.balanced_extension(W1, [4, 5], rng=1)
    assert all(np.all(np.isfinite(W)) for W in Ws)
    for D in wdlib.imbalance(Ws):
        assert_allclose(D, 0, atol=1e-12)
    # and narrow ones: width 1 holds a rank-one layer, also from a single-row first layer
    assert [W.shape for W in wdlib.balanced_extension(W1, [1, 1])] == [(4, 4), (1, 4), (1, 1)]
    assert [W.shape for W in wdlib.balanced_extension(W1[:1], [1, 3])] == [(1, 4), (1, 1), (3, 1)]


def test_balanced_extension_rank_check_is_relative_to_the_scale():
    rng = np.random.default_rng(2)
    W1 = rng.standard_normal((3, 3))
    for c in (1e-10, 1.0, 1e10):
        with pytest.raises(ValueError, match="smaller than the rank 3"):
            wdlib.balanced_extension(c * W1, [2])
    # a zero layer has rank 0 and extends to any width
    Ws = wdlib.balanced_extension(np.zeros((3, 3)), [1, 2])
    assert [W.shape for W in Ws] == [(3, 3), (1, 3), (2, 1)] and all(not W.any() for W in Ws)


@pytest.mark.filterwarnings("error")
def test_balanced_extension_next_layer_is_haar_random_and_seeded():
    # O(1) = {+1, -1}: a Haar-random width-one next layer has either sign with probability 1/2
    rng = np.random.default_rng(1)
    W1 = np.outer(rng.standard_normal(2), rng.standard_normal(3))
    positive = np.mean([wdlib.balanced_extension(W1, [1], rng=s)[1][0, 0] > 0 for s in range(400)])
    assert 0.4 < positive < 0.6
    # the default seed is 0
    for a, b in zip(wdlib.balanced_extension(W1, [2, 3]), wdlib.balanced_extension(W1, [2, 3], rng=0)):
        assert np.array_equal(a, b)


# ---------------------------------------------------------------- schatten_ball_boundary: parametrization


@pytest.mark.parametrize("depth", [1, 3])
def test_schatten_ball_boundary_runs_once_around_through_the_axis_points(depth):
    x, y = wdlib.schatten_ball_boundary(depth, num=9)  # t = 0, pi/4, ..., 2 pi
    axis = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (1.0, 0.0)]
    assert_allclose(np.c_[x[::2], y[::2]], axis, atol=1e-15)
    angles = np.unwrap(np.arctan2(y, x))
    assert angles[-1] - angles[0] == pytest.approx(2 * np.pi)  # winds once, counterclockwise
    assert np.all(np.diff(angles) > 0)
    assert len(wdlib.schatten_ball_boundary(depth)[0]) == 401  # default number of points
    assert len(wdlib.schatten_ball_boundary(depth, num=5)[0]) == 5  # the documented minimum
