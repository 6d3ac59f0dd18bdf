"""Tests of wdlib.training: init_weights and gradient_descent.

History entries are recomputed independently (wdlib.loss / imbalance / grad on the
returned weights, and a hand-written GD loop); imbalance decay is compared with the
first-order law D(t) = exp(-2 lam t) D(0) (claim 3).
"""

import warnings

import numpy as np
import pytest

import wdlib


def my_gd(Y, W, lam, lr, steps):
    W = [w.copy() for w in W]
    for _ in range(steps):
        G = wdlib.grad(W, Y, lam)
        W = [w - lr * g for w, g in zip(W, G)]
    return W


# ------------------------------------------------------------------ init_weights

def test_init_weights_shapes_defaults_and_seed():
    W = wdlib.init_weights((2, 5), 4)
    assert [w.shape for w in W] == [(2, 5), (2, 2), (2, 2), (2, 2)]  # default widths min(d0, dL) = 2
    W = wdlib.init_weights(np.zeros((3, 2)), 3, widths=[4, 1])
    assert [w.shape for w in W] == [(4, 2), (1, 4), (3, 1)]
    assert [w.shape for w in wdlib.init_weights((3, 2), 1)] == [(3, 2)]
    for a, b in zip(wdlib.init_weights((3, 2), 3, rng=7), wdlib.init_weights((3, 2), 3, rng=np.random.default_rng(7))):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(wdlib.init_weights((3, 2), 2, rng=1)[0], wdlib.init_weights((3, 2), 2, rng=2)[0])
    for w in wdlib.init_weights((3, 2), 3, init_scale=0.0):
        np.testing.assert_array_equal(w, 0.0)
    assert wdlib.init_weights((np.int64(2), np.int64(3)), 2)[0].shape == (2, 3)


def test_init_weights_statistics():
    W = wdlib.init_weights((200, 300), 2, widths=[250], init_scale=0.3, rng=0)
    for w in W:
        assert abs(w.mean()) < 0.01
        np.testing.assert_allclose(w.std(), 0.3, rtol=0.02)


# ------------------------------------------------------------------ gradient descent

