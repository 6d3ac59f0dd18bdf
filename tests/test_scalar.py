r"""Tests of wdlib.scalar against independent computations.

g(s; y) = 1/2 (s - y)^2 + (lam L / 2) s^{2/L}. The minimizers are checked against
brute-force grid minimization refined by scipy's bounded scalar minimizer; the
thresholds against the formulas of the book written independently (other
algebraic forms, scipy minimization of h(s) = s + lam s^{(2-L)/L} for the
spinodal, the derivative g' on a grid).
"""

import warnings

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar

import wdlib

EPS = np.finfo(float).eps


def g(s, y, lam, L):
    s = np.asarray(s, dtype=float)
    return 0.5 * (s - y) ** 2 + 0.5 * lam * L * s ** (2.0 / L)


def dg(s, y, lam, L):
    return s - y + lam * s ** ((2.0 - L) / L)


def mu_alt(L):
    # the other algebraic form of mu_L (second form in the threshold theorem)
    return (1.0 / (L - 2)) * ((L - 2) / (L - 1)) ** (2.0 * (L - 1) / L)


def mu_direct(L):
    return (1.0 / (L - 1)) * ((L - 2) / (L - 1)) ** ((L - 2) / L)


def yc_indep(lam, L):
    # y_c from its defining property: the y at which the nonzero stationary point
    # s = (L-2)/(L-1) y ties with s = 0, i.e. y/(L-1) = lam ((L-2)/(L-1) y)^{-(L-2)/L}
    # => y^{(2L-2)/L} = lam (L-1) ((L-2)/(L-1))^{-(L-2)/L}
    return (lam * (L - 1) * ((L - 2) / (L - 1)) ** (-(L - 2) / L)) ** (L / (2.0 * (L - 1)))


def brute_minimizer(y, lam, L, n=20001):
    """Grid on [0, y] (every minimizer lies there: g' > 0 beyond y), refined by scipy."""
    if y == 0:
        return 0.0
    s = np.linspace(0.0, y, n)
    vals = g(s, y, lam, L)
    k = int(np.argmin(vals))
    h = y / (n - 1)
    lo, hi = max(0.0, s[k] - h), min(y, s[k] + h)
    res = minimize_scalar(lambda t: g(t, y, lam, L), bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-13 * y})
    cands = [(g(t, y, lam, L), t) for t in (s[k], res.x, lo)]
    if lo == 0.0:
        cands.append((g(0.0, y, lam, L), 0.0))
    return min(cands)[1]


def critical_y(lam, L):
    return wdlib.critical_singular_value(lam, L)


# --------------------------------------------------------------- constants

@pytest.mark.parametrize("L", list(range(3, 40)) + [50, 100, 1000])
def test_threshold_constant_two_forms(L):
    mu = wdlib.threshold_constant(L)
    np.testing.assert_allclose(mu, mu_direct(L), rtol=1e-13)
    np.testing.assert_allclose(mu, mu_alt(L), rtol=1e-13)
    assert np.isfinite(mu) and mu > 0


def test_threshold_constant_small_depths_and_monotone():
    assert wdlib.threshold_constant(1) == np.inf
    assert wdlib.threshold_constant(2) == 1.0
    mus = np.array([wdlib.threshold_constant(L) for L in range(2, 301)])
    assert np.all(np.diff(mus) < 0)  # strictly decreasing in depth
    # mu_L (L-1) = ((L-2)/(L-1))^{(L-2)/L} -> 1: mu_L ~ 1/L for large L
    big = 10**6
    np.testing.assert_allclose(wdlib.threshold_constant(big) * big, 1.0, rtol=1e-5)
    assert wdlib.threshold_constant(np.int64(4)) == wdlib.threshold_constant(4)


