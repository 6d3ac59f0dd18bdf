"""Tests of wdlib.phase: ranks, phase diagrams, threshold bisection, Hessian at zero, continuation."""

import io
import sys
import warnings

import numpy as np
import pytest

import wdlib


def _low_rank(shape, rank, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((shape[0], rank)) @ rng.standard_normal((rank, shape[1]))


TARGETS = [_low_rank((5, 7), 3, 0), _low_rank((6, 3), 2, 1), _low_rank((2, 4), 1, 2), np.array([[1.3]])]


@pytest.mark.parametrize("Y", TARGETS)
@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_minimizer_rank_matches_matrix_rank(Y, depth):
    lams = np.linspace(0.01, 1.2 * max(wdlib.critical_lambda(Y, max(depth, 2)), 0.1), 25)
    for lam in lams:
        expected = np.linalg.matrix_rank(wdlib.minimizer(Y, lam, depth), tol=1e-9)
        assert wdlib.minimizer_rank(Y, lam, depth) == expected


def test_minimizer_rank_ties():
    Y = TARGETS[0]
    for depth in (3, 4, 6):
        lam_star = wdlib.critical_lambda(Y, depth)
        assert wdlib.minimizer_rank(Y, lam_star, depth, tie="largest") == 1
        assert wdlib.minimizer_rank(Y, lam_star, depth, tie="smallest") == 0
    assert wdlib.minimizer_rank(Y, wdlib.critical_lambda(Y, 2), 2) == 0   # L = 2: zero at lam*


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_singular_value_paths(depth):
    Y = TARGETS[1]
    lams = np.linspace(0.0, 5.0, 11)
    S = wdlib.singular_value_paths(Y, lams, depth)
    assert S.shape == (11, 3)
    for k, lam in enumerate(lams):
        np.testing.assert_allclose(S[k], wdlib.minimizer_singular_values(Y, lam, depth), rtol=1e-14)
        np.testing.assert_allclose(S[k][S[k] > 1e-12], np.linalg.svd(wdlib.minimizer(Y, lam, depth), compute_uv=False)[S[k] > 1e-12], rtol=1e-10)


def test_rank_phase_diagram_is_a_staircase():
    Y = TARGETS[0]
    lams = np.geomspace(1e-3, 30, 200)
    depths = [1, 2, 3, 4, 7]
    R = wdlib.rank_phase_diagram(Y, lams, depths)
    assert R.shape == (5, 200) and R.dtype.kind == "i"
    assert np.all(R[0] == 3)                                   # L = 1 never collapses
    assert np.all(np.diff(R, axis=1) <= 0)
    for a, d in enumerate(depths[1:], start=1):
        coll = wdlib.collapse_lambdas(Y, d)[:3]
        assert np.array_equal(R[a], [np.count_nonzero(coll > t) for t in lams])


def test_scalar_phase_diagram():
    ys = np.linspace(0.0, 2.0, 21)
    lams = np.linspace(0.0, 1.0, 17)
    for depth in (2, 3, 5):
        d = wdlib.scalar_phase_diagram(ys, lams, depth)
        assert d["s"].shape == (21, 17) and d["local"].shape == (21, 17)
        for b, lam in enumerate(lams):
            np.testing.assert_allclose(d["s"][:, b], wdlib.scalar_minimizer(ys, lam, depth))
        np.testing.assert_allclose(d["lam_sp"], wdlib.spinodal_lambda(ys, depth))
        if depth == 2:
            assert not d["bistable"].any()
        else:
            pred = (lams[None, :] > 0) & (lams[None, :] < d["lam_sp"][:, None])
            off_boundary = ~np.isclose(lams[None, :], d["lam_sp"][:, None], rtol=1e-9, atol=0)
            assert np.array_equal(d["bistable"][off_boundary], pred[off_boundary])
            # the local branch is a local minimizer of g: g' = 0 and g'' > 0 (independent check)
            ok = np.isfinite(d["local"]) & (d["local"] > 0)
            s = d["local"][ok]
            yy = np.broadcast_to(ys[:, None], d["local"].shape)[ok]
            ll = np.broadcast_to(lams[None, :], d["local"].shape)[ok]
            gp = s - yy + ll * s ** ((2.0 - depth) / depth)
            gpp = 1 + ll * (2.0 - depth) / depth * s ** ((2.0 - 2 * depth) / depth)
            np.testing.assert_allclose(gp, 0, atol=1e-10)
            assert np.all(gpp > 0)


@pytest.mark.parametrize("Y", TARGETS)
def test_bisection_matches_formula(Y):
    for depth in range(2, 9):
        np.testing.assert_allclose(wdlib.collapse_lambda_bisection(Y, depth), wdlib.critical_lambda(Y, depth), rtol=1e-9)
        np.testing.assert_allclose(wdlib.collapse_lambda_bisection(Y, depth, tie="smallest"),
                                   wdlib.critical_lambda(Y, depth), rtol=1e-9)
    assert wdlib.collapse_lambda_bisection(Y, 1) == np.inf
    assert wdlib.collapse_lambda_bisection(np.zeros((2, 3)), 3) == 0.0


def _zero(Y, widths):
    dims = [Y.shape[1]] + list(widths) + [Y.shape[0]]
    return [np.zeros((dims[l + 1], dims[l])) for l in range(len(dims) - 1)]


@pytest.mark.parametrize("widths", [[], [2], [4], [7], [3, 2], [2, 5, 3]])
@pytest.mark.parametrize("lam", [0.0, 0.4, 3.0])
def test_zero_hessian_matches_finite_differences(widths, lam):
    Y = _low_rank((5, 3), 2, 7)
    depth = len(widths) + 1
    ev = wdlib.zero_hessian_eigenvalues(Y, lam, depth, widths)
    H = wdlib.numerical_hessian(_zero(Y, widths), Y, lam)
    assert ev.size == H.shape[0]
    np.testing.assert_allclose(np.linalg.eigvalsh(H), ev, atol=1e-7)
    if depth == 2:
        y1 = np.linalg.norm(Y, 2)
        assert ev.min() == pytest.approx(lam - y1)
        assert np.count_nonzero(np.isclose(ev, lam)) == widths[0] * (abs(5 - 3) + 2 * (3 - 2))  # |d0-d2| + zero y's


def test_zero_hessian_default_widths():
    Y = _low_rank((4, 6), 2, 3)
    assert wdlib.zero_hessian_eigenvalues(Y, 0.5, 3).size == 4 * 6 + 4 * 4 + 4 * 4
    np.testing.assert_array_equal(wdlib.zero_hessian_eigenvalues(Y, 0.5, 1), np.full(24, 1.5))


def test_continuation_hysteresis_scalar():
    Y = np.array([[1.0]])
    depth = 3
    lam_sp = wdlib.spinodal_lambda(1.0, depth)
    lams = np.array([0.1, 0.3, 0.42, 0.46, 0.5, 0.6])
    up = wdlib.continuation(Y, lams, depth, wdlib.balanced_factors(Y, depth), steps=5000, lr=0.2, tol=1e-12)
    assert up["s"].shape == (6, 1) and up["loss"].shape == (6,) and up["steps"].shape == (6,)
    local = np.array([wdlib.scalar_local_minimizer(1.0, t, depth) for t in lams])
    keep = lams < lam_sp
    np.testing.assert_allclose(up["s"][keep, 0], local[keep], rtol=1e-6)
    assert np.all(up["s"][~keep, 0] < 1e-8)
    down = wdlib.continuation(Y, lams[::-1], depth, up["weights"], steps=2000, lr=0.2)
    assert np.all(down["s"][:, 0] < 1e-8)


def test_continuation_matrix_l2_follows_global_minimizer():
    Y = _low_rank((3, 4), 2, 9)
    lams = np.linspace(0.1, 2.0, 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = wdlib.continuation(Y, lams, 2, wdlib.init_weights(Y, 2, init_scale=0.5, rng=0), steps=20000,
                                 lr=0.05, tol=1e-11)
    # convergence is reported per value, and warned about once exactly when some value missed tol
    assert res["converged"].shape == lams.shape
    assert [issubclass(w.category, wdlib.ConvergenceWarning) for w in caught] == [not res["converged"].all()]
    for k, lam in enumerate(lams):
        np.testing.assert_allclose(res["s"][k], wdlib.minimizer_singular_values(Y, lam, 2), atol=1e-8)


# ---- bad inputs -----------------------------------------------------------------------------

def test_bad_inputs():
    Y = TARGETS[0]
    with pytest.raises(ValueError, match="lams"):
        wdlib.singular_value_paths(Y, [-1.0], 2)
    with pytest.raises(ValueError, match="lams"):
        wdlib.rank_phase_diagram(Y, np.ones((2, 2)), [2])
    with pytest.raises(ValueError, match="lams"):
        wdlib.rank_phase_diagram(Y, [], [2])
    with pytest.raises(TypeError, match="depths"):
        wdlib.rank_phase_diagram(Y, [1.0], 3)
    with pytest.raises(TypeError, match="depths"):
        wdlib.rank_phase_diagram(Y, [1.0], [])
    with pytest.raises(ValueError, match="depths"):
        wdlib.rank_phase_diagram(Y, [1.0], [0])
    with pytest.raises(ValueError, match="tie"):
        wdlib.minimizer_rank(Y, 1.0, 3, tie="middle")
    with pytest.raises(ValueError, match="lam"):
        wdlib.minimizer_rank(Y, -1.0, 3)
    with pytest.raises(TypeError, match="depth"):
        wdlib.minimizer_rank(Y, 1.0, 2.5)
    with pytest.raises(ValueError, match="ys"):
        wdlib.scalar_phase_diagram([-1.0], [1.0], 3)
    with pytest.raises(ValueError, match="rtol"):
        wdlib.collapse_lambda_bisection(Y, 3, rtol=0.0)
    with pytest.raises(ValueError, match="Y"):
        wdlib.collapse_lambda_bisection(np.ones(3), 3)
    with pytest.raises(ValueError, match="widths"):
        wdlib.zero_hessian_eigenvalues(Y, 1.0, 3, widths=[2])
    with pytest.raises(ValueError, match="h"):
        wdlib.numerical_hessian([np.zeros((3, 7)), np.zeros((5, 3))], Y, 1.0, h=0.0)
    with pytest.raises(ValueError, match="Y must have the shape"):
        wdlib.numerical_hessian([np.zeros((3, 6)), np.zeros((5, 3))], Y, 1.0)
    with pytest.raises(ValueError, match="init"):
        wdlib.continuation(Y, [1.0], 2, [np.zeros((3, 7)), np.zeros((5, 4))])
    with pytest.raises(ValueError, match="lr"):
        wdlib.continuation(Y, [1.0], 2, [np.zeros((3, 7)), np.zeros((5, 3))], lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        wdlib.continuation(Y, [1.0], 2, [np.zeros((3, 7)), np.zeros((5, 3))], steps=0)


# ---- figures (wdlib.plotting.phase) ---------------------------------------------------------

def test_phase_figures_draw_the_data():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    Y = TARGETS[0]
    lams = np.linspace(0.01, 6.0, 40)
    paths = {d: wdlib.singular_value_paths(Y, lams, d)[:, :3] for d in (2, 3)}
    fig = wdlib.plotting.plot_singular_value_paths(lams, paths, {d: wdlib.collapse_lambdas(Y, d)[:3] for d in (2, 3)})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 3 + 3           # 3 paths + 3 collapse lines
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), paths[3][:, 0])
    plt.close(fig)

    lg = np.geomspace(0.01, 20, 30)
    ranks = wdlib.rank_phase_diagram(Y, lg, [1, 2, 3])
    fig = wdlib.plotting.plot_rank_phase_diagram(lg, [1, 2, 3], ranks, lam_star=[wdlib.critical_lambda(Y, d) for d in (1, 2, 3)])
    assert fig.axes[0].get_xscale() == "log"
    plt.close(fig)

    ys, ls = np.linspace(0.05, 2, 10), np.linspace(0, 1, 12)
    data = wdlib.scalar_phase_diagram(ys, ls, 3)
    fig = wdlib.plotting.plot_scalar_phase_diagram(ys, ls, data, 3)
    assert len(fig.axes[0].lines) == 2                                       # lam* and spinodal
    plt.close(fig)

    s = np.linspace(1, 0, 5)
    fig = wdlib.plotting.plot_hysteresis(np.arange(5.0), s, 0 * s, s, s, 1.5, 2.5)
    assert len(fig.axes[0].lines) == 6
    plt.close(fig)


def test_plot_rank_phase_plane_draws_ranks_and_boundaries():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shape = np.array([1.0, 0.5])
    lams, y1s = np.linspace(0.01, 2.0, 30), np.linspace(0.1, 2.0, 20)
    ranks, curves = [], []
    for L in (2, 3):
        r = np.array([wdlib.rank_phase_diagram(np.diag(v * shape), lams, [L])[0] for v in y1s])
        ranks.append(r)
        curves.append([(wdlib.spinodal_lambda(y1s, L), "sp", "--")] if L == 3 else [])
    fig = wdlib.plotting.plot_rank_phase_plane(lams, y1s, ranks, curves, titles=["a", "b"])
    panels = [ax for ax in fig.axes if ax.get_title() in ("a", "b")]
    assert len(panels) == 2
    for ax, r in zip(panels, ranks):
        mesh = ax.collections[0]
        np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(r.shape), r)
    dashed = [ln for ln in panels[1].get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_xdata(), wdlib.spinodal_lambda(y1s, 3))
    assert fig.legends and not panels[0].get_lines()
    with pytest.raises(ValueError, match="shape"):
        wdlib.plotting.plot_rank_phase_plane(lams, y1s, [ranks[0][:, :-1]])
    with pytest.raises(ValueError, match="curves"):
        wdlib.plotting.plot_rank_phase_plane(lams, y1s, ranks, [[]])
    with pytest.raises(ValueError, match="at least one"):
        wdlib.plotting.plot_rank_phase_plane(lams, y1s, [])
    plt.close("all")


