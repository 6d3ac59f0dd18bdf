"""Tests of wdlib.dynamics: the per-mode gradient flow of aligned balanced starts.

References are independent of wdlib.dynamics: the velocity from finite
differences of the scalar chain's loss (tests/_reference.py), trajectories from
scipy.integrate.solve_ivp on the ODE typed in afresh, times from
scipy.integrate.quad, roots of h(s) = y by scipy's brentq, and plain gradient
descent (wdlib.grad in a loop) from aligned starts.
"""

import warnings

import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq

import wdlib
from _reference import fd_grad

TS = np.array([0.0, 0.3, 1.0, 2.5, 6.0, 15.0, 40.0])


def velocity(s, y, lam, L):
    return -L * s ** (2.0 * (L - 1) / L) * (s - y) - lam * L * s


def ivp(y, lam, L, s0, ts):
    """The ODE in u = log s (positive starts), by DOP853 at tight tolerances."""
    rhs = lambda t, u: [-L * np.exp(u[0] * (L - 2) / L) * (np.exp(u[0]) - y) - lam * L]  # noqa: E731
    r = solve_ivp(rhs, (0.0, ts[-1]), [np.log(s0)], t_eval=ts, rtol=1e-11, atol=1e-13, method="DOP853")
    assert r.success
    return np.exp(r.y[0])


def velocity_slope(s, y, lam, L):
    """d velocity / ds, differentiated by hand."""
    return -L * (2.0 * (L - 1) / L * s ** ((L - 2) / L) * (s - y) + s ** (2.0 * (L - 1) / L)) - lam * L


def roots(y, lam, L):
    """Both roots of s + lam s^((2-L)/L) = y by bracketing around the spinodal point."""
    a = (L - 2) / L
    s_sp = (a * lam) ** (1 / (1 + a))
    k = lambda s: s + lam * s ** (-a) - y  # noqa: E731
    return brentq(k, 1e-300 ** 0.2, s_sp, xtol=1e-300, rtol=1e-15), brentq(k, s_sp, y, xtol=1e-300, rtol=1e-15)


# --------------------------------------------------------------- velocity