@pytest.mark.parametrize("L", [2, 3, 4, 5, 7, 10, 25, 100])
@pytest.mark.parametrize("lam", [1e-12, 1e-3, 0.4, 1.0, 7.0, 1e6])
def test_critical_singular_value_formula(L, lam):
    yc = critical_y(lam, L)
    assert np.isfinite(yc) and yc > 0
    if L == 2:
        assert yc == lam
    else:
        np.testing.assert_allclose(yc, yc_indep(lam, L), rtol=1e-12)
        np.testing.assert_allclose(yc, (lam / mu_alt(L)) ** (L / (2.0 * (L - 1))), rtol=1e-12)
    # critical_lambda inverts it
    np.testing.assert_allclose(wdlib.critical_lambda(np.array([[yc]]), L), lam, rtol=1e-12)


def test_critical_singular_value_degenerate():
    assert wdlib.critical_singular_value(0.7, 1) == 0.0
    for L in (1, 2, 3, 10):
        assert wdlib.critical_singular_value(0.0, L) == 0.0
        assert wdlib.spinodal_singular_value(0.0, L) == 0.0


@pytest.mark.parametrize("L", [3, 4, 6, 10, 100])
def test_tie_point_two_minimizers_equal_objective(L):
    for lam in (0.01, 0.5, 3.0):
        yc = critical_y(lam, L)
        m = wdlib.scalar_minimizers(yc, lam, L)
        assert m.shape == (2,)
        assert m[0] == 0.0
        np.testing.assert_allclose(m[1], (L - 2) / (L - 1) * yc, rtol=1e-12)
        # equal objective, and nothing on a grid is lower
        np.testing.assert_allclose(g(m[1], yc, lam, L), g(0.0, yc, lam, L), rtol=1e-12)
        s = np.linspace(0, yc, 100001)
        assert np.min(g(s, yc, lam, L)) >= g(0.0, yc, lam, L) * (1 - 1e-12)
        # the nonzero one is stationary: s + lam s^{(2-L)/L} = y
        np.testing.assert_allclose(dg(m[1], yc, lam, L), 0.0, atol=1e-13 * yc)


# --------------------------------------------------------------- minimizers

def y_values(lam, L):
    if L == 1:
        return [0.0, 0.1, 1.0, 5.0]
    yc = critical_y(lam, L)
    # avoid exact grid ties near y_c (tested separately)
    return [0.0] + [yc * f for f in (0.3, 0.8, 0.97, 1.03, 1.5, 3.0, 10.0)]


@pytest.mark.parametrize("L", list(range(1, 11)) + [20, 50, 100])
@pytest.mark.parametrize("lam", [0.05, 0.5, 2.0])
def test_scalar_minimizers_vs_brute_force(L, lam):
    ys = np.array(y_values(lam, L))
    out = wdlib.scalar_minimizers(ys, lam, L)
    assert out.shape == (len(ys), 2)
    np.testing.assert_array_equal(out[:, 0], out[:, 1])  # unique off the tie
    for y, s in zip(ys, out[:, 1]):
        sb = brute_minimizer(y, lam, L)
        # objective: wdlib is never worse than the brute force
        assert g(s, y, lam, L) <= g(sb, y, lam, L) + 1e-13 * max(y * y, 1e-300)
        np.testing.assert_allclose(s, sb, rtol=1e-6, atol=1e-9 * max(y, 1e-300))


@pytest.mark.parametrize("L", [1, 2])
def test_small_depth_closed_forms(L):
    y = np.linspace(0, 5, 41)
    for lam in (0.0, 0.3, 1.0, 4.0):
        expect = y / (1 + lam) if L == 1 else np.maximum(y - lam, 0.0)
        np.testing.assert_allclose(wdlib.scalar_minimizer(y, lam, L), expect, rtol=1e-15, atol=0)
        np.testing.assert_allclose(wdlib.scalar_minimizers(y, lam, L)[..., 0], expect, rtol=1e-15, atol=0)


@pytest.mark.parametrize("L", [1, 2, 3, 4, 7, 100])
def test_lam_zero_and_y_zero(L):
    y = np.array([0.0, 1e-8, 0.5, 3.0, 1e8])
    np.testing.assert_array_equal(wdlib.scalar_minimizers(y, 0.0, L), np.stack([y, y], axis=-1))
    for lam in (0.0, 1e-9, 1.0, 1e9):
        np.testing.assert_array_equal(wdlib.scalar_minimizers(0.0, lam, L), [0.0, 0.0])
        assert wdlib.scalar_minimizer(0.0, lam, L) == 0.0


