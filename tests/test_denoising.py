"""Tests of wdlib.denoising: noisy targets, error curves, the optimal regularization, GD runs."""

import warnings

import numpy as np
import pytest

import wdlib


@pytest.fixture(scope="module")
def noisy():
    return wdlib.noisy_low_rank_target((12, 9), 2, 0.1, rng=0, signal=[3.0, 2.0])


def test_noisy_low_rank_target_structure():
    Y, X = wdlib.noisy_low_rank_target((7, 11), 3, 0.2, rng=5, signal=[5.0, 2.0, 1.0])
    assert Y.shape == X.shape == (7, 11)
    np.testing.assert_allclose(np.linalg.svd(X, compute_uv=False)[:4], [5.0, 2.0, 1.0, 0.0], atol=1e-12)
    Y2, X2 = wdlib.noisy_low_rank_target((7, 11), 3, 0.2, rng=5, signal=[5.0, 2.0, 1.0])
    np.testing.assert_array_equal(Y, Y2)                        # reproducible
    Y0, X0 = wdlib.noisy_low_rank_target((4, 3), 2, 0.0, rng=1)
    np.testing.assert_array_equal(Y0, X0)
    np.testing.assert_allclose(np.linalg.svd(X0, compute_uv=False), [2.0, 1.0, 0.0], atol=1e-12)
    # noise has the requested scale (500 entries: sample std within 10 %)
    Yb, Xb = wdlib.noisy_low_rank_target((20, 25), 1, 0.3, rng=2)
    assert abs(np.std(Yb - Xb) - 0.3) < 0.03


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_error_curve_matches_minimizer(noisy, depth):
    Y, X = noisy
    lams = [0.0, 0.05, 0.3, 1.0, 2.5]
    errs = wdlib.error_curve(Y, X, lams, depth)
    for e, lam in zip(errs, lams):
        assert e == pytest.approx(np.linalg.norm(wdlib.minimizer(Y, lam, depth) - X), rel=1e-12)
    assert errs[0] == pytest.approx(np.linalg.norm(Y - X), rel=1e-12)
    if depth >= 2:
        big = 1.01 * wdlib.critical_lambda(Y, depth)
        assert wdlib.error_curve(Y, X, [big], depth)[0] == pytest.approx(np.linalg.norm(X), rel=1e-14)


def test_error_curve_tie_choice():
    Y, X = wdlib.noisy_low_rank_target((5, 4), 1, 0.05, rng=3)
    lam_star = wdlib.critical_lambda(Y, 3)
    big = wdlib.error_curve(Y, X, [lam_star], 3, tie="largest")[0]
    small = wdlib.error_curve(Y, X, [lam_star], 3, tie="smallest")[0]
    assert small == pytest.approx(np.linalg.norm(X)) and big != pytest.approx(small)


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_layer_norm_curve_is_the_norm_of_every_balanced_layer(noisy, depth):
    Y, _ = noisy
    lams = [0.01, 0.2, 0.9]
    norms = wdlib.layer_norm_curve(Y, lams, depth)
    for n, lam in zip(norms, lams):
        W = wdlib.minimizer_factors(Y, lam, depth)
        np.testing.assert_allclose([np.sum(w * w) for w in W], n, rtol=1e-9)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_error_slope_at_zero_vs_finite_difference(noisy, depth):
    Y, X = noisy
    h = 1e-7
    e0, e1, e2 = wdlib.error_curve(Y, X, [0.0, h, 2 * h], depth) ** 2
    np.testing.assert_allclose(wdlib.error_slope_at_zero(Y, X, depth), (-3 * e0 + 4 * e1 - e2) / (2 * h), rtol=1e-5)


