"""Per-layer weight decay lam = (lam_1, ..., lam_L): the reduction to lam_bar = (prod lam_l)^(1/L)."""

import numpy as np
import pytest
from scipy.optimize import minimize

import wdlib

from _reference import direct_loss as _direct_loss
from _reference import product
from _reference import fd_grad as _fd_grad

LAMS = {2: [0.3, 0.05], 3: [0.05, 0.4, 0.1], 4: [0.2, 0.02, 0.1, 0.3]}


@pytest.mark.parametrize("L", [2, 3, 4])
def test_loss_grad_hvp_hessian_against_definitions(L):
    rng = np.random.default_rng(L)
    Y = rng.standard_normal((3, 4))
    W = wdlib.init_weights(Y, L, widths=[3] * (L - 1), init_scale=0.7, rng=rng)
    lams = LAMS[L]
    np.testing.assert_allclose(wdlib.loss(W, Y, lams), _direct_loss(W, Y, lams), rtol=1e-13)
    for g, f in zip(wdlib.grad(W, Y, lams), _fd_grad(W, Y, lams)):
        np.testing.assert_allclose(g, f, atol=1e-7)
    H = wdlib.hessian(W, Y, lams)
    np.testing.assert_allclose(H, wdlib.numerical_hessian(W, Y, lams), atol=1e-6)
    V = [rng.standard_normal(w.shape) for w in W]
    np.testing.assert_allclose(wdlib.flatten_params(wdlib.hvp(W, Y, lams, V)), H @ wdlib.flatten_params(V),
                               rtol=1e-10, atol=1e-12)
    # the per-layer penalty only changes the diagonal blocks: H - H(lam = 0) = diag(lam_l I)
    diag = np.concatenate([np.full(w.size, lam) for lam, w in zip(lams, W)])
    np.testing.assert_allclose(H - wdlib.hessian(W, Y, 0.0), np.diag(diag), atol=1e-12)
    np.testing.assert_allclose(wdlib.hessian_trace(W, Y, lams), np.trace(H), rtol=1e-12)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_reduction_to_lam_bar_against_lbfgs(L):
    rng = np.random.default_rng(10 + L)
    Y = rng.standard_normal((3, 4))
    lams = np.array(LAMS[L])
    bar = np.exp(np.mean(np.log(lams)))
    shapes = [(3, 4)] + [(3, 3)] * (L - 2) + [(3, 3)] if L > 1 else [(3, 4)]
    sizes = np.cumsum([0] + [a * b for a, b in shapes])

    def unpack(x):
        return [x[a:b].reshape(s) for a, b, s in zip(sizes[:-1], sizes[1:], shapes)]

    def fun(x):
        W = unpack(x)
        return _direct_loss(W, Y, lams), np.concatenate([g.ravel() for g in wdlib.grad(W, Y, lams)])

    best = None
    fmin = wdlib.minimum_value(Y, lams, L)
    for start in range(5):
        x0 = np.random.default_rng(start).standard_normal(sizes[-1]) * 0.8
        res = minimize(fun, x0, jac=True, method="L-BFGS-B", options=dict(gtol=1e-12, ftol=1e-15, maxiter=20000))
        assert res.fun >= fmin - 1e-9  # nothing beats the closed form
        if best is None or res.fun < best.fun:
            best = res
    W = unpack(best.x)
    np.testing.assert_allclose(best.fun, fmin, rtol=1e-8)
    np.testing.assert_allclose(fmin, wdlib.minimum_value(Y, bar, L), rtol=1e-14)
    np.testing.assert_allclose(product(W), wdlib.minimizer(Y, lams, L), atol=1e-5)
    np.testing.assert_allclose(wdlib.minimizer(Y, lams, L), wdlib.minimizer(Y, bar, L), atol=1e-14)
    # weighted balance and layer norms
    for l in range(L - 1):
        np.testing.assert_allclose(lams[l + 1] * W[l + 1].T @ W[l + 1], lams[l] * W[l] @ W[l].T, atol=1e-5)
    s = wdlib.minimizer_singular_values(Y, lams, L)
    for l in range(L):
        np.testing.assert_allclose(np.sum(W[l] ** 2), bar / lams[l] * np.sum(s ** (2 / L)), rtol=1e-5)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_minimizer_factors_per_layer(L):
    Y = np.random.default_rng(20 + L).standard_normal((4, 3))
    lams = np.array(LAMS[L])
    W = wdlib.minimizer_factors(Y, lams, L, widths=[4] * (L - 1))
    np.testing.assert_allclose(product(W), wdlib.minimizer(Y, lams, L), atol=1e-12)
    np.testing.assert_allclose(_direct_loss(W, Y, lams), wdlib.minimum_value(Y, lams, L), rtol=1e-12)
    for g in wdlib.grad(W, Y, lams):
        np.testing.assert_allclose(g, 0, atol=1e-12)
    for l in range(L - 1):
        np.testing.assert_allclose(lams[l + 1] * W[l + 1].T @ W[l + 1], lams[l] * W[l] @ W[l].T, atol=1e-12)
    # a scalar lam is still the plain balanced factorization
    Wu = wdlib.minimizer_factors(Y, 0.1, L, widths=[4] * (L - 1))
    for l in range(L - 1):
        np.testing.assert_allclose(Wu[l + 1].T @ Wu[l + 1], Wu[l] @ Wu[l].T, atol=1e-12)


@pytest.mark.parametrize("L", [2, 3, 5])
def test_critical_lambda_with_ratios(L):
    Y = np.diag([2.0, 1.0, 0.5])
    ratios = np.linspace(0.5, 2.0, L)
    t = wdlib.critical_lambda(Y, L, ratios=ratios)
    np.testing.assert_allclose(t * np.exp(np.mean(np.log(ratios))), wdlib.critical_lambda(Y, L), rtol=1e-14)
    assert np.all(wdlib.minimizer(Y, t * 1.001 * ratios, L) == 0)
    assert np.any(wdlib.minimizer(Y, t * 0.999 * ratios, L) != 0)
    with pytest.raises(TypeError, match="ratios"):
        wdlib.critical_lambda(Y, L, ratios=2.0)
    with pytest.raises(ValueError, match="ratios"):
        wdlib.critical_lambda(Y, L, ratios=[1.0] * (L + 1))


def test_gradient_descent_per_layer_reaches_the_minimizer():
    # depth 2 has no spurious local minima, so plain gradient descent must find the closed form
    Y = np.diag([2.0, 1.0])
    lams = [0.05, 0.4]
    W, hist = wdlib.gradient_descent(Y, lams, 2, steps=5000, lr=0.1, init_scale=0.5, tol=1e-10)
    assert hist.success
    np.testing.assert_allclose(wdlib.end_to_end(W), wdlib.minimizer(Y, lams, 2), atol=1e-8)
    np.testing.assert_allclose(hist.loss[-1], _direct_loss(W, Y, lams), rtol=1e-12)
    np.testing.assert_allclose(hist.loss[-1], wdlib.minimum_value(Y, lams, 2), rtol=1e-10)
    np.testing.assert_allclose(lams[1] * W[1].T @ W[1], lams[0] * W[0] @ W[0].T, atol=1e-8)


def test_sequence_lam_validation():
    W = [np.ones((2, 3)), np.ones((2, 2))]
    with pytest.raises(ValueError, match="one value per layer"):
        wdlib.loss(W, np.ones((2, 3)), [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="positive"):
        wdlib.grad(W, np.ones((2, 3)), [0.1, 0.0])
    with pytest.raises(ValueError, match=r"lam\[1\]"):
        wdlib.hessian(W, np.ones((2, 3)), [0.1, -1.0])