@pytest.mark.parametrize("L", [1, 2, 3, 4, 6])
def test_velocity_is_the_flow_of_a_balanced_scalar_chain(L):
    """ds/dt = sum_l (dP/dW_l) (-dF/dW_l) for W_l = a = s^(1/L), gradient by finite differences."""
    lam = 0.2
    for y in (0.0, 0.7, 2.3):
        for s in (0.05, 0.9, 3.0):
            a = s ** (1.0 / L)
            W = [np.array([[a]]) for _ in range(L)]
            G = fd_grad(W, np.array([[y]]), lam, h=1e-6)
            ds = -sum(a ** (L - 1) * g[0, 0] for g in G)
            np.testing.assert_allclose(wdlib.mode_velocity(s, y, lam, L), ds, rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------- mode_flow against solve_ivp

@pytest.mark.parametrize("L,lam", [(1, 0.1), (2, 0.0), (2, 0.1), (3, 0.0), (3, 0.1), (3, 0.45), (4, 0.1),
                                   (5, 0.2)])
def test_mode_flow_matches_solve_ivp(L, lam):
    ys = [2.0, 1.1, 0.25]
    s0s = [1e-4, 3e-3, 0.4, 3.0]
    got = wdlib.mode_flow(np.array(ys)[:, None], lam, L, np.array(s0s)[None, :], TS)
    assert got.shape == (len(ys), len(s0s), TS.size)
    for i, y in enumerate(ys):
        for j, s0 in enumerate(s0s):
            ref = ivp(y, lam, L, s0, TS)
            np.testing.assert_allclose(got[i, j], ref, rtol=1e-7, atol=1e-14, err_msg=f"y={y} s0={s0}")


@pytest.mark.parametrize("L", [3, 4])
def test_mode_flow_near_the_threshold_and_the_spinodal(L):
    lam = 0.1
    ysp = wdlib.spinodal_singular_value(lam, L)
    ts = np.array([0.0, 5.0, 30.0, 80.0])
    for y in (1.001 * ysp, 0.999 * ysp, 1.2 * ysp):
        for s0 in (0.02, 0.3):
            np.testing.assert_allclose(wdlib.mode_flow(y, lam, L, s0, ts), ivp(y, lam, L, s0, ts), rtol=1e-7)
    y = 1.5
    s_m = wdlib.escape_threshold(y, lam, L)
    for s0, grows in ((s_m * (1 + 1e-6), True), (s_m * (1 - 1e-6), False)):
        end = wdlib.mode_flow(y, lam, L, s0, [0.0, 60.0])
        np.testing.assert_allclose(end, ivp(y, lam, L, s0, np.array([0.0, 60.0])), rtol=1e-6, atol=1e-300)
        assert (end[1] > s0) == grows


def test_mode_flow_fixed_points_limits_and_shapes():
    lam, L = 0.1, 3
    y = np.array([2.0, 1.0])
    s_plus = wdlib.scalar_local_minimizer(y, lam, L)
    s_minus = wdlib.escape_threshold(y, lam, L)
    np.testing.assert_array_equal(wdlib.mode_flow(y, lam, L, s_plus, [0.0, 7.0]), np.c_[s_plus, s_plus])
    np.testing.assert_array_equal(wdlib.mode_flow(y, lam, L, s_minus, 7.0), s_minus)
    np.testing.assert_array_equal(wdlib.mode_flow(y, lam, L, 0.0, 3.0), 0.0)
    np.testing.assert_allclose(wdlib.mode_flow(y, lam, L, 1.0, 1e3), s_plus, rtol=1e-12)   # the stable root
    assert wdlib.mode_flow(2.0, lam, L, 1e-6, 1e4) == 0.0                                   # decayed below 1e-300
    np.testing.assert_allclose(wdlib.mode_flow(2.0, lam, L, 1e-6, 1e3), ivp(2.0, lam, L, 1e-6, np.array([0, 1e3]))[1],
                               rtol=1e-6)
    assert isinstance(wdlib.mode_flow(2.0, lam, L, 0.5, 1.0), float)
    assert wdlib.mode_flow(np.ones((2, 3)), lam, 2, 0.5, np.ones(4)).shape == (2, 3, 4)
    # L = 1 and L = 2 limits: y/(1+lam) and max(y - lam, 0)
    np.testing.assert_allclose(wdlib.mode_flow(y, lam, 1, 0.3, 200.0), y / (1 + lam), rtol=1e-12)
    np.testing.assert_allclose(wdlib.mode_flow([2.0, 0.05], lam, 2, 0.3, 2e3), [1.9, 0.0], atol=1e-12)
    # L = 2 at y = lam exactly: s0 / (1 + 2 s0 t)
    np.testing.assert_allclose(wdlib.mode_flow(0.1, 0.1, 2, 0.5, 3.0), 0.5 / (1 + 3.0), rtol=1e-12)


@pytest.mark.parametrize("L", [3, 4])
def test_starts_within_rounding_of_an_equilibrium(L):
    """Starts a few ulps from s_- or s_+ (whose L-th roots round to a_-, a_+): finite times and trajectories.

    Near an equilibrium s_e the time is log|s - s_e| / f'(s_e) + const, so times
    to or from k ulps differ by log(k) / f'(s_e).
    """
    lam, y = 0.1, 2.0
    s_m, s_p = wdlib.escape_threshold(y, lam, L), wdlib.scalar_local_minimizer(y, lam, L)
    k = np.array([1.0, 2.0, 3.0, 8.0])
    for s_e, sign, other in ((s_m, 1, 1.0), (s_m, -1, 1e-3 * s_m)):        # from s_-: up to 1, down to 0
        s0 = s_e + sign * k * np.spacing(s_e)
        T = wdlib.time_to_reach(y, lam, L, s0, other)
        np.testing.assert_allclose(T[0] - T[1:], np.log(k[1:]) / velocity_slope(s_e, y, lam, L), rtol=1e-6)
        np.testing.assert_array_equal(wdlib.time_to_reach(y, lam, L, s0, s0), 0.0)
        np.testing.assert_allclose(wdlib.mode_flow(y, lam, L, s0[0], T[0]), other, rtol=1e-8)
    for sign, start in ((1, 3.0), (-1, 0.5)):                               # to s_+ from above and below
        s1 = s_p + sign * k * np.spacing(s_p)
        T = wdlib.time_to_reach(y, lam, L, start, s1)
        np.testing.assert_allclose(T[1:] - T[0], np.log(k[1:]) / velocity_slope(s_p, y, lam, L), rtol=1e-6)
        np.testing.assert_array_equal(wdlib.time_to_reach(y, lam, L, s1, s1), 0.0)
    s0 = np.concatenate([s_m + k * np.spacing(s_m), s_m - k * np.spacing(s_m), s_p + k * np.spacing(s_p),
                         s_p - k * np.spacing(s_p)])
    s = wdlib.mode_flow(y, lam, L, s0, [0.0, 1e4])
    np.testing.assert_allclose(s[:, 0], s0, rtol=1e-14)
    np.testing.assert_array_equal(s[:, 1], np.repeat([s_p, 0.0, s_p, s_p], k.size))


def y_zero_times(lam, L, s0, s1):
    """Exact time from s0 to s1 for y = 0, lam > 0: w = s^(-(2L-2)/L) obeys w' = (2L-2)(1 + lam w), so
    log(1 + lam w) grows linearly (in logarithms: w overflows for s1 near 1e-300)."""
    k = 2.0 * L - 2
    lw0, lw1 = -k / L * np.log(s0), -k / L * np.log(s1)
    return (np.logaddexp(0, np.log(lam) + lw1) - np.logaddexp(0, np.log(lam) + lw0)) / (k * lam)


@pytest.mark.parametrize("L,lam", [(3, 0.1), (4, 2.5), (7, 0.3)])
def test_mode_flow_and_time_to_reach_for_y_zero_against_the_closed_form(L, lam):
    """y = 0 (no equilibrium but 0): every start decays along the closed form, down to 1e-300 and then 0."""
    s1 = np.array([0.5, 1e-3, 1e-50, 1e-200, 1e-290, 2e-300])
    for s0 in (0.7, 5.0, 3e4):
        T = y_zero_times(lam, L, s0, s1)
        np.testing.assert_allclose(wdlib.time_to_reach(0.0, lam, L, s0, s1), T, rtol=1e-11)
        np.testing.assert_allclose(wdlib.mode_flow(0.0, lam, L, s0, T), s1, rtol=1e-10)
    # values below 1e-300 are returned as 0, also for a start below it
    assert wdlib.mode_flow(0.0, lam, L, 0.7, y_zero_times(lam, L, 0.7, 1e-301)) == 0.0
    np.testing.assert_array_equal(wdlib.mode_flow(0.0, lam, L, [1e-305, 0.0], [0.0, 1.0]), 0.0)


@pytest.mark.parametrize("L", [3, 5])
def test_mode_flow_without_weight_decay_for_y_zero_decays_algebraically(L):
    """lam = 0, y = 0: s^(-(2L-2)/L) grows linearly, the decay never reaches 1e-300 in double-precision time."""
    s0 = np.array([1e-3, 0.7, 5.0, 3e4])
    ts = np.array([0.0, 1e-3, 0.4, 3.0, 20.0, 1e3])
    got = wdlib.mode_flow(0.0, 0.0, L, s0, ts)
    for i, s in enumerate(s0):
        np.testing.assert_allclose(got[i], ivp(0.0, 0.0, L, s, ts), rtol=1e-8)
    # s0 = 1e300 forgets its start, s0 = 1e-300 has hardly moved (s0^(-(2L-2)/L) >> (2L-2) t)
    np.testing.assert_allclose(wdlib.mode_flow(0.0, 0.0, L, [1e300, 1e-300], 1e200),
                               [(1e200 * (2 * L - 2)) ** (-L / (2 * L - 2)), 1e-300], rtol=1e-12)
    s1 = np.array([0.5, 1e-3, 1e-30])
    np.testing.assert_allclose(wdlib.time_to_reach(0.0, 0.0, L, 0.7, s1),
                               (s1 ** (-(2 * L - 2) / L) - 0.7 ** (-(2 * L - 2) / L)) / (2 * L - 2), rtol=1e-9)


@pytest.mark.parametrize("L", [3, 4])
def test_mode_flow_from_huge_starts(L):
    """From s0 = 1e200 or 1e300 the flow comes down in a time ~ s0^(-(2L-2)/L) (< 1e-260): both follow the
    trajectory from 1e300, whose time to s1 is the integral of -d(log s) / (d(log s)/dt) (by quad)."""
    lam = 0.1
    for y in (0.0, 0.3, 2.0):                                   # no root, no root, above s_+
        s1 = np.array([1e5, 50.0, 3.0])
        rate = lambda u, y=y: 1.0 / (L * np.exp(u * (L - 2) / L) * (np.exp(u) - y) + lam * L)  # noqa: E731
        with np.errstate(over="ignore"):                       # the rate is 0 far up
            T = [quad(rate, np.log(v), np.log(1e300), epsabs=0, epsrel=1e-13, limit=200)[0] for v in s1]
        got = wdlib.mode_flow(y, lam, L, [1e200, 1e300], T)
        np.testing.assert_allclose(got, [s1, s1], rtol=1e-9)
        np.testing.assert_allclose(wdlib.time_to_reach(y, lam, L, 1e300, s1), T, rtol=1e-11)


@pytest.mark.parametrize("L", [3, 4])
def test_mode_flow_from_far_above_to_a_tight_tolerance(L):
    """From s0 = 1e8, above both roots or without roots, weak to strong weight decay, to targets from 1e6
    down to near the attractor: at the times quad gives, mode_flow returns the targets to 1e-10 (3e-10 at 1%
    below y_sp; the table meets 3e-11), and time_to_reach gives those times to 1e-12. Far above, dt/dzeta ~ exp((2L-2) zeta) needs narrow panels down to
    a ~ max(y^(1/L), lam^(1/(2L-2)))."""
    ysp = wdlib.spinodal_singular_value(10.0, L)
    for lam, y, s1, rtol in ((0.1, 2.0, [1e4, 10.0, 2.5], 1e-10), (0.1, 0.05, [1e4, 10.0, 1.0, 0.1, 1e-3], 1e-10),
                             (1e-4, 0.0, [1e6, 1e4, 10.0, 1e-2], 1e-10), (10.0, 0.0, [1e6, 1e4, 100.0, 1.0], 1e-10),
                             (10.0, 0.99 * ysp, [1e6, 1e4, 100.0, 2.0], 3e-10)):
        ref = [log_time(y, lam, L, 1e8, v) for v in s1]
        np.testing.assert_allclose(wdlib.mode_flow(y, lam, L, 1e8, ref), s1, rtol=rtol, err_msg=f"y={y} lam={lam}")
        np.testing.assert_allclose(wdlib.time_to_reach(y, lam, L, 1e8, s1), ref, rtol=1e-12, err_msg=f"y={y} lam={lam}")


def test_mode_flow_past_the_spinodal_ghost_to_a_tight_tolerance():
    """At 1e-5 below y_sp (L = 6) the flow lingers near s_sp, where dt/dzeta peaks in a window ~ 3e-3
    wide. The error of s(t), as a time, (s - s1) / f(s1), stays below 3e-11 t before, at and after the ghost
    (the refined table gives 4e-12; with half the refinement points on one side it is 4e-10)."""
    lam, L = 0.1, 6
    ysp = wdlib.spinodal_singular_value(lam, L)
    s_sp = (lam * (L - 2) / L) ** (L / (2 * L - 2))
    y = ysp * (1 - 1e-5)
    s1 = np.array([1.01 * s_sp, s_sp, 0.99 * s_sp, 0.5 * s_sp, 1e-3 * s_sp])
    ref = np.array([log_time(y, lam, L, 3 * s_sp, v, points=[np.log(s_sp)]) for v in s1])
    got = wdlib.mode_flow(y, lam, L, 3 * s_sp, ref)
    assert np.all(np.abs((got - s1) / velocity(s1, y, lam, L)) < 3e-11 * ref)


@pytest.mark.parametrize("L", [3, 4])
def test_mode_flow_at_the_spinodal_value(L):
    """y = y_sp: the roots merge into s_sp = (lam (L-2)/L)^(L/(2L-2)), a fixed point that the flow creeps down
    to from above (algebraically) and leaves from below; no start escapes."""
    lam = 0.1
    ysp = wdlib.spinodal_singular_value(lam, L)
    s_sp = (lam * (L - 2) / L) ** (L / (2 * L - 2))
    ts = np.array([0.0, 1.0, 10.0, 100.0])
    for s0 in (3 * s_sp, 1.2 * s_sp, 0.8 * s_sp, 0.2 * s_sp):
        np.testing.assert_allclose(wdlib.mode_flow(ysp, lam, L, s0, ts), ivp(ysp, lam, L, s0, ts), rtol=1e-7)
    np.testing.assert_allclose(wdlib.mode_flow(ysp, lam, L, s_sp, ts), s_sp, rtol=1e-12)
    np.testing.assert_array_equal(wdlib.escape_threshold([ysp, 2 * ysp, ysp], lam, L) == np.inf, [True, False, True])
    t = wdlib.time_to_reach(ysp, lam, L, [3 * s_sp, 0.8 * s_sp], [1.2 * s_sp, 0.2 * s_sp])
    ref = [quad(lambda s: 1.0 / velocity(s, ysp, lam, L), a, b, epsabs=0, epsrel=1e-12)[0]
           for a, b in ((3 * s_sp, 1.2 * s_sp), (0.8 * s_sp, 0.2 * s_sp))]
    np.testing.assert_allclose(t, ref, rtol=1e-9)


@pytest.mark.parametrize("L", [3, 4])
def test_tiny_starts_decay_exponentially_down_to_the_floor(L):
    """For s below ~1e-290 the flow is linear, ds/dt = -lam L s (the other term is < 1e-90 times smaller), so
    s(t) = s0 exp(-lam L t) to rounding, and values below 1e-300 are returned as 0: starts below s_- (also with
    a_- = s_-^(1/L) > 1, lam = 1000), without roots, and within a factor 3 of the floor or under it."""
    for lam, y in ((0.1, 2.0), (0.1, 0.3), (1000.0, 2 * wdlib.spinodal_singular_value(1000.0, L))):
        for s0 in (1e-297, 3e-300, 5e-301):
            t = np.array([0.0, 0.1, 1.0, 2.0, 5.0, 8.0]) / (lam * L)
            ref = s0 * np.exp(-lam * L * t)
            np.testing.assert_allclose(wdlib.mode_flow(y, lam, L, s0, t), np.where(ref < 1e-300, 0.0, ref),
                                       rtol=1e-11, atol=0, err_msg=f"y={y} lam={lam} s0={s0}")
    assert wdlib.escape_threshold(2 * wdlib.spinodal_singular_value(1000.0, L), 1000.0, L) > 1
    # only values below 1e-300 are returned as 0: the equilibrium s = y = 1e-300 (lam = 0) is kept
    np.testing.assert_array_equal(wdlib.mode_flow(1e-300, 0.0, L, 1e-300, [0.0, 5.0]), 1e-300)


@pytest.mark.parametrize("L", [3, 4])
def test_no_root_flow_with_negligible_weight_decay(L):
    """y = 0, lam = 1e-250: the ghost of the roots lies at s_sp ~ 1e-188, far down the table. While lam s is
    negligible, s^(-(2L-2)/L) = s0^(-(2L-2)/L) + (2L-2) t (the decay of y = 0, lam = 0); at t = 1e300 the mode
    is below the 1e-300 floor: 0."""
    k = 2.0 * L - 2.0
    t = np.array([0.0, 1.0, 1e10, 1e100, 1e300])
    ref = (1.0 + k * t[:4]) ** (-L / k)
    np.testing.assert_allclose(wdlib.mode_flow(0.0, 1e-250, L, 1.0, t), np.r_[ref, 0.0], rtol=1e-10, atol=0)


def test_mode_flow_with_many_distinct_targets():
    """Over 128 distinct y in one basin (the time tables are built in blocks of 64 rows): each row as if alone."""
    lam, L = 0.1, 3
    ts = np.array([0.0, 2.0, 9.0])
    for y, s0 in ((np.linspace(1.0, 4.0, 150), 0.01), (np.linspace(0.01, 0.3, 150), 0.2)):   # between / no root
        got = wdlib.mode_flow(y, lam, L, s0, ts)
        for i in (0, 63, 64, 65, 127, 128, 149):
            np.testing.assert_allclose(got[i], wdlib.mode_flow(y[i], lam, L, s0, ts), rtol=1e-12)
        np.testing.assert_allclose(got[149], ivp(y[149], lam, L, s0, ts), rtol=1e-7)


def test_mode_flow_small_depths_edge_cases():
    """L = 2: s0 = 0 stays 0 and decaying modes reach exactly 0 at huge times, without overflow warnings;
    L = 2 and L = 1 against solve_ivp from s0 = 1."""
    lam = 0.1
    np.testing.assert_array_equal(wdlib.mode_flow([2.0, 0.05, 0.1], lam, 2, 0.0, [0.0, 1.0, 1e4, 1e300]), 0.0)
    np.testing.assert_array_equal(wdlib.mode_flow(0.05, lam, 2, 0.3, [1e5, 1e300]), 0.0)        # y < lam
    np.testing.assert_allclose(wdlib.mode_flow(lam, lam, 2, 0.3, 1e300), 0.3 / (1 + 0.6e300), rtol=1e-15)
    np.testing.assert_allclose(wdlib.mode_flow(2.0, lam, 2, [0.3, 1.0], 1e300), 1.9, rtol=1e-15)
    for L in (1, 2):
        np.testing.assert_allclose(wdlib.mode_flow(0.6, lam, L, 1.0, TS), ivp(0.6, lam, L, 1.0, TS), rtol=1e-9)


def test_mode_flow_is_a_flow():
    """s(t1 + t2; s0) = s(t2; s(t1; s0)): the semigroup property, for all basins."""
    for L in (2, 3, 4):
        for y, s0 in ((2.0, 0.01), (2.0, 2.5), (0.3, 0.5), (1.0, 0.2)):
            mid = wdlib.mode_flow(y, 0.1, L, s0, 1.7)
            np.testing.assert_allclose(wdlib.mode_flow(y, 0.1, L, mid, 2.2), wdlib.mode_flow(y, 0.1, L, s0, 3.9),
                                       rtol=1e-9)


# --------------------------------------------------------------- escape threshold

@pytest.mark.parametrize("L", [3, 4, 5, 8])
def test_escape_threshold_is_the_smaller_root(L):
    lam = 0.05
    ysp = wdlib.spinodal_singular_value(lam, L)
    ys = np.array([1.0001 * ysp, 1.3 * ysp, 1.0, 4.0])
    got = wdlib.escape_threshold(ys, lam, L)
    for y, g in zip(ys, got):
        np.testing.assert_allclose(g, roots(y, lam, L)[0], rtol=1e-10)
        # and f changes sign there: negative just below, positive just above
        assert velocity(g * (1 - 1e-7), y, lam, L) < 0 < velocity(g * (1 + 1e-7), y, lam, L)
    assert np.all(wdlib.escape_threshold([0.0, 0.5 * ysp, ysp], lam, L) == np.inf)


def test_escape_threshold_asymptotics_and_small_depths():
    for L in (3, 4, 6):
        for y in (1.0, 3.0):
            for lam in (0.1, 1e-2, 1e-4):
                s_m = wdlib.escape_threshold(y, lam, L)
                # s_- = (lam / (y - s_-))^(L/(L-2)): relative correction about L/(L-2) * s_-/y
                assert abs(s_m / (lam / y) ** (L / (L - 2)) - 1) <= 2 * L / (L - 2) * s_m / y + 1e-12
    assert wdlib.escape_threshold(0.3, 0.5, 1) == 0.0
    np.testing.assert_array_equal(wdlib.escape_threshold([0.4, 0.5, 0.6], 0.5, 2), [np.inf, np.inf, 0.0])
    assert wdlib.escape_threshold(1.0, 0.0, 3) == 0.0


# --------------------------------------------------------------- time_to_reach

@pytest.mark.parametrize("L,lam", [(3, 5.0), (4, 2.0), (3, 1e-3)])
def test_escape_threshold_strong_weight_decay_and_vectorization(L, lam):
    """Strong and weak lam, y from 0 through the spinodal value: brentq's root or inf; an array gives, bit for
    bit, what each y gives alone."""
    ysp = wdlib.spinodal_singular_value(lam, L)
    ys = np.array([0.0, 0.5 * ysp, ysp, ysp * (1 + 1e-9), ysp * (1 + 1e-4), 1.5 * ysp, 10 * ysp])
    got = wdlib.escape_threshold(ys, lam, L)
    np.testing.assert_array_equal(got[:3], np.inf)
    for y, g in zip(ys[3:], got[3:]):
        np.testing.assert_allclose(g, roots(y, lam, L)[0], rtol=1e-9)
    alone = [wdlib.escape_threshold(y, lam, L) for y in ys]
    assert all(isinstance(a, float) for a in alone)
    np.testing.assert_array_equal(alone, got)
    np.testing.assert_array_equal(wdlib.escape_threshold([0.0, 0.5], 0.0, L), [np.inf, 0.0])     # lam = 0


@pytest.mark.parametrize("L", [1, 2, 3, 4, 6])
def test_time_to_reach_matches_quadrature_and_inverts_mode_flow(L):
    lam = 0.1
    for y, s0, s1 in ((2.0, 0.05, 1.5), (2.0, 3.0, 2.2), (0.3, 0.25, 0.01), (1.2, 0.5, 0.9)):
        t = wdlib.time_to_reach(y, lam, L, s0, s1)
        lim = wdlib.mode_flow(y, lam, L, s0, 1e4)
        if not (min(s0, lim) <= s1 < max(s0, lim)):
            assert t == np.inf
            continue
        ref, err = quad(lambda s, y=y: 1.0 / velocity(s, y, lam, L), s0, s1, epsabs=0, epsrel=1e-12, limit=200)
        np.testing.assert_allclose(t, ref, rtol=1e-9)
        np.testing.assert_allclose(wdlib.mode_flow(y, lam, L, s0, t), s1, rtol=1e-8)


def log_time(y, lam, L, s0, s1, points=None):
    """The time from s0 to s1 as the integral of dt/d(log s) = 1 / (f(s)/s), by quad at 1e-13 relative."""
    rate = lambda u: 1.0 / (-L * np.exp(u * (L - 2) / L) * (np.exp(u) - y) - lam * L)  # noqa: E731
    a, b = np.log(s0), np.log(s1)
    pts = [p for p in (points or []) if min(a, b) < p < max(a, b)] or None
    return quad(rate, a, b, epsabs=0, epsrel=1e-13, limit=500, points=pts)[0]


@pytest.mark.parametrize("L", [3, 4, 6, 10])
def test_deep_flow_without_weight_decay_from_tiny_starts(L):
    """lam = 0, s0 << y: times against quad, and mode_flow back at those times. For L >= 4 the rate in the
    logit coordinate used to cancel to rounding noise for a << a_+ (the time to 0.5 was 3% off from 1e-30 at
    L = 6; nan with a division warning from 1e-200). Targets within a factor 1e4 of s0 keep s(t) well
    conditioned although t ~ s0^(-(L-2)/L) is huge. dt/dzeta grows like exp(-(L-2) zeta) as a -> 0: with
    equal panels mode_flow was 0.8% off from 1e-200 at L = 10 (2e-6 at L = 6); the panels there are now at
    most 1/(L-2) wide."""
    y = 1.0
    for s0 in (1e-12, 1e-30, 1e-200):
        s1 = np.array([10 * s0, 1e4 * s0, 0.5, 0.99])
        ref = [log_time(y, 0.0, L, s0, v) for v in s1]
        np.testing.assert_allclose(wdlib.time_to_reach(y, 0.0, L, s0, s1), ref, rtol=1e-12)
        np.testing.assert_allclose(wdlib.mode_flow(y, 0.0, L, s0, ref[:2]), s1[:2], rtol=1e-9)


@pytest.mark.parametrize("L", [3, 4])
def test_starts_of_very_different_sizes_without_weight_decay(L):
    """lam = 0: starts 1e-200, 1e-40, 1e-3 and 0.3 with one y, in one call, each give what it gives alone
    (the time from 1e-200 to 1e-3 is ~1e66 for L = 3: measured from there, a start 1e-3 was returned as 0.5 at
    t = 0)."""
    t = np.array([0.0, 1.0, 10.0, 100.0])
    s0 = np.array([1e-200, 1e-40, 1e-3, 0.3])
    for y in (0.5, 1.0):
        got = wdlib.mode_flow(y, 0.0, L, s0, t)
        for i, s in enumerate(s0):
            np.testing.assert_allclose(got[i], wdlib.mode_flow(y, 0.0, L, s, t), rtol=1e-13, err_msg=f"s0={s}")
        np.testing.assert_allclose(got[2], ivp(y, 0.0, L, 1e-3, t), rtol=1e-8)


@pytest.mark.parametrize("L", [3, 4])
def test_time_to_reach_past_the_spinodal_ghost(L):
    """Just below y_sp a decaying mode creeps past s_sp, where f nearly vanishes (the ghost of the merged
    roots): nearly all the time is spent in a narrow window there, which equal panels in zeta missed (the
    time came out 0.2% short at 1e-4 below y_sp and 55% short at 1e-6). Against quad, split at s_sp."""
    lam = 0.1
    ysp = wdlib.spinodal_singular_value(lam, L)
    s_sp = (lam * (L - 2) / L) ** (L / (2 * L - 2))
    for d in (1e-2, 1e-4, 1e-6):
        y = ysp * (1 - d)
        s1 = np.array([1.5 * s_sp, 0.999 * s_sp, 0.5 * s_sp])
        ref = [log_time(y, lam, L, 3 * s_sp, v, points=[np.log(s_sp)]) for v in s1]
        np.testing.assert_allclose(wdlib.time_to_reach(y, lam, L, 3 * s_sp, s1), ref, rtol=1e-10)
        np.testing.assert_allclose(wdlib.mode_flow(y, lam, L, 3 * s_sp, ref), s1, rtol=1e-7)


def test_time_to_reach_special_values_and_log_divergence():
    lam, L, y = 0.1, 3, 2.0
    assert wdlib.time_to_reach(y, lam, L, 0.5, 0.5) == 0.0
    assert wdlib.time_to_reach(y, lam, L, 0.5, 0.4) == np.inf                # the flow goes up
    assert wdlib.time_to_reach(y, lam, L, 0.5, 1.95) == np.inf               # above the stable root
    assert wdlib.time_to_reach(y, lam, L, 1e-5, 0.5) == np.inf               # below the threshold
    assert wdlib.time_to_reach(0.5, 0.3, L, 0.4, 0.45) == np.inf             # y < y_sp: all decay
    # plateau length grows like log(1/(s0 - s_-)) / f'(s_-)
    s_m = wdlib.escape_threshold(y, lam, L)
    fp = (velocity(s_m * (1 + 1e-6), y, lam, L) - velocity(s_m * (1 - 1e-6), y, lam, L)) / (2e-6 * s_m)
    deltas = s_m * np.array([1e-3, 1e-5, 1e-7, 1e-9])
    times = wdlib.time_to_reach(y, lam, L, s_m + deltas, 1.0)
    slopes = -np.diff(times) / np.diff(np.log(deltas))
    np.testing.assert_allclose(slopes, 1 / fp, rtol=1e-3)
    # broadcasting
    assert wdlib.time_to_reach([1.0, 2.0], lam, 2, 0.1, [[0.5], [0.6]]).shape == (2, 2)


def test_time_to_reach_at_the_attractor_and_closed_forms_of_small_depths():
    """s1 exactly at the limit of the trajectory is never reached (inf), from either side and at every depth;
    L = 2 with y - lam = 0 or 1 against quad; L = 2 from s0 = 0 never leaves."""
    lam, y = 0.1, 2.0
    s_p = wdlib.scalar_local_minimizer(y, lam, 3)
    np.testing.assert_array_equal(wdlib.time_to_reach(y, lam, 3, [0.5, 3.0, 1e-5], [s_p, s_p, 0.0]), np.inf)
    assert wdlib.time_to_reach(0.3, lam, 3, 0.5, 0.0) == np.inf                      # no root: to 0
    np.testing.assert_array_equal(wdlib.time_to_reach(y, lam, 2, [0.5, 3.0], y - lam), np.inf)
    assert wdlib.time_to_reach(0.05, lam, 2, 0.3, 0.0) == np.inf
    np.testing.assert_array_equal(wdlib.time_to_reach(y, lam, 1, [0.5, 3.0], y / (1 + lam)), np.inf)
    np.testing.assert_array_equal(wdlib.time_to_reach(y, lam, 2, 0.0, [0.0, 0.5]), [0.0, np.inf])
    for y, lam, s0, s1 in ((0.1, 0.1, 0.5, 0.2), (1.5, 0.5, 0.2, 0.7), (1.5, 0.5, 2.0, 1.1), (0.5, 0.1, 0.3, 0.35)):
        ref = quad(lambda s, y=y, lam=lam: 1.0 / velocity(s, y, lam, 2), s0, s1, epsabs=0, epsrel=1e-13)[0]
        np.testing.assert_allclose(wdlib.time_to_reach(y, lam, 2, s0, s1), ref, rtol=1e-11)
    got = wdlib.time_to_reach(np.array([0.1, 1.5]), 0.1, 2, 0.2, 0.15)
    assert got.dtype == np.float64 and got[0] > 0 and got[1] == np.inf


def test_no_warnings_of_any_kind():
    """The public functions of wdlib.dynamics emit no warning at all (not only no RuntimeWarning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wdlib.escape_threshold([0.5, 2.0], 0.1, 3)
        wdlib.mode_flow([[0.05], [2.0]], 0.1, 3, [1e-5, 0.5, 3.0], [0.0, 1.0])
        wdlib.time_to_reach([0.05, 2.0], 0.1, 3, 0.5, 0.3)
        wdlib.mode_velocity(0.5, 2.0, 0.1, 3)


def test_scalar_in_scalar_out_and_arrays_keep_their_shape():
    assert isinstance(wdlib.mode_velocity(0.5, 2.0, 0.1, 3), float)
    assert type(wdlib.mode_velocity(0.5, 2.0, 0.1, 4)) is float           # not np.float64 (its repr differs)
    assert isinstance(wdlib.escape_threshold(2.0, 0.1, 3), float)
    assert isinstance(wdlib.time_to_reach(2.0, 0.1, 3, 0.5, 1.0), float)
    v = wdlib.mode_velocity(np.array([[0.5, 1.0, 3.0]]), 2.0, 0.1, 3)
    np.testing.assert_allclose(v, velocity(np.array([[0.5, 1.0, 3.0]]), 2.0, 0.1, 3), rtol=1e-15)
    assert v.shape == (1, 3)


def test_panel_polynomials_are_exact_up_to_degree_nine():
    """The matrices behind the time tables: rate values at the 10 Gauss-Legendre nodes of a panel -> monomial
    coefficients (highest degree first) of the interpolant and of its integral from -1 (numpy.polyint)."""
    from wdlib import dynamics
    rng = np.random.default_rng(3)
    x = np.polynomial.legendre.leggauss(10)[0]
    for interp, integ in (dynamics._panel_polynomials(), (dynamics._INTERP, dynamics._INTEG)):
        assert interp.shape == (10, 10) and integ.shape == (11, 10)
        for deg in (0, 4, 9):
            c = rng.standard_normal(deg + 1)
            P = np.polyint(c)
            P[-1] = -np.polyval(P, -1.0)
            np.testing.assert_allclose(interp @ np.polyval(c, x), np.r_[np.zeros(9 - deg), c], atol=1e-11)
            np.testing.assert_allclose(integ @ np.polyval(c, x), np.r_[np.zeros(9 - deg), P], atol=1e-11)


# --------------------------------------------------------------- aligned_init and gradient descent

@pytest.mark.parametrize("shape,L,widths", [((3, 5), 3, None), ((5, 2), 4, [3, 2, 4]), ((4, 4), 1, None),
                                            ((2, 3), 2, [6])])
def test_aligned_init_is_balanced_and_aligned(rng, shape, L, widths):
    Y = rng.standard_normal(shape)
    k = min(shape)
    s0 = np.linspace(0.7, 0.1, k)
    W = wdlib.aligned_init(Y, L, s0, widths)
    U, y, Vt = np.linalg.svd(Y, full_matrices=False)
    np.testing.assert_allclose(wdlib.end_to_end(W), (U * s0) @ Vt, atol=1e-13)
    for D in wdlib.imbalance(W):
        np.testing.assert_allclose(D, 0.0, atol=1e-13)
    if widths is not None:
        assert [w.shape[0] for w in W[:-1]] == list(widths)


def test_aligned_init_rank_deficient_and_bad_input(rng):
    Y = np.outer(rng.standard_normal(4), rng.standard_normal(3))           # rank 1
    W = wdlib.aligned_init(Y, 3, 0.2)
    np.testing.assert_allclose(np.linalg.svd(wdlib.end_to_end(W), compute_uv=False), [0.2] * 3, atol=1e-13)
    with pytest.raises(ValueError, match="s0"):
        wdlib.aligned_init(Y, 3, [0.1, 0.2])
    with pytest.raises(ValueError, match="widths"):
        wdlib.aligned_init(Y, 3, 0.1, widths=[2, 3])
    with pytest.raises(ValueError, match="s0"):
        wdlib.aligned_init(Y, 3, -0.1)
    with pytest.raises(TypeError, match="Y"):
        wdlib.aligned_init("Y", 3, 0.1)


def _gd_modes(Y, lam, L, s0, lr, T):
    """Plain GD (wdlib.grad in a loop) from aligned_init; singular values of P at time T."""
    W = wdlib.aligned_init(Y, L, s0)
    U, _, Vt = np.linalg.svd(Y, full_matrices=False)
    for _ in range(int(round(T / lr))):
        W = [w - lr * g for w, g in zip(W, wdlib.grad(W, Y, lam))]
    M = U.T @ wdlib.end_to_end(W) @ Vt.T
    return np.diag(M).copy(), M - np.diag(np.diag(M)), wdlib.imbalance(W)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_gradient_descent_from_aligned_start_follows_the_flow_to_first_order(rng, L):
    Y = (np.linalg.qr(rng.standard_normal((5, 3)))[0] * [2.0, 1.2, 0.4]) @ np.linalg.qr(rng.standard_normal((4, 3)))[0].T
    lam, T = 0.1, 6.0
    s0 = np.array([0.05, 0.08, 0.3, 0.0])
    flow = wdlib.mode_flow(np.linalg.svd(Y, compute_uv=False), lam, L, s0, T)
    errors = []
    for lr in (0.02, 0.01, 0.005):
        s, off, D = _gd_modes(Y, lam, L, s0, lr, T)
        np.testing.assert_allclose(off, 0.0, atol=1e-12)                          # stays aligned
        for d in D:
            np.testing.assert_allclose(d, 0.0, atol=1e-12)                        # and balanced
        errors.append(np.max(np.abs(s - flow)))
    errors = np.array(errors)
    assert errors[-1] < 0.02
    np.testing.assert_allclose(errors[:-1] / errors[1:], 2.0, rtol=0.1)          # O(eta)


def test_gradient_descent_aligned_option():
    Y = np.diag([3.0, 1.0, 0.2])
    W, h = wdlib.gradient_descent(Y, 0.1, 3, steps=4000, lr=0.1, init="aligned", tol=1e-10)
    s_plus = wdlib.scalar_local_minimizer(np.array([3.0, 1.0, 0.2]), 0.1, 3)
    np.testing.assert_allclose(np.linalg.svd(wdlib.end_to_end(W), compute_uv=False), np.nan_to_num(s_plus),
                               atol=1e-9)
    with pytest.raises(ValueError, match="init"):
        wdlib.gradient_descent(Y, 0.1, 3, steps=3, init="aligned-ish")


# --------------------------------------------------------------- validation

def test_bad_inputs_raise_naming_the_argument():
    with pytest.raises(ValueError, match="s0"):
        wdlib.mode_flow(1.0, 0.1, 3, -1.0, 1.0)
    with pytest.raises(ValueError, match="t"):
        wdlib.mode_flow(1.0, 0.1, 3, 0.5, -1.0)
    with pytest.raises(ValueError, match="lam"):
        wdlib.escape_threshold(1.0, -0.1, 3)
    with pytest.raises(ValueError, match="depth"):
        wdlib.time_to_reach(1.0, 0.1, 0, 0.5, 0.6)
    with pytest.raises(ValueError, match="broadcast"):
        wdlib.mode_flow([1.0, 2.0], 0.1, 3, [0.1, 0.2, 0.3], 1.0)
    with pytest.raises(TypeError, match="y"):
        wdlib.mode_flow("1", 0.1, 3, 0.5, 1.0)