@pytest.mark.parametrize("L", [3, 4, 5, 8, 10, 30, 100])
def test_near_critical_y_both_sides(L):
    for lam in (1e-4, 0.2, 5.0):
        yc = critical_y(lam, L)
        below = wdlib.scalar_minimizers(yc * (1 - 1e-6), lam, L)
        above = wdlib.scalar_minimizers(yc * (1 + 1e-6), lam, L)
        np.testing.assert_array_equal(below, [0.0, 0.0])
        np.testing.assert_allclose(above, (L - 2) / (L - 1) * yc, rtol=1e-4)
        # independent confirmation of the switch by comparing objective values
        loc = wdlib.scalar_local_minimizer(yc * (1 - 1e-6), lam, L)
        assert g(loc, yc * (1 - 1e-6), lam, L) > g(0.0, yc * (1 - 1e-6), lam, L)
        assert g(above[1], yc * (1 + 1e-6), lam, L) < g(0.0, yc * (1 + 1e-6), lam, L)


@pytest.mark.parametrize("L", [2, 3, 4, 6, 10, 50])
def test_near_critical_lambda_both_sides(L):
    for y in (1e-3, 0.7, 20.0):
        lam_star = wdlib.critical_lambda(np.array([[y]]), L)
        assert wdlib.scalar_minimizer(y, lam_star * (1 + 1e-6), L) == 0.0
        s = wdlib.scalar_minimizer(y, lam_star * (1 - 1e-6), L)
        assert s > 0
        if L >= 3:
            np.testing.assert_allclose(s, (L - 2) / (L - 1) * y, rtol=1e-4)
            # at lam* itself: a tie, both minimizers
            m = wdlib.scalar_minimizers(y, lam_star, L)
            assert m[0] == 0.0 and m[1] > 0
        else:
            np.testing.assert_allclose(s, 1e-6 * y, rtol=1e-6)
            assert wdlib.scalar_minimizer(y, lam_star, L) == 0.0


@pytest.mark.parametrize("L", [1, 2, 3, 5, 10, 100])
def test_wide_range_of_y_finite_stationary_and_scaling(L):
    ys = np.logspace(-8, 8, 17)
    # fixed lam: finite results, collapse below y_c, stationarity above
    for lam in (1e-3, 1.0):
        s = wdlib.scalar_minimizer(ys, lam, L)
        assert np.all(np.isfinite(s)) and np.all(s >= 0) and np.all(s <= ys)
        pos = s > 0
        if L >= 2:
            np.testing.assert_allclose(dg(s[pos], ys[pos], lam, L), 0.0, atol=1e-12 * ys[pos].max())
            for y, si in zip(ys[pos], s[pos]):
                assert abs(dg(si, y, lam, L)) <= 1e-12 * y
    # scaling: s(c y, c^{2(L-1)/L} lam) = c s(y, lam), exercised for c in 1e-8 .. 1e8
    if L >= 2:
        y0, lam0 = 1.0, 0.5 * wdlib.threshold_constant(L)  # well above collapse
        s0 = wdlib.scalar_minimizer(y0, lam0, L)
        assert s0 > 0
        for c in ys:
            sc = wdlib.scalar_minimizer(c * y0, c ** (2 * (L - 1) / L) * lam0, L)
            np.testing.assert_allclose(sc, c * s0, rtol=1e-11)
            assert np.isfinite(wdlib.critical_singular_value(c ** (2 * (L - 1) / L) * lam0, L))


@pytest.mark.parametrize("L", [3, 4, 7, 10, 100])
def test_nonzero_root_is_stationary_and_a_local_min(L):
    lam = 0.3
    yc = critical_y(lam, L)
    ys = yc * np.array([1.0 + 1e-9, 1.01, 1.5, 4.0, 100.0])
    s = wdlib.scalar_minimizer(ys, lam, L)
    a = (L - 2.0) / L
    np.testing.assert_allclose(s + lam * s ** (-a), ys, rtol=1e-14)
    assert np.all(1 - a * lam * s ** (-a - 1) > 0)  # g'' > 0
    # it is the LARGEST root: h(t) = t + lam t^{-a} - y > 0 to the right of s
    for y, si in zip(ys, s):
        t = np.linspace(si * (1 + 1e-6), y, 1000)
        assert np.all(dg(t, y, lam, L) > 0)


