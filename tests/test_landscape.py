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


def test_exceptional_target_default_others_follow_the_documented_sequence():
    # documented default: 2 y_c, y_c/2, 3 y_c, y_c/4, 4 y_c, ... truncated to the number needed
    lam, L = 0.3, 4
    yc = wdlib.critical_singular_value(lam, L)
    Y = wdlib.exceptional_target((6, 7), lam, L, rng=3)
    np.testing.assert_allclose(np.linalg.svd(Y, compute_uv=False), yc * np.array([4.0, 3.0, 2.0, 1.0, 0.5, 0.25]),
                               rtol=1e-12)


def _exactly_ten_percent_away(yc, side):
    """A float x with |x - y_c| == 0.1 * y_c in floating point, next to (1 + side/10) y_c."""
    x = (1.0 + 0.1 * side) * yc
    for _ in range(8):
        x = np.nextafter(x, 0.0)
    for _ in range(16):
        if abs(x - yc) == 0.1 * yc:
            return x
        x = np.nextafter(x, np.inf)
    raise AssertionError("no float exactly 10% away from y_c")


@pytest.mark.parametrize("lam", [0.3, 2.0])  # y_c = 0.81 and 3.36: the 10% is relative to y_c
def test_exceptional_target_others_may_be_exactly_ten_percent_away(lam):
    L = 3
    yc = wdlib.critical_singular_value(lam, L)
    for side in (-1, 1):
        x = _exactly_ten_percent_away(yc, side)
        Y = wdlib.exceptional_target((2, 3), lam, L, others=[x], rng=1)
        np.testing.assert_allclose(np.sort(np.linalg.svd(Y, compute_uv=False)), np.sort([yc, x]), rtol=1e-12)
        with pytest.raises(ValueError, match="10% away"):
            wdlib.exceptional_target((2, 3), lam, L, others=[(1.0 + 0.099 * side) * yc], rng=1)


def test_exceptional_target_is_built_from_the_seeded_orthogonal_factors():
    # documented construction: U, then V, drawn from rng by random_orthogonal, paired with the
    # singular values in decreasing order; the default seed is 0
    lam, L = 0.2, 3
    for seed, kwargs in [(0, {}), (0, {"rng": 0}), (4, {"rng": 4}), (9, {"rng": np.random.default_rng(9)})]:
        Y = wdlib.exceptional_target((3, 4), lam, L, **kwargs)
        g = np.random.default_rng(seed)
        U0, V0 = wdlib.random_orthogonal(3, g), wdlib.random_orthogonal(4, g)
        U, y, Vt = np.linalg.svd(Y)
        assert np.all(np.diff(y) < 0)
        for i in range(3):  # each singular pair is the i-th column pair of (U0, V0), up to a common sign
            sign = np.sign(U[:, i] @ U0[:, i])
            np.testing.assert_allclose(sign * U[:, i], U0[:, i], atol=1e-12)
            np.testing.assert_allclose(sign * Vt[i], V0[:, i], atol=1e-12)


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


def test_objective_on_segment_reports_a_shape_mismatch_of_weights_a():
    Y = np.ones((2, 3))
    with pytest.raises(ValueError, match="Y must have the shape"):
        wdlib.objective_on_segment([np.ones((2, 2))], [np.ones((2, 3))], Y, 0.1, [0.5])


def test_objective_on_segment_computes_in_double_precision_for_float32_positions():
    rng = np.random.default_rng(7)
    Y = rng.standard_normal((2, 3))
    A = wdlib.init_weights(Y, 3, rng=1, init_scale=0.5)
    B = wdlib.init_weights(Y, 3, rng=2, init_scale=0.5)
    ts = np.array([0.1, 0.3, 0.7, 1.3, -0.2], dtype=np.float32)  # also outside [0, 1]
    v32 = wdlib.objective_on_segment(A, B, Y, 0.1, ts)
    v64 = wdlib.objective_on_segment(A, B, Y, 0.1, ts.astype(np.float64))
    assert v32.dtype == np.float64
    assert np.array_equal(v32, v64)


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