def test_error_slope_rank_deficient_and_zero():
    X = np.outer([1.0, 2.0, 0.0], [1.0, -1.0])
    Y = X.copy()
    Y[0, 0] += 0.1                                             # rank 2 target in 3x2
    h = 1e-7
    for depth in (2, 3):
        e0, e1, e2 = wdlib.error_curve(Y, X, [0.0, h, 2 * h], depth) ** 2
        np.testing.assert_allclose(wdlib.error_slope_at_zero(Y, X, depth), (-3 * e0 + 4 * e1 - e2) / (2 * h), rtol=1e-5)
    assert wdlib.error_slope_at_zero(np.zeros((2, 2)), np.ones((2, 2)), 3) == 0.0


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_optimal_regularization_vs_dense_grid(noisy, depth):
    Y, X = noisy
    opt = wdlib.optimal_regularization(Y, X, depth)
    top = 1.2 * (wdlib.critical_lambda(Y, depth) if depth > 1 else np.linalg.norm(Y, 2) ** 2)
    grid = np.geomspace(1e-4 * top, top, 4000)
    errs = wdlib.error_curve(Y, X, grid, depth)
    assert opt["error"] <= errs.min() + 1e-12
    tie = opt["minimizer"]                                     # which minimizer, if lam is a tie value
    assert opt["error"] == pytest.approx(wdlib.error_curve(Y, X, [opt["lam"]], depth, tie)[0], rel=1e-14)
    assert opt["error"] < min(opt["error_at_zero"], opt["error_at_infinity"])
    assert opt["layer_norm"] == pytest.approx(wdlib.layer_norm_curve(Y, [opt["lam"]], depth, tie)[0], rel=1e-12)
    assert opt["rank"] == wdlib.minimizer_rank(Y, opt["lam"], depth, tie)
    assert opt["error_at_zero"] == pytest.approx(np.linalg.norm(Y - X))
    assert opt["error_at_infinity"] == pytest.approx(np.linalg.norm(X))


def test_optimal_regularization_depth1_closed_form():
    Y, X = wdlib.noisy_low_rank_target((8, 6), 2, 0.3, rng=4)
    E = Y - X
    E = E - np.sum(E * X) / np.sum(X * X) * X                  # <X, E> = 0
    opt = wdlib.optimal_regularization(X + E, X, 1, lams=np.geomspace(1e-3, 1e2, 300))
    assert opt["lam"] == pytest.approx(np.sum(E * E) / np.sum(X * X), rel=1e-6)


