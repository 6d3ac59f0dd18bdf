"""Tests of wdlib.relu (chapter *The rescaling puzzle*)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import wdlib
from wdlib.relu import init_relu_params, relu_forward, relu_grad, relu_loss


def _data(n=7, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal(n)


def _params(d=3, m=5, seed=1):
    p = init_relu_params(d, m, rng=seed)
    p["c"] = 0.3
    return p


def _flat(p):
    return np.concatenate([p["W"].ravel(), p["b"], p["v"], [p["c"]]])


def _unflat(z, m, d):
    W = z[: m * d].reshape(m, d)
    return {"W": W, "b": z[m * d: m * d + m], "v": z[m * d + m: m * d + 2 * m], "c": float(z[-1])}


@pytest.mark.parametrize("penalize_bias", [True, False])
@pytest.mark.parametrize("lam", [0.0, 0.37])
@pytest.mark.parametrize("shape", [(7, 3, 5), (4, 1, 9), (11, 2, 1)])
def test_grad_matches_central_differences(penalize_bias, lam, shape):
    n, d, m = shape
    X, y = _data(n, d)
    p = _params(d, m)
    g = relu_grad(p, X, y, lam, penalize_bias=penalize_bias)
    z0 = _flat(p)
    h = 1e-6
    fd = np.empty_like(z0)
    for i in range(z0.size):
        e = np.zeros_like(z0)
        e[i] = h
        fd[i] = (relu_loss(_unflat(z0 + e, m, d), X, y, lam, penalize_bias)
                 - relu_loss(_unflat(z0 - e, m, d), X, y, lam, penalize_bias)) / (2 * h)
    assert_allclose(_flat(g), fd, rtol=1e-6, atol=1e-8)


def test_forward_matches_loop():
    X, y = _data(6, 2)
    p = _params(2, 4)
    f = relu_forward(p, X)
    ref = [sum(p["v"][k] * max(0.0, p["W"][k] @ x + p["b"][k]) for k in range(4)) + p["c"] for x in X]
    assert_allclose(f, ref, rtol=1e-13)
    assert_allclose(relu_loss(p, X, y, 0.0), 0.5 * np.mean((f - y) ** 2), rtol=1e-13)


@pytest.mark.parametrize("penalize_bias", [True, False])
def test_unit_balance_identity(penalize_bias):
    # <in_k, g_in_k> - v_k g_v_k = lam (||in_k||^2 - v_k^2), in_k with b_k iff penalized
    X, y = _data(9, 3)
    p = _params(3, 6)
    lam = 0.21
    g = relu_grad(p, X, y, lam, penalize_bias=penalize_bias)
    lhs = np.sum(p["W"] * g["W"], axis=1) + p["b"] * g["b"] - p["v"] * g["v"]
    assert_allclose(lhs, lam * wdlib.unit_imbalance(p, include_bias=penalize_bias), rtol=1e-10, atol=1e-14)


def test_rescaling_invariance_and_balance():
    X, _ = _data(8, 3)
    p = _params(3, 6)
    beta = np.random.default_rng(3).uniform(0.1, 10, 6)
    q = wdlib.rescale_units(p, beta)
    assert_allclose(relu_forward(q, X), relu_forward(p, X), rtol=1e-12, atol=1e-14)
    for include_bias in (True, False):
        r = wdlib.balance_units(p, include_bias=include_bias)
        a, v = wdlib.unit_norms(r, include_bias)
        assert_allclose(a, v, rtol=1e-12)
        assert_allclose(relu_forward(r, X), relu_forward(p, X), rtol=1e-12, atol=1e-14)
        assert_allclose(np.sum(a**2 + v**2), 2 * wdlib.relu_path_norm(p, include_bias), rtol=1e-12)
        a0, v0 = wdlib.unit_norms(p, include_bias)
        assert np.all(a**2 + v**2 <= a0**2 + v0**2 + 1e-12)
    # the path norm is invariant under rescaling
    assert_allclose(wdlib.relu_path_norm(q), wdlib.relu_path_norm(p), rtol=1e-12)


def test_balance_units_leaves_zero_side_units():
    p = _params(2, 3)
    p["v"][1] = 0.0
    r = wdlib.balance_units(p)
    assert_allclose(r["W"][1], p["W"][1])
    assert r["v"][1] == 0.0


def test_rescaled_norm_minimum_on_grid():
    betas = np.geomspace(1e-2, 1e2, 400001)
    for A, B in [(1.0, 1.0), (0.3, 5.0), (7.0, 0.02)]:
        vals = wdlib.rescaled_norm(betas, A, B)
        assert_allclose(vals.min(), 2 * A * B, rtol=1e-8)
        assert_allclose(betas[np.argmin(vals)], np.sqrt(B / A), rtol=1e-4)


@pytest.mark.parametrize("penalize_bias", [True, False])
def test_training_step_law_and_descent(penalize_bias):
    X, y = _data(10, 2)
    lam, lr, steps = 0.05, 0.05, 300
    p, h = wdlib.train_relu_network(X, y, 8, lam, steps=steps, lr=lr, rng=2, penalize_bias=penalize_bias)
    assert h["loss"].shape == (steps + 1,) and h["imbalance"].shape == (steps + 1, 8)
    assert h["loss"][-1] < h["loss"][0]
    assert_allclose(h["loss"][-1], relu_loss(p, X, y, lam, penalize_bias), rtol=1e-12)
    assert_allclose(h["imbalance"][-1], wdlib.unit_imbalance(p), rtol=1e-12, atol=1e-14)
    if penalize_bias:
        D, e = h["imbalance"], h["grad_imbalance"]
        assert_allclose(D[1:], (1 - 2 * lr * lam) * D[:-1] + lr**2 * e[:-1], rtol=1e-9, atol=1e-12)


def test_training_with_init_reproduces_rng_start():
    X, y = _data(5, 1)
    init = init_relu_params(1, 4, rng=7)
    p1, _ = wdlib.train_relu_network(X, y, 4, 0.1, steps=20, lr=0.1, rng=7)
    p2, _ = wdlib.train_relu_network(X, y, 4, 0.1, steps=20, lr=0.1, init=init)
    assert_allclose(p1["W"], p2["W"])


def test_zero_steps():
    X, y = _data(5, 1)
    p, h = wdlib.train_relu_network(X, y, 3, 0.1, steps=0, rng=0)
    assert h["steps"] == 0 and h["loss"].shape == (1,)


def test_divergence_raises():
    X, y = _data(5, 1)
    with pytest.raises(FloatingPointError, match="lr"):
        wdlib.train_relu_network(100 * X, y, 3, 0.0, steps=200, lr=10.0, rng=0)


# ---------------------------------------------------------------- bad inputs
def test_bad_inputs():
    X, y = _data(5, 2)
    p = _params(2, 3)
    with pytest.raises(TypeError, match="params"):
        relu_forward([p["W"]], X)
    with pytest.raises(ValueError, match="params is missing"):
        relu_forward({"W": p["W"], "b": p["b"], "v": p["v"]}, X)
    with pytest.raises(ValueError, match=r"params\['b'\]"):
        relu_forward({**p, "b": np.zeros(4)}, X)
    with pytest.raises(TypeError, match=r"params\['c'\]"):
        relu_forward({**p, "c": "0"}, X)
    with pytest.raises(ValueError, match=r"params\['W'\]"):
        relu_forward({**p, "W": np.full((3, 2), np.nan)}, X)
    with pytest.raises(ValueError, match="features"):
        relu_forward(p, np.ones((5, 3)))
    with pytest.raises(ValueError, match="X"):
        relu_forward(p, np.ones(5))
    with pytest.raises(ValueError, match="y must have one target"):
        relu_loss(p, X, y[:3], 0.1)
    with pytest.raises(ValueError, match="y"):
        relu_loss(p, X, np.ones((5, 1)), 0.1)
    with pytest.raises(ValueError, match="lam"):
        relu_grad(p, X, y, -1.0)
    with pytest.raises(TypeError, match="penalize_bias"):
        relu_grad(p, X, y, 0.1, penalize_bias="yes")
    with pytest.raises(ValueError, match="width"):
        wdlib.train_relu_network(X, y, 0, 0.1)
    with pytest.raises(TypeError, match="width"):
        wdlib.train_relu_network(X, y, 2.5, 0.1)
    with pytest.raises(ValueError, match="lr"):
        wdlib.train_relu_network(X, y, 3, 0.1, lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        wdlib.train_relu_network(X, y, 3, 0.1, steps=-1)
    with pytest.raises(TypeError, match="rng"):
        wdlib.train_relu_network(X, y, 3, 0.1, rng="seed")
    with pytest.raises(ValueError, match="init has 3 hidden units"):
        wdlib.train_relu_network(X, y, 4, 0.1, init=p)
    with pytest.raises(ValueError, match="beta"):
        wdlib.rescale_units(p, -1.0)
    with pytest.raises(ValueError, match="beta"):
        wdlib.rescale_units(p, np.ones(4))
    with pytest.raises(TypeError, match="beta"):
        wdlib.rescale_units(p, "2")
    with pytest.raises(TypeError, match="include_bias"):
        wdlib.unit_norms(p, include_bias=1)
    with pytest.raises(ValueError, match="beta"):
        wdlib.rescaled_norm(0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="a_norm"):
        wdlib.rescaled_norm(1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="in_scale"):
        init_relu_params(2, 3, in_scale=-1.0)
    with pytest.raises(ValueError, match="d_in"):
        init_relu_params(0, 3)


# ---------------------------------------------------------------- properties and figures
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=50, deadline=None)
@given(beta=st.floats(1e-3, 1e3), A=st.floats(0, 1e2), B=st.floats(0, 1e2))
def test_rescaled_norm_amgm(beta, A, B):
    # beta^2 A^2 + B^2/beta^2 - 2AB = (beta A - B/beta)^2 >= 0
    val = wdlib.rescaled_norm(beta, A, B)
    assert val >= 2 * A * B * (1 - 1e-12) - 1e-300
    assert_allclose(val - 2 * A * B, (beta * A - B / beta) ** 2, rtol=1e-7, atol=1e-9 * (1 + val))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), log_beta=st.floats(-5, 5))
def test_rescaling_invariance_property(seed, log_beta):
    rng = np.random.default_rng(seed)
    p = init_relu_params(2, 4, rng=rng)
    X = rng.standard_normal((6, 2))
    beta = np.exp(log_beta + rng.uniform(-1, 1, 4))
    assert_allclose(relu_forward(wdlib.rescale_units(p, beta), X), relu_forward(p, X), rtol=1e-9, atol=1e-12)


def test_plotting_helpers_return_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    betas = np.geomspace(0.1, 10, 50)
    figs = [
        wdlib.plotting.plot_rescaling_curve(betas, wdlib.rescaled_norm(betas, 1.0, 2.0), [np.sqrt(2.0)], [4.0], labels=["x"]),
        wdlib.plotting.plot_unit_norms([1.0, 0.5], [1.0, 0.5], [2.0, 0.1], [0.1, 0.3]),
        wdlib.plotting.plot_relu_fit([0.0, 1.0], [0.0, 1.0], np.linspace(0, 1, 5), np.linspace(0, 1, 5), kinks=[0.5]),
        wdlib.plotting.plot_unit_imbalance([np.arange(3.0)] * 2, [np.ones((3, 2))] * 2, [0.0, 0.1]),
    ]
    for fig in figs:
        assert isinstance(fig, matplotlib.figure.Figure)
        plt.close(fig)