@pytest.mark.parametrize("dims", [[2, 4, 3], [2, 3, 1, 4, 3]])
def test_numerical_hessian_has_no_truncation_error(dims):
    """The docstring's claim: each gradient entry is quadratic in any single weight, so
    central differences are exact for every h, and a large h only shrinks the rounding.
    Checked against the closed-form blocks of wdlib.hessian (independent algebra)."""
    rng = np.random.default_rng(31)
    W = [rng.standard_normal((dims[k + 1], dims[k])) for k in range(len(dims) - 1)]
    Y = rng.standard_normal((dims[-1], dims[0]))
    exact = wdlib.hessian(W, Y, 0.3)
    for h in (0.5, 3.0):
        np.testing.assert_allclose(wdlib.numerical_hessian(W, Y, 0.3, h=h), exact, rtol=0, atol=1e-10)


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


def test_optimality_report_min_hessian_eig_is_the_smallest_eigenvalue():
    # at a generic (non-critical) point the spectrum is spread out; compare with the analytic Hessian
    rng = np.random.default_rng(21)
    Y = rng.standard_normal((2, 3))
    W = wdlib.init_weights(Y, 3, widths=[2, 2], rng=4, init_scale=0.8)
    ev = np.linalg.eigvalsh(wdlib.hessian(W, Y, 0.2))
    assert ev[1] - ev[0] > 0.1
    assert wdlib.optimality_report(W, Y, 0.2)["min_hessian_eig"] == pytest.approx(ev[0], abs=1e-7)


def test_is_global_minimizer_accepts_an_exact_minimizer_with_zero_tolerance():
    # Y = 0: the zero point is the minimizer and both F and min F are exactly 0
    Y = np.zeros((2, 3))
    for W in ([np.zeros((2, 3))], [np.zeros((2, 3)), np.zeros((2, 2))]):
        assert wdlib.is_global_minimizer(W, Y, 0.1, atol=0.0)
        assert not wdlib.is_global_minimizer([w + 1e-3 for w in W], Y, 0.1, atol=0.0)


@pytest.mark.parametrize("scale", [0.5, 10.0])  # min F = 0.125 (absolute tolerance) and 50 (relative)
def test_is_global_minimizer_tolerance_is_atol_times_max_one_min_f(scale):
    # depth 1: F(P* + E) = min F + (1 + lam)/2 ||E||^2 exactly, with P* = Y / (1 + lam)
    lam, atol = 1.0, 1e-3
    Y = scale * np.eye(2)
    best = 0.5 * lam / (1 + lam) * np.sum(Y * Y)
    assert wdlib.minimum_value(Y, lam, 1) == pytest.approx(best, rel=1e-14)
    E = np.array([[0.6, 0.0], [0.0, 0.8]])  # unit Frobenius norm
    allowed = atol * max(1.0, best)
    for factor, expected in [(0.5, True), (1.5, False)]:
        eps = np.sqrt(2 * factor * allowed / (1 + lam))
        assert wdlib.is_global_minimizer([Y / (1 + lam) + eps * E], Y, lam, atol=atol) is expected


@pytest.mark.parametrize("fn", [wdlib.is_global_minimizer, wdlib.optimality_report])
def test_certificates_check_the_shape_of_weights_before_lam(fn):
    W = wdlib.init_weights(np.ones((2, 3)), 2)
    with pytest.raises(ValueError, match="Y must have the shape"):
        fn(W, np.ones((3, 3)), -0.1)


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