def test_steps_to_tolerance_matches_gradient_descent():
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((4, 3))
    lam = 0.4
    res = wdlib.steps_to_tolerance(Y, lam, 2, 0.1, 0.3, rng=2, rtol=1e-9, max_steps=3000)
    assert res["status"] == "converged" and res["errors"][-1] <= 1e-9
    assert res["errors"].size == res["steps"] + 1 and np.all(res["errors"][:-1] > 1e-9)
    W, _ = wdlib.gradient_descent(Y, lam, 2, steps=res["steps"], lr=0.1, init_scale=0.3, rng=2)
    for a, b in zip(W, res["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    P_star = wdlib.minimizer(Y, lam, 2)
    assert np.linalg.norm(wdlib.end_to_end(res["weights"]) - P_star) <= 1e-9 * np.linalg.norm(P_star)


def test_steps_to_tolerance_stall_and_divergence():
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((4, 3))
    stall = wdlib.steps_to_tolerance(Y, 0.5, 3, 0.1, 1e-3, rng=0, max_steps=300)
    assert stall["status"] == "not converged" and stall["steps"] is None
    assert stall["errors"].size == 301
    assert np.linalg.norm(wdlib.end_to_end(stall["weights"])) < 1e-10
    div = wdlib.steps_to_tolerance(Y, 0.5, 2, 5.0, 1.0, rng=0, max_steps=300)
    assert div["status"] == "diverged" and div["steps"] is None
    with pytest.raises(FloatingPointError):
        wdlib.gradient_descent(Y, 0.5, 2, steps=300, lr=5.0, init_scale=1.0, rng=0)
    # a zero target: absolute error, converges to the zero minimizer
    zero = wdlib.steps_to_tolerance(Y, 10.0, 2, 0.05, 0.1, rng=0, rtol=1e-8, max_steps=2000)
    assert zero["status"] == "converged"


def test_steps_to_tolerance_custom_target():
    Y = np.array([[2.0, 0.0], [0.0, 1.0]])
    res = wdlib.steps_to_tolerance(Y, 0.0, 1, 0.5, 0.1, rng=0, target=Y, rtol=1e-10, max_steps=200)
    assert res["status"] == "converged"


# ---- bad inputs -----------------------------------------------------------------------------

def test_bad_inputs(noisy):
    Y, X = noisy
    with pytest.raises(TypeError, match="shape"):
        wdlib.noisy_low_rank_target([3, 4], 1, 0.1)
    with pytest.raises(ValueError, match="rank"):
        wdlib.noisy_low_rank_target((3, 4), 4, 0.1)
    with pytest.raises(ValueError, match="noise"):
        wdlib.noisy_low_rank_target((3, 4), 1, -0.1)
    with pytest.raises(ValueError, match="signal"):
        wdlib.noisy_low_rank_target((3, 4), 2, 0.1, signal=[1.0])
    with pytest.raises(ValueError, match="signal"):
        wdlib.noisy_low_rank_target((3, 4), 2, 0.1, signal=[1.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        wdlib.noisy_low_rank_target((0, 4), 1, 0.1)
    with pytest.raises(TypeError, match="rng"):
        wdlib.noisy_low_rank_target((3, 4), 1, 0.1, rng="seed")
    with pytest.raises(ValueError, match="X must have the shape"):
        wdlib.error_curve(Y, X[:, :3], [0.1], 2)
    with pytest.raises(ValueError, match="lams"):
        wdlib.error_curve(Y, X, [-0.1], 2)
    with pytest.raises(ValueError, match="tie"):
        wdlib.error_curve(Y, X, [0.1], 2, tie="both")
    with pytest.raises(ValueError, match="lams"):
        wdlib.layer_norm_curve(Y, [[0.1]], 2)
    with pytest.raises(ValueError, match="depth"):
        wdlib.error_slope_at_zero(Y, X, 0)
    with pytest.raises(ValueError, match="Y must be nonzero"):
        wdlib.optimal_regularization(np.zeros((2, 2)), np.ones((2, 2)), 2)
    with pytest.raises(ValueError, match="lr"):
        wdlib.steps_to_tolerance(Y, 0.1, 2, 0.0, 0.1)
    with pytest.raises(ValueError, match="rtol"):
        wdlib.steps_to_tolerance(Y, 0.1, 2, 0.1, 0.1, rtol=0.0)
    with pytest.raises(ValueError, match="target"):
        wdlib.steps_to_tolerance(Y, 0.1, 2, 0.1, 0.1, target=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="init_scale"):
        wdlib.steps_to_tolerance(Y, 0.1, 2, 0.1, -1.0)


# ---- figures (wdlib.plotting.training) ------------------------------------------------------

def test_training_figures_draw_the_data(noisy):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    Y, X = noisy
    _, hist = wdlib.gradient_descent(Y, 0.3, 2, steps=50, lr=0.05, rng=0)
    fig = wdlib.plotting.plot_loss_gaps({"run": hist}, wdlib.minimum_value(Y, 0.3, 2))
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(),
                               np.maximum(hist["loss"] - wdlib.minimum_value(Y, 0.3, 2), 1e-16))
    plt.close(fig)

    fig = wdlib.plotting.plot_relative_errors({"a": [1.0, 0.1, 0.01]}, rtol=1e-8, xmax=10)
    assert fig.axes[0].get_xlim() == (0.0, 10.0) and len(fig.axes[0].lines) == 2
    plt.close(fig)

    k = np.arange(4)
    fig = wdlib.plotting.plot_gd_imbalance(k, [0.5**k], [0.5**k], ["gd"], xlabel="t")
    assert fig.axes[0].get_xlabel() == "t"
    plt.close(fig)

    lams = np.geomspace(0.01, 5, 20)
    errs = wdlib.error_curve(Y, X, lams, 2)
    fig = wdlib.plotting.plot_error_curves({2: (lams, errs)}, {2: (lams[3], errs[3])}, 1.0, 2.0)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), errs)
    plt.close(fig)


def test_layer_norms_ignore_rounding_noise_at_lambda_zero():
    # Erratum: at lam = 0 a rank-deficient Y has SVD noise ~1e-16, and (1e-16)^(2/L) ~ 6e-4
    # for L = 10 was counted. Exact: y_1^(2/L) + y_2^(2/L) from the chosen singular values.
    rng = np.random.default_rng(17)
    U = np.linalg.qr(rng.standard_normal((5, 5)))[0][:, :2]
    V = np.linalg.qr(rng.standard_normal((4, 4)))[0][:, :2]
    Y = (U * [3.0, 1.5]) @ V.T
    for L in (3, 10):
        exact = 3.0 ** (2 / L) + 1.5 ** (2 / L)
        np.testing.assert_allclose(wdlib.minimizer_layer_norm(Y, 0.0, L), exact, rtol=1e-12)
        np.testing.assert_allclose(wdlib.layer_norm_curve(Y, [0.0, 1e-300], L), exact, rtol=1e-12)
        np.testing.assert_allclose(wdlib.representation_cost(Y, L), L * exact, rtol=1e-12)
    opt = wdlib.optimal_regularization(Y, Y, 10, lams=[0.0, 0.5])
    assert opt["lam"] == 0.0 and opt["rank"] == 2
    np.testing.assert_allclose(opt["layer_norm"], 3.0 ** 0.2 + 1.5 ** 0.2, rtol=1e-12)


def test_error_curve_can_have_two_local_minima():
    # L = 2, Y = diag(10, 2), X = diag(5, 4): soft thresholding gives, independently,
    # e^2 = (5 - lam)^2 + (lam + 2)^2 on [0, 2] and (5 - lam)^2 + 16 on [2, 10].
    Y, X = np.diag([10.0, 2.0]), np.diag([5.0, 4.0])
    lams = np.linspace(0.0, 12.0, 1201)
    e = wdlib.error_curve(Y, X, lams, 2)
    ref = np.where(lams <= 2, np.hypot(5 - lams, lams + 2), np.hypot(5 - np.minimum(lams, 10), 4.0))
    ref[lams >= 10] = np.hypot(5.0, 4.0)
    np.testing.assert_allclose(e, ref, rtol=1e-12)
    interior = np.arange(1, lams.size - 1)
    local_min = interior[(e[interior] < e[interior - 1]) & (e[interior] < e[interior + 1])]
    local_max = interior[(e[interior] > e[interior - 1]) & (e[interior] > e[interior + 1])]
    np.testing.assert_allclose(lams[local_min], [1.5, 5.0], atol=1e-12)
    np.testing.assert_allclose(e[local_min], [np.sqrt(24.5), 4.0], rtol=1e-12)
    np.testing.assert_allclose(lams[local_max], [2.0], atol=1e-12)
    opt = wdlib.optimal_regularization(Y, X, 2)
    assert opt["tie"] is False
    np.testing.assert_allclose([opt["lam"], opt["error"]], [5.0, 4.0], rtol=1e-6)


def test_optimal_regularization_at_a_tie_reports_both_one_sided_limits():
    # Depth 3: the optimum of e sits at the collapse value of the largest noise value y_4.
    Y, X = wdlib.noisy_low_rank_target((20, 30), 3, 0.1, rng=0, signal=[4.0, 3.0, 2.0])
    L = 3
    opt = wdlib.optimal_regularization(Y, X, L)
    lam_c = wdlib.collapse_lambdas(Y, L)[3]
    assert opt["tie"] and opt["lam"] == lam_c and wdlib.is_exceptional(Y, lam_c, L)
    assert opt["minimizer"] == "smallest" and opt["rank"] == 3
    # errors of the two global minimizers, from the matrices themselves
    e_keep = np.linalg.norm(wdlib.minimizer(Y, lam_c, L, tie="largest") - X)
    e_drop = np.linalg.norm(wdlib.minimizer(Y, lam_c, L, tie="smallest") - X)
    assert e_drop < e_keep
    np.testing.assert_allclose(opt["error"], e_drop, rtol=1e-12)
    np.testing.assert_allclose([e_keep, e_drop], [1.2621, 1.1655], atol=1e-4)
    # both are global minimizers: equal F at balanced factors
    F = [wdlib.loss(wdlib.minimizer_factors(Y, lam_c, L, tie=t), Y, lam_c) for t in ("largest", "smallest")]
    np.testing.assert_allclose(F[0], F[1], rtol=1e-9)
    # the norms are the one-sided limits of lam -> sum_i s_i(lam)^(2/L)
    y = np.linalg.svd(Y, compute_uv=False)
    for side, key in ((1 - 1e-9, "layer_norm_below"), (1 + 1e-9, "layer_norm_above")):
        s = np.array([wdlib.scalar_minimizer(v, side * lam_c, L) for v in y[:6]])
        np.testing.assert_allclose(opt[key], np.sum(s ** (2 / L)), rtol=1e-6)
    np.testing.assert_allclose([opt["layer_norm_below"], opt["layer_norm_above"]], [6.5964, 5.9698], atol=1e-4)
    assert opt["layer_norm"] == opt["layer_norm_above"]
    # the error is attained at the tie, not approached: just above it e is larger, below it jumps up
    above = wdlib.error_curve(Y, X, lam_c * (1 + np.geomspace(1e-9, 1e-2, 30)), L)
    assert np.all(above > opt["error"]) and above[0] - opt["error"] < 1e-8
    assert wdlib.error_curve(Y, X, [lam_c * (1 - 1e-9)], L)[0] > opt["error"] + 0.09


def test_plot_optimal_norm():
    import matplotlib.pyplot as plt

    lams = np.geomspace(0.01, 1.0, 20)
    fig = wdlib.plotting.plot_optimal_norm(lams, 2 - lams, 3 * lams, 0.1, 1.9, 0.3,
                                           noise_level=2.0, signal_level=1.0, depth=3)
    top, bottom = fig.axes[:2]
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), 3 * lams)
    assert top.get_xscale() == "log" and "L = 3" in top.get_title()
    assert top.get_legend() is not None and bottom.get_legend() is not None
    plt.close(fig)
    with pytest.raises(ValueError, match="same length"):
        wdlib.plotting.plot_optimal_norm(lams, lams[:3], lams, 0.1, 1.0, 1.0)