@pytest.mark.parametrize("L", [3, 4, 5, 10, 100])
def test_zero_is_strict_local_minimizer(L):
    for lam in (1e-3, 1.0):
        for y in (0.5, 5.0, 1e3):
            # g(t) - g(0) = t^2/2 - t y + (lam L/2) t^{2/L}, written out to avoid cancellation:
            # positive for all small t > 0 because t^{2/L} >> t (L >= 3, lam > 0)
            # (on 0 < t < r with t y < (lam L/2) t^{2/L}, i.e. r = (lam L/(2y))^{L/(L-2)})
            r = (lam * L / (2 * y)) ** (L / (L - 2))
            t = r * np.logspace(-12, np.log10(0.5), 60)
            assert np.all(0.5 * t**2 - t * y + 0.5 * lam * L * t ** (2.0 / L) > 0)
        # and g(0) is the minimum on a grid near 0 (the minimizer is 0 below y_c)
        y = 0.5 * critical_y(lam, L)
        t = np.linspace(0, y, 10001)
        assert np.argmin(g(t, y, lam, L)) == 0


def test_scalar_minimizers_array_shapes_and_scalar_returns():
    y = np.arange(12.0).reshape(3, 4) / 4
    out = wdlib.scalar_minimizers(y, 0.3, 4)
    assert out.shape == (3, 4, 2)
    s = wdlib.scalar_minimizer(y, 0.3, 4)
    assert s.shape == (3, 4)
    np.testing.assert_array_equal(s, out[..., 1])
    # a Python float, not np.float64 (a float subclass that NumPy 2 prints as np.float64(...))
    assert type(wdlib.scalar_minimizer(1.0, 0.3, 4)) is float
    assert type(wdlib.scalar_local_minimizer(1.0, 0.3, 4)) is float
    assert type(wdlib.scalar_objective(1.0, 2.0, 0.3, 4)) is float
    for L in (1, 2, 4):                                         # a float at every depth, not a 0-d array
        assert type(wdlib.spinodal_lambda(1.0, L)) is float
    # integer / list inputs
    np.testing.assert_array_equal(wdlib.scalar_minimizers([0, 1, 2], 1, 2), [[0, 0], [0, 0], [1, 1]])


def test_scalar_objective_matches_formula_and_broadcasts():
    s = np.linspace(0, 3, 7)[:, None]
    y = np.array([0.0, 1.0, 2.5])[None, :]
    for L in (1, 2, 3, 6):
        out = wdlib.scalar_objective(s, y, 0.4, L)
        assert out.shape == (7, 3)
        np.testing.assert_allclose(out, 0.5 * (s - y) ** 2 + 0.2 * L * s ** (2 / L), rtol=1e-15)
    assert wdlib.scalar_objective(0.0, 3.0, 5.0, 4) == 4.5


# --------------------------------------------------------------- spinodal

def ysp_indep(lam, L):
    # min over s > 0 of h(s) = s + lam s^{(2-L)/L}, found by scipy (no formula)
    a = (L - 2.0) / L
    res = minimize_scalar(lambda u: np.exp(u) + lam * np.exp(-a * u), bracket=(-5.0, 5.0), tol=1e-12)
    return np.exp(res.x) + lam * np.exp(-a * res.x)


def test_spinodal_singular_value_at_depth_one_and_two_is_the_jump_point():
    # for L <= 2 there is no metastable branch: y_sp = y_c (= lam for L = 2, 0 for L = 1)
    for lam in (0.05, 1.0, 3.0):
        assert wdlib.spinodal_singular_value(lam, 2) == lam == wdlib.critical_singular_value(lam, 2)
        assert wdlib.spinodal_singular_value(lam, 1) == 0.0