def test_plot_layer_norms_one_legend_entry_per_label_and_line_labels():
    norms = [np.ones(3), 1.1 * np.ones(3), 2 * np.ones(3)]
    fig = wdlib.plotting.plot_layer_norms([norms], [["GD", "GD", "L-BFGS"]], [[1.0, 2.0]],
                                          predicted_labels=[["one", "two"]], width=5.0)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GD", "L-BFGS"]
    assert {t.get_text() for t in ax.texts} == {"one", "two"}
    # same label, same marker; markers of one layer are spread sideways, not stacked
    lines = [l for l in ax.get_lines() if l.get_marker() not in ("None", None, "")]
    assert lines[0].get_marker() == lines[1].get_marker() != lines[2].get_marker()
    assert len({float(l.get_xdata()[0]) for l in lines}) == 3
    # the legend lies below the axes (outside the data)
    fig.canvas.draw()
    leg = ax.get_legend().get_window_extent()
    assert leg.y1 <= ax.get_window_extent().y0 + 1
    plt.close(fig)



# ---------------------------------------------------------------- tie_minimizer

def _lbfgs_minimizer(Y, lam, L, widths, seed, scale=0.8):
    """A local minimizer of F found by L-BFGS from a random start (no closed form involved)."""
    from scipy.optimize import minimize

    from _reference import direct_loss

    W0 = wdlib.init_weights(Y, L, widths=widths, init_scale=scale, rng=seed)
    shapes = [w.shape for w in W0]

    def unflat(t):
        out, k = [], 0
        for sh in shapes:
            out.append(t[k:k + sh[0] * sh[1]].reshape(sh))
            k += sh[0] * sh[1]
        return out

    def fg(t):
        W = unflat(t)
        return direct_loss(W, Y, lam), _flatten(wdlib.grad(W, Y, lam))

    res = minimize(fg, _flatten(W0), jac=True, method="L-BFGS-B",
                   options={"gtol": 1e-12, "ftol": 0.0, "maxiter": 5000})
    return unflat(res.x)


def _scalar_minimum_brute(y, lam, L):
    """min_s g(s; y) on a fine grid refined once around the best point (no closed form)."""
    grid = np.linspace(0.0, 1.5 * y + 1.0, 200001)
    vals = 0.5 * (grid - y) ** 2 + 0.5 * lam * L * grid ** (2.0 / L)
    i = int(np.argmin(vals))
    fine = np.linspace(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)], 20001)
    return float(np.min(0.5 * (fine - y) ** 2 + 0.5 * lam * L * fine ** (2.0 / L)))


@pytest.mark.parametrize("L", [3, 4])
def test_tie_minimizer_every_projector_is_a_minimizer(L):
    lam = 0.2
    Y = wdlib.exceptional_target((3, 4), lam, L, multiplicity=2, rng=11)
    brute = sum(_scalar_minimum_brute(y, lam, L) for y in np.linalg.svd(Y, compute_uv=False))
    rng = np.random.default_rng(12)
    Ps = []
    for rank in (0, 1, 1, 1, 2):
        O = wdlib.random_orthogonal(2, rng)
        Pi = O[:, :rank] @ O[:, :rank].T
        P = wdlib.tie_minimizer(Y, lam, L, Pi)
        assert wdlib.reduced_objective(P, Y, lam, L) == pytest.approx(brute, rel=1e-9)
        assert np.linalg.matrix_rank(P, tol=1e-8) == 1 + rank
        Ps.append(P)
    np.testing.assert_allclose(Ps[0], wdlib.minimizer(Y, lam, L, tie="smallest"), atol=1e-12)
    np.testing.assert_allclose(Ps[-1], wdlib.minimizer(Y, lam, L, tie="largest"), atol=1e-12)
    assert min(np.linalg.norm(Ps[i] - Ps[j]) for i in (1, 2, 3) for j in (1, 2, 3) if i < j) > 1e-3
    # a symmetric block that is not a projector is strictly worse
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    s_c = (L - 2) / (L - 1) * wdlib.critical_singular_value(lam, L)
    B = np.flatnonzero(np.abs(y - wdlib.critical_singular_value(lam, L)) <= 1e-10 * y)
    assert B.size == 2
    P_half = Ps[0] + 0.5 * s_c * U[:, B] @ Vt[B]
    assert wdlib.reduced_objective(P_half, Y, lam, L) > brute + 1e-4


