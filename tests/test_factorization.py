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
