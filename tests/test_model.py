"""Tests of wdlib.model against independent computations.

loss: the defining formula written out directly (tests/_reference.py);
grad: central finite differences of the loss, entry by entry;
prefix/suffix products: direct products and the identity P = A[l] W[l] B[l].
"""

import warnings
from functools import reduce

import numpy as np
import pytest

import wdlib
from _reference import direct_loss, fd_grad

# (depth, layer widths d_0, ..., d_L), deliberately non-square and non-monotone.
SHAPES = [
    (1, [3, 2]),
    (1, [1, 4]),
    (2, [3, 5, 2]),
    (2, [4, 1, 3]),
    (3, [2, 4, 3, 5]),
    (4, [3, 2, 4, 1, 2]),
    (5, [2, 3, 2, 4, 3, 2]),
    (6, [3, 2, 3, 2, 4, 2, 3]),
]


def random_weights(rng, dims, scale=0.7):
    return [scale * rng.standard_normal((dims[l + 1], dims[l])) for l in range(len(dims) - 1)]


def direct_product(weights):
    # W_L ... W_1 as one left-to-right product of the reversed list.
    return reduce(lambda acc, W: acc @ W, reversed(weights[1:]), np.eye(weights[-1].shape[0])) @ weights[0]






@pytest.mark.parametrize("depth,dims", SHAPES)
def test_end_to_end_is_the_ordered_product(rng, depth, dims):
    W = random_weights(rng, dims)
    P = wdlib.end_to_end(W)
    assert P.shape == (dims[-1], dims[0])
    np.testing.assert_allclose(P, direct_product(W), rtol=1e-13, atol=1e-13)
    # Order matters: for depth >= 2 with square layers the reversed product differs.
    if depth >= 2:
        Ws = random_weights(rng, [3] * (depth + 1))
        assert not np.allclose(wdlib.end_to_end(Ws), reduce(lambda a, b: a @ b, Ws))


@pytest.mark.parametrize("lam", [0.0, 0.3, 2.5])
@pytest.mark.parametrize("depth,dims", SHAPES)
def test_loss_matches_direct_formula(rng, depth, dims, lam):
    W = random_weights(rng, dims)
    Y = rng.standard_normal((dims[-1], dims[0]))
    value = wdlib.loss(W, Y, lam)
    assert isinstance(value, float)
    np.testing.assert_allclose(value, direct_loss(W, Y, lam), rtol=1e-13)


def test_loss_hand_computed():
    # depth 2, scalars: P = 2*3 = 6, Y = 1: 1/2*25 + lam/2*(4+9) with lam = 0.5
    assert wdlib.loss([np.array([[2.0]]), np.array([[3.0]])], np.array([[1.0]]), 0.5) == pytest.approx(12.5 + 3.25)
    # zero weights: F = 1/2 ||Y||^2 whatever lam is
    Y = np.arange(6.0).reshape(2, 3)
    assert wdlib.loss([np.zeros((4, 3)), np.zeros((2, 4))], Y, 7.0) == pytest.approx(0.5 * np.sum(Y**2))


@pytest.mark.parametrize("lam", [0.0, 0.7])
@pytest.mark.parametrize("depth,dims", SHAPES)
def test_grad_matches_central_finite_differences(rng, depth, dims, lam):
    W = random_weights(rng, dims)
    Y = rng.standard_normal((dims[-1], dims[0]))
    G = wdlib.grad(W, Y, lam)
    assert len(G) == depth
    for g, fd, w in zip(G, fd_grad(W, Y, lam), W):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7)


def test_grad_is_a_directional_derivative(rng):
    # Independent of the entrywise FD: d/dt F(W + t V) at t = 0 equals <grad, V>.
    dims = [4, 3, 5, 2]
    W = random_weights(rng, dims)
    V = random_weights(rng, dims)
    Y = rng.standard_normal((2, 4))
    lam = 0.4
    h = 1e-5
    fd = (direct_loss([w + h * v for w, v in zip(W, V)], Y, lam) - direct_loss([w - h * v for w, v in zip(W, V)], Y, lam)) / (2 * h)
    inner = sum(np.sum(g * v) for g, v in zip(wdlib.grad(W, Y, lam), V))
    np.testing.assert_allclose(inner, fd, rtol=1e-8)