@pytest.mark.parametrize("L", [3, 4])
def test_minimizers_found_by_lbfgs_have_the_tie_form(L):
    lam = 0.2
    Y = wdlib.exceptional_target((3, 4), lam, L, multiplicity=2, rng=11)
    best = sum(_scalar_minimum_brute(y, lam, L) for y in np.linalg.svd(Y, compute_uv=False))
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    yc = wdlib.critical_singular_value(lam, L)
    s_c = (L - 2) / (L - 1) * yc
    P0 = wdlib.minimizer(Y, lam, L, tie="smallest")
    B = np.flatnonzero(np.abs(y - yc) <= 1e-10 * yc)
    assert B.size == 2
    ranks = set()
    for seed in range(6):
        W = _lbfgs_minimizer(Y, lam, L, [3] * (L - 1), seed)
        P = wdlib.end_to_end(W)
        if wdlib.reduced_objective(P, Y, lam, L) > best + 1e-9:
            continue  # a local, not global, minimizer
        Pi = U[:, B].T @ (P - P0) @ Vt[B].T / s_c
        np.testing.assert_allclose(Pi, Pi.T, atol=1e-6)
        np.testing.assert_allclose(Pi @ Pi, Pi, atol=1e-6)
        np.testing.assert_allclose(wdlib.tie_minimizer(Y, lam, L, (Pi + Pi.T) / 2), P, atol=1e-6)
        ranks.add(int(round(np.trace(Pi))))
    assert len(ranks) >= 2  # independent runs land on different parts of the continuum


def test_tie_minimizer_errors():
    lam, L = 0.3, 3
    Y = wdlib.exceptional_target((2, 3), lam, L, rng=7)
    with pytest.raises(ValueError, match="depth must be >= 3 and lam > 0"):
        wdlib.tie_minimizer(Y, lam, 2, np.eye(1))
    with pytest.raises(ValueError, match="depth must be >= 3 and lam > 0"):
        wdlib.tie_minimizer(Y, 0.0, L, np.eye(1))
    with pytest.raises(ValueError, match="exceptional set"):
        wdlib.tie_minimizer(np.diag([1.0, 2.0]), lam, L, np.eye(1))
    with pytest.raises(ValueError, match=r"projector must have shape \(1, 1\)"):
        wdlib.tie_minimizer(Y, lam, L, np.eye(2))
    with pytest.raises(ValueError, match="orthogonal projector"):
        wdlib.tie_minimizer(Y, lam, L, 0.5 * np.eye(1))
    with pytest.raises(TypeError, match="projector"):
        wdlib.tie_minimizer(Y, lam, L, "I")


def test_tie_minimizer_accepts_an_exact_tie_with_zero_tolerance():
    lam, L = 0.3, 3
    yc = wdlib.critical_singular_value(lam, L)
    Y = np.array([[2 * yc, 0.0, 0.0], [0.0, yc, 0.0]])  # the SVD returns y_c exactly
    s_c = (L - 2) / (L - 1) * yc
    for Pi, second in [(np.eye(1), s_c), (np.zeros((1, 1)), 0.0)]:
        P = wdlib.tie_minimizer(Y, lam, L, Pi, rtol=0.0)
        np.testing.assert_allclose(P, wdlib.tie_minimizer(Y, lam, L, Pi), atol=1e-15)
        np.testing.assert_allclose(np.linalg.svd(P, compute_uv=False)[1], second, atol=1e-15)