def test_rank_phase_diagram_lambda_star_ticks_are_dark():
    # the lambda* ticks must be visible on the light rank-0 band (they used to be white)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import to_rgb

    Y = np.diag([2.0, 1.0])
    lg = np.geomspace(0.05, 5, 40)
    ranks = wdlib.rank_phase_diagram(Y, lg, [2, 3])
    fig = wdlib.plotting.plot_rank_phase_diagram(lg, [2, 3], ranks,
                                                 lam_star=[wdlib.critical_lambda(Y, d) for d in (2, 3)])
    ticks = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == r"$\lambda^*$"]
    assert len(ticks) == 1 and sum(to_rgb(ticks[0].get_color())) < 0.5


# ---- rank tolerance, bisection, Hessian at zero, continuation: edges and conventions -----

EPS = np.finfo(float).eps


def test_rank_counts_values_strictly_above_the_matrix_rank_tolerance():
    # tolerance max(shape) * eps * y_1 = 8 eps here, as numpy.linalg.matrix_rank: a value
    # exactly at it does not count (diagonal targets: the SVD returns these values exactly)
    for Y, rank in ((np.diag([4.0, 8 * EPS]), 1), (np.diag([4.0, 16 * EPS]), 2)):
        assert np.linalg.matrix_rank(Y) == rank
        for L in (1, 2, 3):
            assert wdlib.minimizer_rank(Y, 0.0, L) == rank
        np.testing.assert_array_equal(wdlib.rank_phase_diagram(Y, [0.0], [1, 2, 3]), [[rank]] * 3)


