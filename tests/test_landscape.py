"""Tests of wdlib.landscape: exceptional targets, the reduced objective, certificates of optimality."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import wdlib
from wdlib import flatten_params as _flatten


def _target(shape, y, seed):
    rng = np.random.default_rng(seed)
    q = min(shape)
    U = wdlib.random_orthogonal(shape[0], rng)[:, :q]
    V = wdlib.random_orthogonal(shape[1], rng)[:, :q]
    return (U * np.asarray(y, float)) @ V.T


# ---------------------------------------------------------------- reduced_objective

@pytest.mark.parametrize("shape", [(2, 3), (4, 2), (3, 3)])
@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_reduced_objective_equals_F_at_balanced_factors(shape, L):
    rng = np.random.default_rng(1)
    Y = rng.standard_normal(shape)
    P = rng.standard_normal((shape[0], 1)) @ rng.standard_normal((1, shape[1]))  # rank 1
    lam = 0.37
    W = wdlib.balanced_factors(P, L)
    assert wdlib.reduced_objective(P, Y, lam, L) == pytest.approx(wdlib.loss(W, Y, lam), rel=1e-12)
    # and no factorization does better (random rescalings of the balanced one)
    for _ in range(20):
        c = np.exp(rng.normal(size=L))
        c[-1] = 1 / np.prod(c[:-1])
        Wc = [ci * w for ci, w in zip(c, W)]
        np.testing.assert_allclose(wdlib.end_to_end(Wc), P, atol=1e-12)
        assert wdlib.loss(Wc, Y, lam) >= wdlib.reduced_objective(P, Y, lam, L) - 1e-12


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_reduced_objective_minimum_is_minimum_value(L):
    Y = _target((3, 5), [1.5, 0.6, 0.0], seed=2)  # rank deficient
    lam = 0.2
    best = wdlib.minimum_value(Y, lam, L)
    assert wdlib.reduced_objective(wdlib.minimizer(Y, lam, L), Y, lam, L) == pytest.approx(best, rel=1e-12)
    rng = np.random.default_rng(3)
    for _ in range(200):
        P = wdlib.minimizer(Y, lam, L) + 10.0 ** rng.uniform(-5, 0) * rng.standard_normal(Y.shape)
        assert wdlib.reduced_objective(P, Y, lam, L) >= best - 1e-12


def test_reduced_objective_errors():
    Y = np.ones((2, 3))
    with pytest.raises(ValueError, match="P must have the shape of Y"):
        wdlib.reduced_objective(np.ones((3, 2)), Y, 0.1, 2)
    with pytest.raises(ValueError, match="lam"):
        wdlib.reduced_objective(Y, Y, -1.0, 2)
    with pytest.raises(TypeError, match="depth"):
        wdlib.reduced_objective(Y, Y, 0.1, 2.5)
    with pytest.raises(ValueError, match="P must be finite"):
        wdlib.reduced_objective(np.full((2, 3), np.nan), Y, 0.1, 2)


# ---------------------------------------------------------------- exceptional_target

@pytest.mark.parametrize("shape", [(2, 3), (5, 2), (4, 4)])
@pytest.mark.parametrize("L", [3, 4, 7])
@pytest.mark.parametrize("lam", [0.01, 0.3, 2.0])
def test_exceptional_target_is_exceptional(shape, L, lam):
    Y = wdlib.exceptional_target(shape, lam, L, rng=5)
    assert Y.shape == shape
    assert wdlib.is_exceptional(Y, lam, L)
    yc = wdlib.critical_singular_value(lam, L)
    y = np.linalg.svd(Y, compute_uv=False)
    assert np.sum(np.abs(y - yc) <= 1e-10 * yc) == 1
    # only the intended singular value ties: the others are >= 10% away
    others = np.delete(y, np.argmin(np.abs(y - yc)))
    assert np.all(np.abs(others - yc) >= 0.1 * yc)
    # two different minimizers with the same value
    P1, P0 = wdlib.minimizer(Y, lam, L, tie="largest"), wdlib.minimizer(Y, lam, L, tie="smallest")
    assert np.linalg.norm(P1 - P0) == pytest.approx((L - 2) / (L - 1) * yc, rel=1e-9)
    r1 = wdlib.reduced_objective(P1, Y, lam, L)
    r0 = wdlib.reduced_objective(P0, Y, lam, L)
    assert r1 == pytest.approx(r0, rel=1e-10)
    assert r1 == pytest.approx(wdlib.minimum_value(Y, lam, L), rel=1e-10)


def test_exceptional_target_multiplicity_and_others():
    lam, L = 0.2, 4
    yc = wdlib.critical_singular_value(lam, L)
    Y = wdlib.exceptional_target((3, 4), lam, L, others=[0.3 * yc], multiplicity=2, rng=1)
    np.testing.assert_allclose(np.linalg.svd(Y, compute_uv=False), [yc, yc, 0.3 * yc], rtol=1e-12)
    Y = wdlib.exceptional_target((1, 4), lam, L, rng=1)
    np.testing.assert_allclose(np.linalg.svd(Y, compute_uv=False), [yc], rtol=1e-12)


def test_exceptional_target_errors():
    with pytest.raises(ValueError, match="lam must be > 0"):
        wdlib.exceptional_target((2, 3), 0.0, 3)
    with pytest.raises(ValueError, match="depth must be >= 3"):
        wdlib.exceptional_target((2, 3), 0.1, 2)
    with pytest.raises(ValueError, match="multiplicity must be at most"):
        wdlib.exceptional_target((2, 3), 0.1, 3, multiplicity=3)
    with pytest.raises(ValueError, match="multiplicity"):
        wdlib.exceptional_target((2, 3), 0.1, 3, multiplicity=0)
    with pytest.raises(ValueError, match="others must hold"):
        wdlib.exceptional_target((2, 3), 0.1, 3, others=[1.0, 2.0])
    yc = wdlib.critical_singular_value(0.1, 3)
    with pytest.raises(ValueError, match="others must stay at least 10% away"):
        wdlib.exceptional_target((2, 3), 0.1, 3, others=[1.05 * yc])
    with pytest.raises(ValueError, match="others must be non-negative"):
        wdlib.exceptional_target((2, 3), 0.1, 3, others=[-1.0])
    with pytest.raises(TypeError, match="shape"):
        wdlib.exceptional_target([2, 3], 0.1, 3)
    with pytest.raises(ValueError, match=r"shape\[0\]"):
        wdlib.exceptional_target((0, 3), 0.1, 3)
    with pytest.raises(TypeError, match="rng"):
        wdlib.exceptional_target((2, 3), 0.1, 3, rng="seed")


# ---------------------------------------------------------------- layer norms

@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_minimizer_layer_norm_matches_factors(L):
    Y = _target((4, 3), [2.0, 1.0, 0.1], seed=4)
    lam = 0.25
    W = wdlib.minimizer_factors(Y, lam, L)
    norms = wdlib.squared_layer_norms(W)
    np.testing.assert_allclose(norms, [np.linalg.norm(w) ** 2 for w in W], rtol=1e-14)
    np.testing.assert_allclose(norms, wdlib.minimizer_layer_norm(Y, lam, L), rtol=1e-10)


def test_minimizer_layer_norm_depth2_is_nuclear_norm():
    Y = _target((3, 5), [2.0, 1.0, 0.5], seed=6)
    lam = 0.7
    P = wdlib.minimizer(Y, lam, 2)
    assert wdlib.minimizer_layer_norm(Y, lam, 2) == pytest.approx(np.linalg.norm(P, "nuc"), rel=1e-12)
    assert wdlib.minimizer_layer_norm(Y, lam, 2) == pytest.approx(1.3 + 0.3, rel=1e-12)


def test_minimizer_layer_norm_tie_and_collapse():
    lam, L = 0.3, 3
    Y = wdlib.exceptional_target((2, 3), lam, L, rng=2)
    yc = wdlib.critical_singular_value(lam, L)
    diff = wdlib.minimizer_layer_norm(Y, lam, L, "largest") - wdlib.minimizer_layer_norm(Y, lam, L, "smallest")
    assert diff == pytest.approx(((L - 2) / (L - 1) * yc) ** (2 / L), rel=1e-9)
    assert wdlib.minimizer_layer_norm(Y, 10.0, L) == 0.0  # collapsed


def test_squared_layer_norms_errors():
    with pytest.raises(TypeError, match="weights"):
        wdlib.squared_layer_norms(np.ones((2, 2)))
    with pytest.raises(ValueError, match="shapes do not chain"):
        wdlib.squared_layer_norms([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="tie"):
        wdlib.minimizer_layer_norm(np.ones((2, 2)), 0.1, 3, tie="middle")


# ---------------------------------------------------------------- segment

def test_objective_on_segment_endpoints_and_convex_case():
    rng = np.random.default_rng(7)
    Y = rng.standard_normal((2, 3))
    A = wdlib.init_weights(Y, 3, rng=1, init_scale=0.5)
    B = wdlib.init_weights(Y, 3, rng=2, init_scale=0.5)
    vals = wdlib.objective_on_segment(A, B, Y, 0.1, [0.0, 0.5, 1.0])
    assert vals[0] == pytest.approx(wdlib.loss(A, Y, 0.1))
    assert vals[2] == pytest.approx(wdlib.loss(B, Y, 0.1))
    mid = [(a + b) / 2 for a, b in zip(A, B)]
    assert vals[1] == pytest.approx(wdlib.loss(mid, Y, 0.1))
    # depth 1: F is a convex quadratic, so the segment lies below the chord
    A1, B1 = [rng.standard_normal((2, 3))], [rng.standard_normal((2, 3))]
    ts = np.linspace(0, 1, 11)
    v = wdlib.objective_on_segment(A1, B1, Y, 0.5, ts)
    assert np.all(v <= (1 - ts) * v[0] + ts * v[-1] + 1e-12)


def test_objective_on_segment_errors():
    Y = np.ones((2, 3))
    A = wdlib.init_weights(Y, 2, widths=[2])
    B = wdlib.init_weights(Y, 2, widths=[3])
    with pytest.raises(ValueError, match="same layer shapes"):
        wdlib.objective_on_segment(A, B, Y, 0.1, [0.5])
    with pytest.raises(ValueError, match="ts must be a 1-D array"):
        wdlib.objective_on_segment(A, A, Y, 0.1, [[0.5]])
    with pytest.raises(ValueError, match="ts must be a 1-D array"):
        wdlib.objective_on_segment(A, A, Y, 0.1, [np.nan])
    with pytest.raises(ValueError, match="Y must have the shape"):
        wdlib.objective_on_segment(A, [np.ones((2, 2))], Y, 0.1, [0.5])


# ---------------------------------------------------------------- Hessian and certificates

def test_numerical_hessian_depth1_exact():
    Y = np.arange(6.0).reshape(2, 3)
    W = [np.ones((2, 3))]
    H = wdlib.numerical_hessian(W, Y, 0.4)
    np.testing.assert_allclose(H, 1.4 * np.eye(6), atol=1e-8)


@pytest.mark.parametrize("L", [2, 3])
def test_numerical_hessian_matches_second_differences_of_loss(L):
    rng = np.random.default_rng(8)
    Y = rng.standard_normal((2, 3))
    W = wdlib.init_weights(Y, L, widths=[2] * (L - 1), init_scale=0.6, rng=9)
    lam = 0.3
    H = wdlib.numerical_hessian(W, Y, lam)
    theta = _flatten(W)
    shapes = [w.shape for w in W]

    def f(t):
        out, k = [], 0
        for s in shapes:
            out.append(t[k:k + s[0] * s[1]].reshape(s))
            k += s[0] * s[1]
        return wdlib.loss(out, Y, lam)

    h = 1e-4
    for i, j in [(0, 0), (1, 5), (3, theta.size - 1), (theta.size - 2, theta.size - 1)]:
        ei, ej = np.eye(theta.size)[i] * h, np.eye(theta.size)[j] * h
        fd = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)) / (4 * h * h)
        assert H[i, j] == pytest.approx(fd, abs=1e-5)
    np.testing.assert_allclose(H, H.T)


def test_hessian_at_zero_depth3_is_lam_identity():
    Y = np.array([[1.0, 0.2, 0.0], [0.0, 0.5, 0.1]])
    W = [np.zeros((2, 3)), np.zeros((2, 2)), np.zeros((2, 2))]
    H = wdlib.numerical_hessian(W, Y, 0.05)
    np.testing.assert_allclose(H, 0.05 * np.eye(H.shape[0]), atol=1e-8)


def test_optimality_report_and_certificate():
    lam, L = 0.05, 3
    Y = _target((2, 3), [1.0, 0.6], seed=10)
    W = wdlib.minimizer_factors(Y, lam, L, widths=[2, 2])
    rep = wdlib.optimality_report(W, Y, lam)
    assert set(rep) == {"loss", "minimum", "gap", "grad_norm", "min_hessian_eig", "imbalance"}
    assert abs(rep["gap"]) < 1e-12 and rep["grad_norm"] < 1e-12 and rep["imbalance"] < 1e-12
    assert rep["min_hessian_eig"] > -1e-7
    assert wdlib.is_global_minimizer(W, Y, lam)
    # zero is a critical point and a strict local minimizer for L >= 3, but not global here
    Z = [np.zeros_like(w) for w in W]
    rep0 = wdlib.optimality_report(Z, Y, lam)
    assert rep0["grad_norm"] == 0.0 and rep0["min_hessian_eig"] == pytest.approx(lam, rel=1e-6)
    assert rep0["gap"] > 0.1
    assert not wdlib.is_global_minimizer(Z, Y, lam)
    # depth 1: no imbalance
    assert wdlib.optimality_report([Y / (1 + lam)], Y, lam)["imbalance"] == 0.0


def test_certificate_errors():
    Y = np.ones((2, 3))
    W = wdlib.init_weights(Y, 2)
    with pytest.raises(ValueError, match="h must be"):
        wdlib.numerical_hessian(W, Y, 0.1, h=0.0)
    with pytest.raises(ValueError, match="atol"):
        wdlib.is_global_minimizer(W, Y, 0.1, atol=-1.0)
    with pytest.raises(ValueError, match="Y must have the shape"):
        wdlib.optimality_report(W, np.ones((3, 3)), 0.1)
    with pytest.raises(ValueError, match="lam"):
        wdlib.is_global_minimizer(W, Y, -0.1)


# ---------------------------------------------------------------- plotting smoke tests

def test_plots_return_figures():
    fig = wdlib.plotting.plot_tie_wells(np.linspace(0, 1, 5), [np.zeros(5)], ["a"], np.linspace(0, 1, 3), np.ones(3), 1.0)
    assert len(fig.axes) == 2
    plt.close(fig)
    fig = wdlib.plotting.plot_exceptional_curves([0.1, 0.2], [[0.1, 0.2]], ["L = 2"], points=[(0.1, 0.1)])
    assert len(fig.axes) == 1
    plt.close(fig)
    fig = wdlib.plotting.plot_layer_norms([[np.ones(3), 2 * np.ones(3)], [np.ones(2)]], [["a", "b"], ["c"]], [[1.0, 2.0], [1.0]], titles=["x", "y"])
    assert len(fig.axes) == 2
    plt.close(fig)