# ---- edge cases: grid, refinement, rounding noise, default arguments ---------------------------

def test_noisy_low_rank_target_full_rank_and_default_seed():
    # rank = min(shape) is allowed (a full-rank signal); the default rng is the seed 0
    Y, X = wdlib.noisy_low_rank_target((3, 5), 3, 0.0, signal=[3.0, 2.0, 0.5])
    np.testing.assert_allclose(np.linalg.svd(X, compute_uv=False), [3.0, 2.0, 0.5], rtol=1e-12)
    Y1, X1 = wdlib.noisy_low_rank_target((3, 5), 2, 0.1)
    Y0, X0 = wdlib.noisy_low_rank_target((3, 5), 2, 0.1, rng=0)
    np.testing.assert_array_equal(Y1, Y0)
    np.testing.assert_array_equal(X1, X0)


def test_error_slope_at_zero_ignores_rounding_noise_singular_values():
    # Y = 4 u v^T has SVD noise ~1e-16 in its other singular values; (1e-16)^((2-L)/L) would
    # blow up for L >= 3. Exact: -2 * 4^((2-L)/L) * u^T (Y - X) v.
    u, v = np.array([1.0, 2.0, 2.0]) / 3, np.array([2.0, -1.0, 2.0]) / 3
    Y, X = 4.0 * np.outer(u, v), np.ones((3, 3))
    for L in (2, 3, 4):
        exact = -2.0 * 4.0 ** ((2.0 - L) / L) * (u @ (Y - X) @ v)
        with warnings.catch_warnings():
            warnings.simplefilter("error")                     # and silently
            np.testing.assert_allclose(wdlib.error_slope_at_zero(Y, X, L), exact, rtol=1e-12)
    # an empty target has nothing to shrink
    assert wdlib.error_slope_at_zero(np.zeros((0, 3)), np.zeros((0, 3)), 3) == 0.0


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_optimal_regularization_default_grid_is_the_documented_one(depth):
    # 400 log-spaced values from 1e-4 * top to top, top = 1.2 lam* (1.2 ||Y||_2^2 for L = 1)
    Y, X = wdlib.noisy_low_rank_target((4, 3), 1, 0.3, rng=1, signal=[2.0])
    top = 1.2 * (wdlib.critical_lambda(Y, depth) if depth > 1 else np.linalg.norm(Y, 2) ** 2)
    opt = wdlib.optimal_regularization(Y, X, depth)
    ref = wdlib.optimal_regularization(Y, X, depth, lams=np.geomspace(1e-4 * top, top, 400))
    assert opt == ref