def test_rank_of_an_empty_target_is_zero_and_no_warning_is_issued():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wdlib.minimizer_rank(np.zeros((0, 3)), 0.1, 2) == 0
        np.testing.assert_array_equal(wdlib.rank_phase_diagram(np.zeros((0, 3)), [0.1], [2, 3]), [[0], [0]])
        assert wdlib.minimizer_rank(np.diag([3.0, 1.0]), 0.1, 3) == 2


def test_rank_phase_diagram_rejects_depths_that_are_not_a_sequence():
    for bad in (3.0, (d for d in (2, 3)), 3):
        with pytest.raises(TypeError, match="depths must be a non-empty sequence of depths"):
            wdlib.rank_phase_diagram(np.eye(2), [1.0], bad)


def test_bisection_tie_falls_on_the_documented_side():
    # L >= 3: the minimizer is still nonzero on the tie band with tie="largest", so the
    # bisection lands just above lambda*, and just below it with tie="smallest"
    Y = np.diag([2.0, 1.0])
    for L in (3, 4):
        lam_star = wdlib.critical_lambda(Y, L)
        big = wdlib.collapse_lambda_bisection(Y, L, tie="largest")
        small = wdlib.collapse_lambda_bisection(Y, L, tie="smallest")
        assert small < lam_star < big
        np.testing.assert_allclose([small, big], lam_star, rtol=1e-9)