@pytest.mark.parametrize("L", [3, 4, 5, 8, 10, 30])
@pytest.mark.parametrize("lam", [0.05, 1.0, 3.0])
def test_spinodal_singular_value(L, lam):
    ysp = wdlib.spinodal_singular_value(lam, L)
    np.testing.assert_allclose(ysp, ysp_indep(lam, L), rtol=1e-10)
    assert ysp < critical_y(lam, L)
    a = (L - 2.0) / L
    s_sp = (a * lam) ** (L / (2.0 * (L - 1)))  # where h' = 0
    grid = s_sp * np.concatenate([np.linspace(1e-3, 0.9, 2000), np.linspace(0.9, 1.1, 100001), np.linspace(1.1, 50, 2000)])
    # just above the spinodal g' changes sign (+ -> - -> +): a nonzero local min exists
    y_up = ysp * (1 + 1e-6)
    d = dg(grid, y_up, lam, L)
    assert np.any(d < 0) and d[0] > 0 and d[-1] > 0
    loc = wdlib.scalar_local_minimizer(y_up, lam, L)
    assert np.isfinite(loc) and loc > s_sp
    np.testing.assert_allclose(dg(loc, y_up, lam, L), 0.0, atol=1e-12 * y_up)
    # just below it g' > 0 everywhere on s > 0: g is increasing, no nonzero local min
    y_dn = ysp * (1 - 1e-6)
    assert np.all(dg(grid, y_dn, lam, L) > 0)
    assert np.isnan(wdlib.scalar_local_minimizer(y_dn, lam, L))


@pytest.mark.parametrize("L", [3, 4, 6, 10, 41, 58])
@pytest.mark.parametrize("lam", [1e-3, 1.0, 1e5, 1e6])
def test_local_minimizer_within_rounding_of_the_spinodal(L, lam):
    # regression: Newton used to wander here (L=6, lam=1e6: residual 2e-9, ~3e-6 off)
    ysp = wdlib.spinodal_singular_value(lam, L)
    a = (L - 2.0) / L
    s_sp = (a * lam) ** (L / (2.0 * (L - 1)))
    for y in (np.nextafter(ysp, np.inf), ysp * (1 + 1e-15), ysp * (1 + 1e-12), ysp * (1 + 1e-9)):
        s = wdlib.scalar_local_minimizer(y, lam, L)
        assert s >= s_sp * (1 - 1e-12)
        assert abs(s + lam * s ** (-a) - y) <= 1e-14 * y
        # the root is ill-conditioned there, but within sqrt(y/y_sp - 1)-ish of s_sp
        assert abs(s / s_sp - 1) <= 10 * np.sqrt(max(y / ysp - 1, EPS))


@pytest.mark.parametrize("L", [1, 2, 3, 4, 6, 10, 50])
def test_spinodal_lambda(L):
    y = np.array([0.0, 0.3, 1.0, 7.0])
    lsp = wdlib.spinodal_lambda(y, L)
    col = np.array([wdlib.critical_lambda(np.array([[v]]), L) for v in y])
    if L <= 2:
        np.testing.assert_allclose(lsp, col, rtol=1e-14)
    else:
        np.testing.assert_allclose(lsp, L * 2.0 ** (-2.0 * (L - 1) / L) * col, rtol=1e-13)
        assert np.all(lsp[1:] > col[1:])
        # inverse of spinodal_singular_value
        for v, ls in zip(y[1:], lsp[1:]):
            np.testing.assert_allclose(wdlib.spinodal_singular_value(ls, L), v, rtol=1e-12)
            # lam_sp is where h(s_sp) = y, found by root-finding on lam
            f = lambda lam, v=v: ysp_indep(lam, L) - v  # noqa: E731
            np.testing.assert_allclose(brentq(f, 1e-8 * ls, 10 * ls, xtol=1e-14, rtol=1e-13), ls, rtol=1e-8)


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_local_minimizer_metastable_branch(L):
    lam = 0.8
    if L >= 3:
        ysp, yc = wdlib.spinodal_singular_value(lam, L), critical_y(lam, L)
        y = np.array([0.5 * ysp, 0.5 * (ysp + yc), 2 * yc])
        loc = wdlib.scalar_local_minimizer(y, lam, L)
        assert np.isnan(loc[0])
        # metastable: a local min that is worse than zero, and the global min above y_c
        assert g(loc[1], y[1], lam, L) > g(0.0, y[1], lam, L)
        assert wdlib.scalar_minimizer(y[1], lam, L) == 0.0
        np.testing.assert_allclose(loc[2], wdlib.scalar_minimizer(y[2], lam, L), rtol=1e-15)
    else:
        y = np.array([0.0, 0.5, 2.0])
        loc = wdlib.scalar_local_minimizer(y, lam, L)
        s = wdlib.scalar_minimizer(y, lam, L)
        np.testing.assert_array_equal(np.where(s > 0, s, np.nan), loc)