def test_optimal_regularization_one_by_one_target():
    # 1x1: L = 2 shrinks y = 3 to 3 - lam, so x = 1 is hit exactly at lam = 2
    opt = wdlib.optimal_regularization(np.array([[3.0]]), np.array([[1.0]]), 2)
    assert opt["lam"] == pytest.approx(2.0, rel=1e-7) and opt["error"] < 1e-7
    # L = 1: y / (1 + lam) = x needs lam = 299, beyond the grid, which ends at 1.2 y^2 = 10.8
    opt = wdlib.optimal_regularization(np.array([[3.0]]), np.array([[0.01]]), 1)
    assert opt["lam"] == pytest.approx(10.8, rel=1e-12)
    assert opt["error"] == pytest.approx(3.0 / 11.8 - 0.01, rel=1e-12)
    # the refinement's tolerance is relative: a target of size 1e-4 is located as precisely
    opt = wdlib.optimal_regularization(np.array([[3e-4]]), np.array([[1e-4]]), 2)
    assert opt["lam"] == pytest.approx(2e-4, rel=1e-7)


def test_optimal_regularization_refines_between_the_grid_neighbours():
    # L = 2, Y = diag(10, 2), X = diag(5, 4): e has its global minimum 4 at lam = 5 and a
    # local one sqrt(24.5) at lam = 1.5 (test_error_curve_can_have_two_local_minima).
    Y, X = np.diag([10.0, 2.0]), np.diag([5.0, 4.0])
    # the best grid point is the first (4.0) or the last (5.5): the refinement still finds 5
    for lams in ([4.0, 7.0], [4.0, 5.5]):
        opt = wdlib.optimal_regularization(Y, X, 2, lams=lams)
        assert opt["lam"] == pytest.approx(5.0, rel=1e-6) and opt["error"] == pytest.approx(4.0, rel=1e-12)
    # it searches only between the neighbours of the best grid point (1.4): [0, 2] holds the
    # local minimum 1.5; the global one at 5 lies beyond the next grid point
    opt = wdlib.optimal_regularization(Y, X, 2, lams=[0.0, 1.4, 2.0, 9.0])
    assert opt["lam"] == pytest.approx(1.5, rel=1e-6) and opt["error"] == pytest.approx(np.sqrt(24.5), rel=1e-12)
    # mirrored: Y = diag(9, 6, 1), X = diag(1, 6, 1): e^2 = (8 - lam)^2 + lam^2 + 1 on [1, 6]
    # (global minimum 33 at lam = 4) and (8 - lam)^2 + 37 on [6, 9] (local minimum 37 at 8);
    # the best grid point 8.5 has the neighbours 5.5 and 9.5, so the refinement gives 8
    opt = wdlib.optimal_regularization(np.diag([9.0, 6.0, 1.0]), np.diag([1.0, 6.0, 1.0]), 2,
                                       lams=[2.0, 5.5, 8.5, 9.5])
    assert opt["lam"] == pytest.approx(8.0, rel=1e-6) and opt["error"] == pytest.approx(np.sqrt(37.0), rel=1e-12)


