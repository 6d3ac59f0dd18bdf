"""Tests for the chapter *The scalar problem*: its plotting helpers
(wdlib/plotting/scalar.py) and extra checks of wdlib.scalar against
independent computations (brute force, closed forms)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.optimize import brentq  # noqa: E402

import wdlib  # noqa: E402
from wdlib.plotting import plot_scalar_bifurcation, plot_scalar_objective  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def g_ref(s, y, lam, L):
    return 0.5 * (s - y) ** 2 + 0.5 * lam * L * s ** (2.0 / L)


def brute(y, lam, L, n=200001):
    s = np.linspace(0.0, y, n)
    return s[np.argmin(g_ref(s, y, lam, L))], y / (n - 1)


# ----------------------------------------------------------------------------- plotting


def _objective_data(L=3, lam=1.0):
    ys = np.array([1.5, 1.88, wdlib.critical_singular_value(lam, L), 2.3])
    s = np.linspace(0, 2.0, 201)
    vals = g_ref(s[None, :], ys[:, None], lam, L) - g_ref(0.0, ys[:, None], lam, L)
    gp, lp = [], []
    for v in ys:
        m = np.unique(wdlib.scalar_minimizers(v, lam, L))
        gp.append(np.column_stack([m, g_ref(m, v, lam, L) - g_ref(0.0, v, lam, L)]))
        loc = wdlib.scalar_local_minimizer(v, lam, L)
        extra = [x for x in (0.0, loc) if np.isfinite(x) and x not in m]
        extra = np.array(extra)
        lp.append(np.column_stack([extra, g_ref(extra, v, lam, L) - g_ref(0.0, v, lam, L)]))
    return s, vals, ys, gp, lp


def test_objective_plot_draws_every_curve_and_marker():
    s, vals, ys, gp, lp = _objective_data()
    fig = plot_scalar_objective(s, vals, ys, gp, lp, depth=3, lam=1.0)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    curves = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == s.size]
    assert len(curves) == ys.size
    for ln, row in zip(curves, vals):
        np.testing.assert_array_equal(ln.get_ydata(), row)
    # one marker line per nonempty set of points
    n_markers = sum(len(p) > 0 for p in gp) + sum(len(p) > 0 for p in lp)
    markers = [ln for ln in ax.get_lines() if ln.get_linestyle() == "None"]
    assert len(markers) == n_markers
    # the tie y = y_c has two global minimizers drawn
    assert any(len(ln.get_xdata()) == 2 for ln in markers)
    assert "L = 3" in ax.get_title()


def test_objective_plot_into_given_axes_and_without_local_points():
    s, vals, ys, gp, _ = _objective_data()
    fig0, ax = plt.subplots()
    fig = plot_scalar_objective(s, vals, ys, gp, ax=ax, title="custom")
    assert fig is fig0 and ax.get_title() == "custom"


def test_objective_plot_rejects_bad_input():
    s, vals, ys, gp, lp = _objective_data()
    with pytest.raises(ValueError, match="values"):
        plot_scalar_objective(s, vals[:, :-1], ys, gp)
    with pytest.raises(ValueError, match="global_points"):
        plot_scalar_objective(s, vals, ys, gp[:-1])
    with pytest.raises(ValueError, match="local_points"):
        plot_scalar_objective(s, vals, ys, gp, lp[:2])
    with pytest.raises(ValueError, match="s must"):
        plot_scalar_objective(np.array([1.0]), vals[:, :1], ys, gp)
    bad = vals.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="values must be finite"):
        plot_scalar_objective(s, bad, ys, gp)
    with pytest.raises(TypeError, match="title"):
        plot_scalar_objective(s, vals, ys, gp, title=3)
    with pytest.raises(ValueError, match="depth"):
        plot_scalar_objective(s, vals, ys, gp, depth=0)


def _bifurcation_data(lam=0.4, depths=(1, 2, 3, 8)):
    y = np.linspace(0, 3.0, 301)
    g = np.array([wdlib.scalar_minimizer(y, lam, L) for L in depths])
    loc = np.array([wdlib.scalar_local_minimizer(y, lam, L) for L in depths])
    yc = np.array([np.nan if L == 1 else wdlib.critical_singular_value(lam, L) for L in depths])
    sc = np.array([np.nan if L == 1 else (L - 2) / (L - 1) * wdlib.critical_singular_value(lam, L) for L in depths])
    ysp = np.array([wdlib.spinodal_singular_value(lam, L) if L >= 3 else np.nan for L in depths])
    ssp = np.array([(lam * (L - 2) / L) ** (L / (2 * (L - 1))) if L >= 3 else np.nan for L in depths])
    return y, list(depths), g, loc, yc, sc, ysp, ssp


def test_bifurcation_plot_branches():
    y, depths, g, loc, yc, sc, ysp, ssp = _bifurcation_data()
    fig = plot_scalar_bifurcation(y, depths, g, loc, yc, sc, ysp, ssp, lam=0.4)
    ax = fig.axes[0]
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == sum(L >= 3 for L in depths)          # metastable branch only for L >= 3
    for ln in dashed:                                           # every dashed point is a local minimizer
        assert np.all(np.isfinite(ln.get_ydata()))
    solid = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and len(ln.get_xdata()) == y.size]
    assert len(solid) == 2 * len(depths)
    # the solid pieces reproduce the global branch (positive part and zero part)
    for i in range(len(depths)):
        pos, zero = solid[2 * i].get_ydata(), solid[2 * i + 1].get_ydata()
        np.testing.assert_array_equal(np.where(np.isnan(pos), 0.0, pos), g[i])
        assert np.all(np.isnan(zero) | (zero == 0))
    jumps = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(jumps) == sum(L >= 3 for L in depths)
    assert ax.get_title() == r"$\lambda = 0.4$"


def test_bifurcation_plot_rejects_bad_input():
    y, depths, g, loc, yc, sc, ysp, ssp = _bifurcation_data()
    with pytest.raises(ValueError, match="global_min"):
        plot_scalar_bifurcation(y, depths, g[:, :-1], loc, yc, sc, ysp, ssp)
    with pytest.raises(ValueError, match="local_min"):
        plot_scalar_bifurcation(y, depths, g, loc[:-1], yc, sc, ysp, ssp)
    with pytest.raises(ValueError, match="yc"):
        plot_scalar_bifurcation(y, depths, g, loc, yc[:-1], sc, ysp, ssp)
    with pytest.raises(ValueError, match="y must be strictly increasing"):
        plot_scalar_bifurcation(y[::-1], depths, g, loc, yc, sc, ysp, ssp)
    with pytest.raises(ValueError, match="depths"):
        plot_scalar_bifurcation(y, [0, 2, 3, 8], g, loc, yc, sc, ysp, ssp)
    with pytest.raises(TypeError, match="depths"):
        plot_scalar_bifurcation(y, [1.5, 2, 3, 8], g, loc, yc, sc, ysp, ssp)
    neg = g.copy()
    neg[0, 3] = -1.0
    with pytest.raises(ValueError, match="global_min"):
        plot_scalar_bifurcation(y, depths, neg, loc, yc, sc, ysp, ssp)


# ----------------------------------------------------------------------------- extra checks of wdlib.scalar


@pytest.mark.parametrize("L", [1, 2, 3, 5, 10])
@pytest.mark.parametrize("lam", [0.01, 0.7, 4.0])
def test_minimizer_matches_fine_grid(L, lam, rng):
    yc = wdlib.critical_singular_value(lam, L)
    ys = rng.uniform(0, 3 * max(yc, 1.0), 12)
    if L >= 3:
        ys = ys[np.abs(ys / yc - 1) > 1e-2]
    for y in ys:
        s_grid, h = brute(y, lam, L)
        assert abs(wdlib.scalar_minimizer(y, lam, L) - s_grid) <= 2 * h + 1e-12


@pytest.mark.parametrize("L", [3, 4, 6, 10, 30])
def test_threshold_is_where_values_tie(L):
    """Independent: find y_c as the root of Delta(y) = g(r2) - g(0) with brentq on the metastable branch."""
    lam = 0.8
    ysp, yc = wdlib.spinodal_singular_value(lam, L), wdlib.critical_singular_value(lam, L)

    def delta(y):
        r = brentq(lambda s: s + lam * s ** ((2.0 - L) / L) - y, (lam * (L - 2) / L) ** (L / (2 * (L - 1))), y)
        return g_ref(r, y, lam, L) - g_ref(0.0, y, lam, L)

    root = brentq(delta, ysp * (1 + 1e-9), 3 * yc, xtol=1e-14, rtol=1e-14)
    np.testing.assert_allclose(root, yc, rtol=1e-10)


@pytest.mark.parametrize("L", [3, 4, 8])
def test_spinodal_lambda_inverts_spinodal_singular_value(L):
    for lam in (0.05, 1.0, 7.0):
        ysp = wdlib.spinodal_singular_value(lam, L)
        np.testing.assert_allclose(wdlib.spinodal_lambda(ysp, L), lam, rtol=1e-12)
        # just inside/outside the spinodal: the nonzero local minimizer appears/disappears
        assert np.isfinite(wdlib.scalar_local_minimizer(ysp * (1 + 1e-6), lam, L))
        assert np.isnan(wdlib.scalar_local_minimizer(ysp * (1 - 1e-6), lam, L))


def test_zero_regularization_and_deep_limits():
    ys = np.array([0.0, 0.3, 2.0])
    for L in (1, 2, 3, 50):
        np.testing.assert_array_equal(wdlib.scalar_minimizers(ys, 0.0, L), np.stack([ys, ys], axis=-1))
    for L in (100, 400):
        yc = wdlib.critical_singular_value(0.3, L)
        pair = wdlib.scalar_minimizers(yc * np.array([0.99, 1.0, 1.01, 5.0]), 0.3, L)
        assert np.all(np.isfinite(pair))
        np.testing.assert_allclose(pair[1], [0.0, (L - 2) / (L - 1) * yc], rtol=1e-12)


# ----------------------------------------------------------------------------- panels


def test_objective_panels_one_axis_per_curve_and_markers():
    from wdlib.plotting import plot_objective_panels

    s, vals, ys, gp, lp = _objective_data()
    labels = [f"y = {v:.3g}" for v in ys]
    fig = plot_objective_panels(s, vals, labels, gp, lp)
    assert isinstance(fig, Figure) and len(fig.axes) == ys.size
    for ax, row, lab, g_pts, l_pts in zip(fig.axes, vals, labels, gp, lp):
        curves = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == s.size]
        assert len(curves) == 1
        np.testing.assert_array_equal(curves[0].get_ydata(), row)
        assert ax.get_title() == lab
        markers = [ln for ln in ax.get_lines() if ln.get_linestyle() == "None"]
        assert len(markers) == (len(g_pts) > 0) + (len(l_pts) > 0)
        # within one panel no two markers share a position
        pts = np.concatenate([np.column_stack([m.get_xdata(), m.get_ydata()]) for m in markers])
        assert len(np.unique(np.round(pts, 12), axis=0)) == len(pts)
    assert fig.legends  # the legend sits outside the panels


def test_objective_panels_rejects_bad_input():
    from wdlib.plotting import plot_objective_panels

    s, vals, ys, gp, lp = _objective_data()
    labels = ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="values"):
        plot_objective_panels(s, vals[:, :-1], labels, gp)
    with pytest.raises(ValueError, match="labels"):
        plot_objective_panels(s, vals, labels[:3], gp)
    with pytest.raises(ValueError, match="labels"):
        plot_objective_panels(s, vals, "abcd", gp)
    with pytest.raises(ValueError, match="global_points"):
        plot_objective_panels(s, vals, labels, gp[:2])
    bad = vals.copy()
    bad[1, 3] = np.inf
    with pytest.raises(ValueError, match="finite"):
        plot_objective_panels(s, bad, labels, gp)
    with pytest.raises(TypeError, match="title"):
        plot_objective_panels(s, vals, labels, gp, title=1)