def test_bisection_resolves_a_tiny_threshold():
    # lambda* = y_1 = 2e-60 for L = 2: about 200 halvings of [0, 1] before rtol even matters
    # (a cap of 200 halvings returned 3e-61 here)
    Y = 1e-60 * np.diag([2.0, 1.0])
    np.testing.assert_allclose(wdlib.collapse_lambda_bisection(Y, 2), 2e-60, rtol=1e-12)


def test_bisection_with_coarse_tolerances_by_hand():
    # bracket [0, max(1, ||Y||_F^2)], halved while hi - lo > rtol * hi; returns the midpoint
    # L = 2: lambda* = y_1
    cases = [
        (0.7, 1.0, 0.5),    # rtol = 1: the bracket [0, 1] itself
        (3.0, 1.0, 4.5),    # ... [0, 9]
        (0.7, 0.5, 0.75),   # [0, 1] -> [0.5, 1]: 0.5 <= 0.5 * 1, stop
        (0.3, 0.5, 0.375),  # [0, 1] -> [0, 0.5] -> [0.25, 0.5]: 0.25 <= 0.5 * 0.5, stop
        (3.0, 0.5, 3.375),  # [0, 9] -> [0, 4.5] -> [2.25, 4.5]
    ]
    for y, rtol, expected in cases:
        assert wdlib.collapse_lambda_bisection(np.array([[y]]), 2, rtol=rtol) == expected