def test_steps_to_tolerance_error_definition_and_edges():
    rng = np.random.default_rng(3)
    Y = rng.standard_normal((3, 4))
    T = 2.0 * rng.standard_normal((3, 4))
    # max_steps = 0: only the start is measured, relative to ||T||
    res = wdlib.steps_to_tolerance(Y, 0.1, 3, 0.05, 0.5, rng=4, max_steps=0, target=T, widths=[5, 2])
    W0 = wdlib.init_weights(Y, 3, [5, 2], 0.5, 4)
    assert [w.shape for w in res["weights"]] == [(5, 4), (2, 5), (3, 2)]
    e0 = np.linalg.norm(wdlib.end_to_end(W0) - T) / np.linalg.norm(T)
    assert res["status"] == "not converged" and res["steps"] is None
    np.testing.assert_allclose(res["errors"], [e0], rtol=1e-14)
    # the tolerance is inclusive: an error equal to rtol has converged
    res = wdlib.steps_to_tolerance(Y, 0.1, 3, 0.05, 0.5, rng=4, max_steps=5, target=T, widths=[5, 2],
                                   rtol=res["errors"][0])
    assert res["status"] == "converged" and res["steps"] == 0
    # a zero target: the absolute error ||P_k||_F
    res = wdlib.steps_to_tolerance(Y, 0.1, 2, 0.05, 0.5, max_steps=0, target=np.zeros((3, 4)))
    W0 = wdlib.init_weights(Y, 2, None, 0.5, 0)                # default rng: the seed 0
    np.testing.assert_allclose(res["errors"], [np.linalg.norm(wdlib.end_to_end(W0))], rtol=1e-14)