def test_grad_zero_at_exact_factorization_without_decay(rng):
    W = random_weights(rng, [3, 4, 2])
    Y = direct_product(W)
    for g in wdlib.grad(W, Y, 0.0):
        np.testing.assert_allclose(g, 0.0, atol=1e-13)
    # with decay the gradient is exactly lam * W there
    for g, w in zip(wdlib.grad(W, Y, 0.3), W):
        np.testing.assert_allclose(g, 0.3 * w, atol=1e-13)


@pytest.mark.parametrize("depth,dims", SHAPES)
def test_prefix_suffix_products(rng, depth, dims):
    W = random_weights(rng, dims)
    B = wdlib.prefix_products(W)
    A = wdlib.suffix_products(W)
    assert len(B) == depth + 1 and len(A) == depth
    np.testing.assert_array_equal(B[0], np.eye(dims[0]))
    np.testing.assert_array_equal(A[-1], np.eye(dims[-1]))
    P = direct_product(W)
    np.testing.assert_allclose(B[-1], P, rtol=1e-13, atol=1e-13)
    for l in range(depth):
        # B[l] = W_l ... W_1 (0-based: weights[l-1] ... weights[0]); A[l] = W_L ... W_{l+2}
        assert B[l].shape == (dims[l], dims[0])
        assert A[l].shape == (dims[-1], dims[l + 1])
        expect_B = direct_product(W[:l]) if l > 0 else np.eye(dims[0])
        expect_A = direct_product(W[l + 1:]) if l < depth - 1 else np.eye(dims[-1])
        np.testing.assert_allclose(B[l], expect_B, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(A[l], expect_A, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(A[l] @ W[l] @ B[l], P, rtol=1e-12, atol=1e-12)


def test_inputs_are_not_mutated_and_tuples_ints_accepted(rng):
    W = random_weights(rng, [2, 3, 2])
    Y = rng.standard_normal((2, 2))
    copies = [w.copy() for w in W]
    wdlib.loss(W, Y, 0.1)
    wdlib.grad(W, Y, 0.1)
    wdlib.prefix_products(W)
    wdlib.suffix_products(W)
    for w, c in zip(W, copies):
        np.testing.assert_array_equal(w, c)
    Wi = [np.array([[1, 2], [3, 4]]), np.array([[1, 0], [0, 2]])]
    Yi = np.array([[1, 1], [0, 1]])
    assert wdlib.end_to_end(tuple(Wi)).dtype == np.float64
    assert all(g.dtype == np.float64 for g in wdlib.grad(Wi, Yi, 1))
    np.testing.assert_allclose(wdlib.loss(Wi, Yi, 1), direct_loss([w.astype(float) for w in Wi], Yi.astype(float), 1.0))
    W32 = [w.astype(np.float32) for w in W]
    assert wdlib.end_to_end(W32).dtype == np.float64


def test_grad_of_huge_weights_is_finite_and_silent():
    # W_1 = c 1_{2x3}, W_2 = c 1_{2x2}, Y = 0, c = 1e90: P = R = 2c^2 1, so
    # dF/dW_1 = W_2^T R = 4c^3 and dF/dW_2 = R W_1^T = 6c^3 (1e270, finite); nothing
    # else may be formed: the product W_1^T W_2^T R ~ c^4 would overflow
    c = 1e90
    W = [np.full((2, 3), c), np.full((2, 2), c)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G = wdlib.grad(W, np.zeros((2, 3)), 0.5)
    np.testing.assert_allclose(G[0], np.full((2, 3), 4 * c**3), rtol=1e-14)
    np.testing.assert_allclose(G[1], np.full((2, 2), 6 * c**3), rtol=1e-14)