def test_bisection_below_double_resolution_stops_at_adjacent_doubles():
    # rtol = 1e-300 cannot be met: the bisection ends when no double is left between lo and hi
    for y in (0.3, 0.7):  # the last midpoint rounds onto lo for 0.3, onto hi for 0.7
        lam = wdlib.collapse_lambda_bisection(np.array([[y]]), 2, rtol=1e-300)
        assert abs(lam - y) <= 2 * np.spacing(y)
    lam = wdlib.collapse_lambda_bisection(np.diag([2.0, 1.0]), 3, rtol=1e-300, tie="smallest")
    np.testing.assert_allclose(lam, 1.0, rtol=1e-9)


@pytest.mark.parametrize("L", [2, 3])
def test_zero_hessian_default_widths_for_a_tall_target(L):
    # d_L > d_0: default hidden widths are min(d_0, d_L) = d_0 (not d_L)
    Y = _low_rank((5, 3), 2, 7)
    ev = wdlib.zero_hessian_eigenvalues(Y, 0.4, L)
    assert ev.size == 3 * 3 * (L - 1) + 3 * 5
    np.testing.assert_allclose(ev, wdlib.zero_hessian_eigenvalues(Y, 0.4, L, widths=[3] * (L - 1)))


def test_continuation_defaults_by_hand():
    # depth 1, y = 1, lam = 0, from 0: w_n = 1 - 0.9^n (lr = 0.1), gradient w_n - 1; the default
    # tol 1e-12 is first met at n = 263 (0.9^262 = 1.04e-12, 0.9^263 = 9.4e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = wdlib.continuation(np.array([[1.0]]), [0.0], 1, [np.array([[0.0]])])
    assert res["steps"].tolist() == [263] and res["converged"].tolist() == [True]
    np.testing.assert_allclose(res["s"], [[1 - 0.9**263]], rtol=1e-15)


def test_continuation_reports_each_lambda_and_warns_once_naming_the_misses():
    # one step of size 0.1 per value, warm-started, tol 0.5 (depth 1: gradient (1 + lam) w - 1)
    #   lam 0:   w 0 -> 0.1,     gradient -0.9    (missed)
    #   lam 0.5: w 0.1 -> 0.185, gradient -0.7225 (missed)
    #   lam 9:   w 0.185 -> 0.1, gradient 0       (reached)
    with pytest.warns(wdlib.ConvergenceWarning) as caught:
        res = wdlib.continuation(np.array([[1.0]]), [0.0, 0.5, 9.0], 1, [np.array([[0.0]])], steps=1, tol=0.5)
    assert [str(w.message) for w in caught] == ["continuation: tol=0.5 not reached within steps=1 at lam = 0, 0.5"]
    assert res["converged"].tolist() == [False, False, True] and res["steps"].tolist() == [1, 1, 1]
    w = np.array([0.1, 0.185, 0.1])
    np.testing.assert_allclose(res["s"][:, 0], w, rtol=1e-14)
    np.testing.assert_allclose(res["loss"], 0.5 * (w - 1) ** 2 + 0.5 * np.array([0.0, 0.5, 9.0]) * w**2, rtol=1e-14)


def test_continuation_with_tol_zero_takes_every_step():
    # the iterates of this problem stop at w = 1 - 4.4e-16, so a zero gradient is never reached
    with pytest.warns(wdlib.ConvergenceWarning, match="tol=0 not reached within steps=2000 at lam = 0"):
        res = wdlib.continuation(np.array([[1.0]]), [0.0], 1, [np.array([[0.0]])], tol=0.0)
    assert res["steps"].tolist() == [2000] and res["converged"].tolist() == [False]


def test_continuation_prints_no_progress_even_in_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(sys, "stdout", term)
    wdlib.continuation(np.array([[1.0]]), [0.0, 0.5], 1, [np.array([[0.0]])], steps=400)
    assert term.getvalue() == ""


def test_continuation_checks_init_against_Y_before_the_other_arguments():
    Y = TARGETS[0]  # 5 x 7
    init = [np.zeros((3, 6)), np.zeros((5, 3))]  # chains, but P would be 5 x 6
    with pytest.raises(ValueError, match="Y must have the shape of the end-to-end matrix"):
        wdlib.continuation(Y, [1.0], 2, init, lr=0.0)