@pytest.mark.parametrize("lam", [0.3, 2.0])  # y_c = 0.81 and 3.36
def test_tie_minimizer_tolerance_is_relative_to_y_c(lam):
    L, rtol = 3, 1e-3
    yc = wdlib.critical_singular_value(lam, L)
    s_c = (L - 2) / (L - 1) * yc
    Y = _target((2, 3), [2.5 * yc, yc * (1 + 0.5 * rtol)], seed=16)
    s_top = wdlib.minimizer_singular_values(Y, lam, L)[0]
    # within rtol the near-tied value counts as tied: dropped for Pi = 0, s_c for Pi = 1
    for Pi, second in [(np.zeros((1, 1)), 0.0), (np.eye(1), s_c)]:
        s = np.linalg.svd(wdlib.tie_minimizer(Y, lam, L, Pi, rtol=rtol), compute_uv=False)
        np.testing.assert_allclose(s, [s_top, second], rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="exceptional set"):
        wdlib.tie_minimizer(_target((2, 3), [2.5 * yc, yc * (1 + 2 * rtol)], seed=16), lam, L, np.eye(1), rtol=rtol)


def test_tie_minimizer_rejects_an_oblique_projector():
    lam, L = 0.2, 4
    Y = wdlib.exceptional_target((3, 4), lam, L, multiplicity=2, rng=11)
    oblique = np.array([[1.0, 0.5], [0.0, 0.0]])
    np.testing.assert_allclose(oblique @ oblique, oblique)  # idempotent, but not symmetric
    with pytest.raises(ValueError, match="orthogonal projector"):
        wdlib.tie_minimizer(Y, lam, L, oblique)


# ---------------------------------------------------------------- orbit_alignment

@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_orbit_alignment_recovers_a_random_orbit_point(L):
    rng = np.random.default_rng(13)
    P = rng.standard_normal((4, 2)) @ rng.standard_normal((2, 5))  # rank 2, widths 3 > rank
    W = wdlib.balanced_factors(P, L, widths=[3] * (L - 1))
    Wb = wdlib.random_orbit_point(W, rng)
    Qs, res = wdlib.orbit_alignment(W, Wb)
    assert res < 1e-10 and len(Qs) == L - 1
    Qfull = [np.eye(5)] + Qs + [np.eye(4)]
    for l, Q in enumerate(Qs):
        np.testing.assert_allclose(Q.T @ Q, np.eye(Q.shape[0]), atol=1e-12)
    for l in range(L):
        np.testing.assert_allclose(Qfull[l + 1] @ W[l] @ Qfull[l].T, Wb[l], atol=1e-10)


def test_orbit_alignment_separates_points_off_the_orbit():
    # same product, unbalanced: not on the orbit of the balanced factors
    rng = np.random.default_rng(14)
    P = rng.standard_normal((3, 3))
    W = wdlib.balanced_factors(P, 3)
    _, res = wdlib.orbit_alignment(W, [2.0 * W[0], W[1], 0.5 * W[2]])
    assert res > 0.1
    # the two global minimizers on the exceptional set have different ranks
    lam = 0.3
    Y = wdlib.exceptional_target((2, 3), lam, 3, rng=7)
    A = wdlib.minimizer_factors(Y, lam, 3, widths=[2, 2], tie="largest")
    B = wdlib.minimizer_factors(Y, lam, 3, widths=[2, 2], tie="smallest")
    assert wdlib.orbit_alignment(A, B)[1] > 0.1


def test_global_minimizers_from_lbfgs_lie_on_one_orbit():
    lam, L = 0.1, 3
    Y = _target((3, 4), [1.0, 0.7, 0.3], seed=15)  # 0.3 < y_c: rank 2 with widths 3
    W_star = wdlib.minimizer_factors(Y, lam, L, widths=[3, 3])
    for seed in range(3):
        W = _lbfgs_minimizer(Y, lam, L, [3, 3], seed, scale=0.6)
        assert wdlib.is_global_minimizer(W, Y, lam)
        assert wdlib.orbit_alignment(W_star, W)[1] < 1e-6


def test_orbit_alignment_errors():
    A = [np.ones((2, 3)), np.ones((2, 2))]
    with pytest.raises(ValueError, match="same layer shapes"):
        wdlib.orbit_alignment(A, [np.ones((3, 3)), np.ones((2, 3))])
    with pytest.raises(TypeError, match="weights_a"):
        wdlib.orbit_alignment(np.ones((2, 2)), A)