@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_history_shapes_and_values(rng, depth):
    Y = rng.standard_normal((3, 2))
    lam = 0.1
    init = wdlib.init_weights(Y, depth, widths=[4] * (depth - 1), init_scale=0.4, rng=rng)
    W, h = wdlib.gradient_descent(Y, lam, depth, steps=37, lr=0.02, init=init)
    assert h["steps"] == 37
    assert h["loss"].shape == (38,)
    assert h["grad_norm"].shape == (38,)
    assert h["imbalance"].shape == (38, depth - 1)
    assert [w.shape for w in W] == [w.shape for w in init]
    # entries recomputed independently from the final weights and the start
    np.testing.assert_allclose(h["loss"][0], wdlib.loss(init, Y, lam), rtol=1e-13)
    np.testing.assert_allclose(h["loss"][-1], wdlib.loss(W, Y, lam), rtol=1e-13)
    np.testing.assert_allclose(h["imbalance"][-1], [np.linalg.norm(D) for D in wdlib.imbalance(W)], rtol=1e-12)
    np.testing.assert_allclose(h["imbalance"][0], [np.linalg.norm(D) for D in wdlib.imbalance(init)], rtol=1e-12)
    np.testing.assert_allclose(h["grad_norm"][-1], max(np.linalg.norm(g) for g in wdlib.grad(W, Y, lam)), rtol=1e-12)
    # the iterates are plain GD: W <- W - lr grad
    for a, b in zip(W, my_gd(Y, init, lam, 0.02, 37)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_loss_decreases_for_small_lr(rng, depth):
    Y = rng.standard_normal((2, 3))
    W, h = wdlib.gradient_descent(Y, 0.2, depth, steps=300, lr=0.01, init_scale=0.5, rng=1)
    assert np.all(np.diff(h["loss"]) <= 1e-14)
    assert h["loss"][-1] < h["loss"][0]
    assert h["loss"][-1] >= wdlib.minimum_value(Y, 0.2, depth) - 1e-12


def test_tol_stops_early(rng):
    Y = rng.standard_normal((2, 2))
    W, h = wdlib.gradient_descent(Y, 0.1, 2, steps=100000, lr=0.1, init_scale=0.5, rng=0, tol=1e-6)
    n = h["steps"]
    assert 0 < n < 100000
    assert h["grad_norm"][-1] <= 1e-6 < h["grad_norm"][-2]
    assert len(h["loss"]) == n + 1
    assert h.success and h.converged and h.status == 0 and h.nit == n and "converged" in h.message
    # tol = 0 never triggers before steps run out (gradient never exactly zero here): reported
    # as not converged, with a ConvergenceWarning because a tolerance was asked for
    with pytest.warns(wdlib.ConvergenceWarning, match="not converged"):
        W, h = wdlib.gradient_descent(Y, 0.1, 2, steps=50, lr=0.1, init_scale=0.5, rng=0, tol=0.0)
    assert h["steps"] == 50 and not h.success and h.status == 1


def test_unconverged_run_is_reported(rng):
    # The case: a default run on a random 5x5 target at L = 3 stops short of a
    # critical point. Without tol: reported (success False), no warning.
    Y = np.random.default_rng(0).standard_normal((5, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        W, h = wdlib.gradient_descent(Y, 0.1, 3)
    assert not h.success and not h.converged and h.nit == 1000 == h.steps
    assert h.grad_norm[-1] > wdlib.training.DEFAULT_GTOL
    assert f"{h.grad_norm[-1]:.3g}" in h.message and "not converged" in h.message
    # the gradient norm reported is the true one (independent recomputation)
    G = wdlib.grad(W, Y, 0.1)
    np.testing.assert_allclose(h.grad_norm[-1], max(np.linalg.norm(g) for g in G), rtol=1e-12)
    # with a tolerance that is not reached: a ConvergenceWarning naming the tolerance
    with pytest.warns(wdlib.ConvergenceWarning, match="1e-08"):
        _, h = wdlib.gradient_descent(Y, 0.1, 3, tol=1e-8)
    assert not h.success


def test_init_path_and_stationary_start(rng):
    Y = rng.standard_normal((3, 4))
    lam, depth = 0.3, 3
    init = wdlib.minimizer_factors(Y, lam, depth)
    saved = [w.copy() for w in init]
    W, h = wdlib.gradient_descent(Y, lam, depth, steps=200, lr=0.05, init=init)
    for a, b in zip(init, saved):  # the caller's arrays are not modified
        np.testing.assert_array_equal(a, b)
    for a, b in zip(W, init):  # a global minimizer is a fixed point
        np.testing.assert_allclose(a, b, atol=1e-11)
    np.testing.assert_allclose(h["loss"], wdlib.minimum_value(Y, lam, depth), rtol=1e-12)
    # with a tolerance above its gradient norm no step is taken
    W, h = wdlib.gradient_descent(Y, lam, depth, steps=200, lr=0.05, init=init, tol=1e-8)
    assert h["steps"] == 0 and h["loss"].shape == (1,) and h["imbalance"].shape == (1, depth - 1)
    # widths / init_scale / rng are ignored when init is given
    W2, _ = wdlib.gradient_descent(Y, lam, depth, steps=5, lr=0.05, init=init, widths=[9, 9], init_scale=5.0, rng=3)
    assert [w.shape for w in W2] == [w.shape for w in init]


def test_steps_zero(rng):
    Y = rng.standard_normal((2, 2))
    W, h = wdlib.gradient_descent(Y, 0.1, 3, steps=0)
    assert h["steps"] == 0 and h["loss"].shape == (1,)
    for a, b in zip(W, wdlib.init_weights(Y, 3)):  # defaults init_scale=0.1, rng=0
        np.testing.assert_array_equal(a, b)


def test_divergence_raises_floating_point_error():
    # warnings as errors, as in this project's pytest configuration: still FloatingPointError
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="lr"):
            wdlib.gradient_descent(np.full((2, 2), 10.0), 0.1, 3, lr=10.0, steps=100)
        with pytest.raises(FloatingPointError):
            wdlib.gradient_descent(np.eye(2), 0.0, 2, lr=1.0, steps=50, init=[np.full((2, 2), 1e200), np.eye(2)])


def test_progress_quiet_under_pytest_and_prints_when_asked(capsys):
    Y = np.eye(2)
    wdlib.gradient_descent(Y, 0.1, 2, steps=40)
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""
    wdlib.gradient_descent(Y, 0.1, 2, steps=40, progress=False)
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""
    wdlib.gradient_descent(Y, 0.1, 2, steps=40, progress=True)
    out = capsys.readouterr()
    assert "step 40/40" in out.err and out.out == ""


@pytest.mark.parametrize("lam", [0.0, 0.5, 2.0])
def test_imbalance_decays_like_exp_minus_2_lam_t(rng, lam):
    # claim 3: D_l(t) = exp(-2 lam t) D_l(0) under gradient flow; GD with lr eta follows
    # it to first order in eta over time t = n eta.
    Y = rng.standard_normal((3, 3))
    init = wdlib.init_weights(Y, 3, init_scale=0.3, rng=rng)
    D0 = wdlib.imbalance(init)
    lr, n = 1e-3, 400
    W, h = wdlib.gradient_descent(Y, lam, 3, steps=n, lr=lr, init=init)
    t = n * lr
    for D_end, D_start in zip(wdlib.imbalance(W), D0):
        np.testing.assert_allclose(D_end, np.exp(-2 * lam * t) * D_start, atol=5 * lr * np.linalg.norm(D_start) + 1e-3 * lr)
    np.testing.assert_allclose(h["imbalance"][-1], np.exp(-2 * lam * t) * h["imbalance"][0], rtol=0.02)
    # halving the step halves the deviation (first order in eta)
    devs = []
    for eta in (2e-3, 1e-3):
        Wg, _ = wdlib.gradient_descent(Y, lam, 3, steps=int(round(t / eta)), lr=eta, init=init)
        devs.append(sum(np.linalg.norm(De - np.exp(-2 * lam * t) * Ds) for De, Ds in zip(wdlib.imbalance(Wg), D0)))
    if devs[0] > 1e-12:
        assert 1.6 < devs[0] / devs[1] < 2.4