# --------------------------------------------------------------- ties at ulp level

@pytest.mark.parametrize("L", [3, 4, 6, 10, 100])
@pytest.mark.parametrize("lam", [1e-3, 0.7, 40.0])
def test_one_ulp_from_critical_value_is_a_tie(L, lam):
    yc = critical_y(lam, L)
    for y in (np.nextafter(yc, 0.0), yc, np.nextafter(yc, np.inf)):
        m = wdlib.scalar_minimizers(y, lam, L)
        assert m[0] == 0.0
        np.testing.assert_allclose(m[1], (L - 2) / (L - 1) * yc, rtol=1e-12)
        assert wdlib.is_exceptional(np.array([[y]]), lam, L)
        np.testing.assert_allclose(g(m[1], y, lam, L), g(0.0, y, lam, L), rtol=1e-12)
    # consistency of the tie tolerance with is_exceptional, both sides of rtol
    for f in (-1e-8, -2e-10, -5e-11, 0.0, 5e-11, 2e-10, 1e-8):
        y = yc * (1 + f)
        m = wdlib.scalar_minimizers(y, lam, L)
        tie = m[0] != m[1]
        assert tie == wdlib.is_exceptional(np.array([[y]]), lam, L)
        assert tie == (abs(f) < 1e-10)
        if not tie:
            assert (m[1] > 0) == (f > 0)


def test_rtol_argument():
    lam, L = 0.5, 4
    yc = critical_y(lam, L)
    y = yc * (1 + 1e-6)
    assert wdlib.scalar_minimizers(y, lam, L)[0] > 0
    m = wdlib.scalar_minimizers(y, lam, L, rtol=1e-5)
    assert m[0] == 0 and m[1] > 0
    m = wdlib.scalar_minimizers(yc * (1 - 1e-6), lam, L, rtol=1e-5)
    assert m[0] == 0 and m[1] > 0
    assert wdlib.scalar_minimizers(yc, lam, L, rtol=0.0)[0] in (0.0, wdlib.scalar_minimizers(yc, lam, L, rtol=0.0)[1])


# --------------------------------------------------------------- collapse values

@pytest.mark.parametrize("L", [1, 2, 3, 5, 10])
def test_collapse_lambdas_and_critical_lambda(rng, L):
    y = np.array([5.0, 2.0, 0.5, 0.0])
    U = wdlib.random_orthogonal(4, rng)
    V = wdlib.random_orthogonal(6, rng)[:4]
    Y = U @ np.diag(y) @ V
    col = wdlib.collapse_lambdas(Y, L)
    if L == 1:
        np.testing.assert_array_equal(col, [np.inf, np.inf, np.inf, 0.0])
        assert wdlib.critical_lambda(Y, L) == np.inf
        assert wdlib.critical_lambda(np.zeros((2, 3)), L) == 0.0
        return
    mu = mu_direct(L) if L >= 3 else 1.0
    np.testing.assert_allclose(col, mu * y ** (2 * (L - 1) / L), rtol=1e-12, atol=1e-300)
    assert np.all(np.diff(col) <= 0)
    np.testing.assert_allclose(wdlib.critical_lambda(Y, L), col[0], rtol=1e-13)
    assert wdlib.critical_lambda(np.zeros((3, 2)), L) == 0.0


# --------------------------------------------------------------- exact boundaries (mutation gaps)