@pytest.mark.parametrize("init_scale", [1e20, 1e40])
def test_steps_to_tolerance_overflow_is_divergence_without_warnings(init_scale):
    # a huge start overflows in one step (to inf for 1e20, to inf - inf = nan for 1e40):
    # reported as "diverged", silently
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((4, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = wdlib.steps_to_tolerance(Y, 0.5, 3, 0.1, init_scale, rng=0, max_steps=50)
    assert res["status"] == "diverged" and res["steps"] is None and res["errors"].size == 2
    assert not np.isfinite(res["errors"][-1])


def test_steps_to_tolerance_stops_at_the_first_huge_error():
    # L = 1, lam = 0, lr = 3: W - Y is multiplied by -2 at every step, so the error grows
    # geometrically; the run stops at the first error above 1e150, before anything overflows
    Y = np.array([[1.0, 2.0], [0.5, -1.0]])
    div = wdlib.steps_to_tolerance(Y, 0.0, 1, 3.0, 1.0, rng=0, max_steps=1000)
    assert div["status"] == "diverged"
    assert np.isfinite(div["errors"][-1]) and div["errors"][-1] > 1e150 and np.all(div["errors"][:-1] <= 1e150)
    assert all(np.all(np.isfinite(w)) for w in div["weights"])


def test_optimal_regularization_at_a_kink_of_depth_two_is_no_tie():
    # L = 2, Y = diag(10, 2), X = diag(8, -1): e^2 = (2 - lam)^2 + (3 - lam)^2 falls until y_2 = 2 is
    # dropped, then (2 - lam)^2 + 1 rises: the minimum 1 sits at the collapse value 2, but
    # for L <= 2 the minimizer is unique there (no tie)
    opt = wdlib.optimal_regularization(np.diag([10.0, 2.0]), np.diag([8.0, -1.0]), 2)
    assert opt["lam"] == pytest.approx(2.0, rel=1e-7) and opt["error"] == pytest.approx(1.0, rel=1e-12)
    assert opt["tie"] is False and opt["minimizer"] == "largest" and opt["rank"] == 1
    assert opt["layer_norm_below"] == opt["layer_norm_above"] == opt["layer_norm"] == pytest.approx(8.0, rel=1e-7)


def test_optimal_regularization_flat_minimum_above_the_threshold():
    # X = -Y: the zero minimizer is best, so e = ||X|| on all of [lam*, inf) (L = 3)
    Y = np.diag([1e-3, 5e-4])
    lam_star = wdlib.critical_lambda(Y, 3)
    # a grid point 1 % above lam* stays (the refinement finds no smaller error; not a tie)
    opt = wdlib.optimal_regularization(Y, -Y, 3, lams=[lam_star / 2, 1.01 * lam_star, 2 * lam_star])
    assert opt["lam"] == 1.01 * lam_star and opt["tie"] is False and opt["minimizer"] == "largest"
    assert opt["error"] == opt["error_at_infinity"] and opt["rank"] == 0
    # within a relative 1e-6 of lam* it snaps to the tie, attained by the zero minimizer
    opt = wdlib.optimal_regularization(Y, -Y, 3, lams=[lam_star / 2, (1 + 1e-7) * lam_star, 2 * lam_star])
    assert opt["lam"] == lam_star and opt["tie"] is True and opt["minimizer"] == "smallest"
    assert opt["error"] == opt["error_at_infinity"] and opt["rank"] == 0
    np.testing.assert_allclose(opt["layer_norm_below"], (0.5 * 1e-3) ** (2 / 3), rtol=1e-9)


def test_optimal_regularization_tie_with_equal_errors_reports_the_largest_minimizer():
    # 1x1, L = 3, y = 1 at its collapse value: the minimizers are 0 and s = 1/2; with
    # x = s/2 both have the error s/2, and the nonzero one is reported
    Y = np.array([[1.0]])
    lam_c = wdlib.collapse_lambdas(Y, 3)[0]
    s = wdlib.scalar_minimizers(1.0, lam_c, 3)[1]
    assert s == pytest.approx(0.5, rel=1e-12)
    opt = wdlib.optimal_regularization(Y, np.array([[s / 2]]), 3, lams=[lam_c])
    assert opt["tie"] is True and opt["lam"] == lam_c and opt["minimizer"] == "largest" and opt["rank"] == 1
    assert opt["error"] == pytest.approx(0.25, rel=1e-12)
    np.testing.assert_allclose([opt["layer_norm"], opt["layer_norm_below"], opt["layer_norm_above"]],
                               [0.5 ** (2 / 3), 0.5 ** (2 / 3), 0.0], rtol=1e-12)


def test_optimal_regularization_near_a_collapse_value_with_a_worse_tie_does_not_snap():
    # Y = diag(3, 1), X = diag(1, 1/2), L = 3, a single lam just above the collapse value of
    # y_2 = 1 (still a tie for scalar_minimizers): e decreases in lam there, and dropping
    # s_2 = 1/2 costs 1/2, so both minimizers at the collapse value do worse: no snap
    Y, X = np.diag([3.0, 1.0]), np.diag([1.0, 0.5])
    lam_c = wdlib.collapse_lambdas(Y, 3)[1]
    lam = lam_c * (1 + 1e-10)
    opt = wdlib.optimal_regularization(Y, X, 3, lams=[lam])
    assert opt["lam"] == lam and opt["tie"] is False and opt["minimizer"] == "largest" and opt["rank"] == 2
    assert opt["error"] == wdlib.error_curve(Y, X, [lam], 3)[0]
    assert opt["layer_norm_below"] == opt["layer_norm_above"] == opt["layer_norm"]
    s = wdlib.scalar_minimizers([3.0, 1.0], lam, 3)
    assert s[1, 0] == 0.0 < s[1, 1]                             # the tie that is not reported