@pytest.mark.parametrize("L", [3, 4, 7, 30])
@pytest.mark.parametrize("lam", [1e-3, 0.5, 20.0])
def test_exact_tie_with_rtol_zero_returns_both_minimizers(L, lam):
    # kills `<=` -> `<` in the tie test: at y == y_c exactly, rtol=0 still means a tie
    yc = critical_y(lam, L)
    lo, hi = wdlib.scalar_minimizers(yc, lam, L, rtol=0.0)
    assert lo == 0.0
    np.testing.assert_allclose(hi, (L - 2) / (L - 1) * yc, rtol=1e-12)
    # both are global minimizers of the independent objective (equal values)
    np.testing.assert_allclose(g(hi, yc, lam, L), g(0.0, yc, lam, L), rtol=1e-12)
    assert wdlib.is_exceptional(np.array([[yc]]), lam, L, rtol=0.0)
    # one ulp away the tie is gone with rtol=0: a single minimizer on each side
    below, above = np.nextafter(yc, 0.0), np.nextafter(yc, np.inf)
    np.testing.assert_array_equal(wdlib.scalar_minimizers(below, lam, L, rtol=0.0), [0.0, 0.0])
    lo_a, hi_a = wdlib.scalar_minimizers(above, lam, L, rtol=0.0)
    assert lo_a == hi_a > 0
    assert not wdlib.is_exceptional(np.array([[below]]), lam, L, rtol=0.0)
    assert not wdlib.is_exceptional(np.array([[above]]), lam, L, rtol=0.0)


@pytest.mark.parametrize("L", [3, 4, 7, 30])
@pytest.mark.parametrize("lam", [1e-3, 0.5, 20.0])
def test_exactly_at_the_spinodal_no_local_minimizer_and_not_bistable(L, lam):
    # kills `y > ysp` -> `y >= ysp`: at y == y_sp the stationary point is an inflection
    ysp = wdlib.spinodal_singular_value(lam, L)
    assert np.isnan(wdlib.scalar_local_minimizer(ysp, lam, L))
    assert np.isnan(wdlib.scalar_local_minimizer(np.array([ysp]), lam, L)[0])
    d = wdlib.phase.scalar_phase_diagram([ysp], [lam], L)
    assert not d["bistable"][0, 0] and np.isnan(d["local"][0, 0]) and d["s"][0, 0] == 0.0
    # independent: g' = h - y_sp >= 0 on a grid around s_sp (no sign change from - to +)
    s_sp = ((L - 2.0) / L * lam) ** (L / (2.0 * (L - 1)))
    grid = s_sp * np.linspace(0.5, 2.0, 2001)
    assert np.all(dg(grid, ysp, lam, L) >= -1e-12 * ysp)
    # just above it the local minimizer exists, and the grid point is bistable
    up = ysp * (1 + 1e-9)
    assert np.isfinite(wdlib.scalar_local_minimizer(up, lam, L))
    assert wdlib.phase.scalar_phase_diagram([up], [lam], L)["bistable"][0, 0]


@pytest.mark.parametrize("depth", [3, 4, 7])
def test_collapse_lambdas_of_a_rank_deficient_target_are_zero_without_warnings(depth):
    # exact zero singular values collapse at lam = 0; no log(0) is ever evaluated
    Y = np.diag([2.0, 0.5, 0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lam = wdlib.collapse_lambdas(Y, depth)
        diagram = wdlib.scalar_phase_diagram([0.0, 1.0], [0.1], depth)
    mu = wdlib.threshold_constant(depth)
    np.testing.assert_allclose(lam[:2], mu * np.array([2.0, 0.5]) ** (2 * (depth - 1) / depth),
                               rtol=1e-13)
    assert lam[2] == 0.0 and lam[3] == 0.0
    assert diagram["lam_star"][0] == 0.0 and diagram["lam_star"][1] == pytest.approx(mu)


def test_critical_lambda_of_an_empty_target_is_zero():
    for shape in ((0, 3), (3, 0)):
        for depth in (1, 2, 3):
            assert wdlib.critical_lambda(np.zeros(shape), depth) == 0.0
