"""wdlib.critical_points: every aligned balanced critical point, checked on the network itself."""


import numpy as np
import pytest

import wdlib

from _reference import direct_loss, fd_grad, product

CASES = [
    (np.diag([2.0, 1.0, 0.5]), 0.3, 3),
    (np.array([[2.0, 0.0], [0.0, 0.9], [0.0, 0.0]]), 0.25, 4),
    (np.array([[1.5, 0.2, 0.1], [0.3, 0.8, 0.0]]), 0.3, 2),
    (np.diag([2.0, 1.2]), 0.2, 5),
    (np.array([[1.0, 0.4]]), 0.3, 1),
]


def _dense(W, Y, lam):
    return np.linalg.eigvalsh(wdlib.hessian(W, Y, lam))


@pytest.mark.parametrize("Y,lam,L", CASES)
def test_every_point_is_critical_and_its_spectrum_matches_the_dense_hessian(Y, lam, L):
    pts = wdlib.critical_points(Y, lam, L)
    assert len(pts) == np.prod([len(c) for c in wdlib.critical_values(np.linalg.svd(Y, compute_uv=False), lam, L)])
    for p in pts:
        W = wdlib.critical_point_factors(Y, lam, L, p.singular_values)
        np.testing.assert_allclose(np.linalg.svd(product(W), compute_uv=False), np.sort(p.singular_values)[::-1],
                                   atol=1e-12)
        for G in fd_grad(W, Y, lam):
            assert np.max(np.abs(G)) < 1e-7
        np.testing.assert_allclose(direct_loss(W, Y, lam), p.value, rtol=1e-12, atol=1e-14)
        ev = _dense(W, Y, lam)
        ref = wdlib.hessian_spectrum_at_critical(Y, lam, L, p.singular_values)
        np.testing.assert_allclose(ref, ev, atol=1e-10 * max(1, np.abs(ev).max()))
        tol = 1e-8 * max(1, np.abs(ev).max())
        assert p.index == int(np.sum(ev < -tol))
        assert p.nullity == int(np.sum(np.abs(ev) <= tol))


@pytest.mark.parametrize("Y,lam,L", CASES)
def test_saddles_have_descent_directions_and_minima_do_not(Y, lam, L):
    rng = np.random.default_rng(0)
    for p in wdlib.critical_points(Y, lam, L):
        W = wdlib.critical_point_factors(Y, lam, L, p.singular_values)
        F0 = direct_loss(W, Y, lam)
        if p.kind == "strict saddle":
            H = wdlib.hessian(W, Y, lam)
            w, V = np.linalg.eigh(H)
            d = wdlib.unflatten_params(V[:, 0], W)
            t = 1e-3
            assert direct_loss([A + t * D for A, D in zip(W, d)], Y, lam) < F0 - 0.25 * abs(w[0]) * t * t
        else:
            assert p.kind in ("global minimizer", "local minimizer")
            for _ in range(30):
                d = [rng.standard_normal(A.shape) for A in W]
                for t in (1e-2, 1e-3):
                    assert direct_loss([A + t * D for A, D in zip(W, d)], Y, lam) >= F0 - 1e-13


def test_global_minimizer_is_the_closed_form_one():
    Y = np.array([[2.0, 0.5, 0.0], [0.1, 1.1, 0.2], [0.0, 0.3, 0.7]])
    for L, lam in [(2, 0.5), (3, 0.3), (4, 0.2)]:
        pts = wdlib.critical_points(Y, lam, L)
        glob = [p for p in pts if p.kind == "global minimizer"]
        assert len(glob) == 1
        np.testing.assert_allclose(glob[0].singular_values, wdlib.minimizer_singular_values(Y, lam, L), rtol=1e-12)
        np.testing.assert_allclose(glob[0].value, wdlib.minimum_value(Y, lam, L), rtol=1e-12)


@pytest.mark.parametrize("L", [3, 4, 6])
def test_local_minimizers_are_the_prefixes_of_larger_roots(L):
    y = np.array([3.0, 2.2, 1.6])
    lam = 0.5 * wdlib.spinodal_lambda(1.6, L)  # every y_i is above the spinodal value
    pts = wdlib.critical_points(np.diag(y), lam, L)
    roots = wdlib.critical_values(y, lam, L)
    minima = [p for p in pts if p.kind in ("global minimizer", "local minimizer")]
    expected = [[r[-1] if i < k else 0.0 for i, r in enumerate(roots)] for k in range(4)]
    got = sorted((list(p.singular_values) for p in minima), key=lambda s: np.count_nonzero(s))
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert sorted(p.rank for p in minima) == [0, 1, 2, 3]  # local minima of every rank
    # every other point is a strict saddle, with an index from the blocks
    assert all(p.kind == "strict saddle" and p.index > 0 for p in pts if p not in minima)


@pytest.mark.parametrize("L", [3, 4])
def test_spinodal_mode_gives_a_non_strict_saddle(L):
    lam = 0.3
    ysp = wdlib.spinodal_singular_value(lam, L)
    Y = np.diag([2.0, ysp])
    pts = wdlib.critical_points(Y, lam, L)
    roots = wdlib.critical_values([ysp], lam, L)[0]
    assert len(roots) == 2  # 0 and the double root
    ns = [p for p in pts if p.kind == "non-strict saddle"]
    assert len(ns) == 1 and ns[0].index == 0
    W = wdlib.critical_point_factors(Y, lam, L, ns[0].singular_values)
    assert ns[0].nullity == int(np.sum(np.abs(_dense(W, Y, lam)) <= 1e-7))
    assert ns[0].nullity > wdlib.orbit_dimension(2, [2] * (L + 1))
    # third order: moving the spinodal mode down lowers F (an inflection of g)
    s = ns[0].singular_values.copy()
    t = 1e-3 * s[1]
    f = lambda v: direct_loss(wdlib.balanced_factors(np.diag(v), L, widths=[2] * (L - 1)), Y, lam)  # noqa: E731
    assert f(s - np.array([0, t])) < f(s)


@pytest.mark.parametrize("L", [3, 4, 7])
def test_critical_values_are_the_roots(L):
    y = np.array([3.0, 1.0, 0.2, 0.0])
    lam = 0.4
    for yi, vals in zip(y, wdlib.critical_values(y, lam, L)):
        assert vals[0] == 0.0
        for s in vals[1:]:
            np.testing.assert_allclose(s + lam * s ** ((2.0 - L) / L), yi, rtol=1e-12)
        assert len(vals) in (1, 3)
        assert (len(vals) == 3) == (yi > wdlib.spinodal_singular_value(lam, L))


def test_ordering_saddle_index():
    # zero mode with the larger y, nonzero mode with the smaller: one negative direction per pair
    y = np.array([2.0, 1.5])
    lam, L = 0.2, 3
    pts = wdlib.critical_points(np.diag(y), lam, L)
    big = wdlib.critical_values(y, lam, L)
    p = next(q for q in pts if q.singular_values[0] == 0.0 and q.singular_values[1] == big[1][-1])
    assert p.kind == "strict saddle" and p.index == 1


def test_validation():
    with pytest.raises(ValueError, match="lam"):
        wdlib.critical_points(np.eye(2), 0.0, 3)
    with pytest.raises(ValueError, match="widths"):
        wdlib.critical_points(np.eye(2), 0.1, 3, widths=[1, 2])
    with pytest.raises(ValueError, match="critical"):
        wdlib.critical_point_factors(np.eye(2), 0.1, 3, [0.5, 0.0])


def test_critical_values_depth_one_gives_one_value_per_mode():
    y = np.array([3.0, 1.0, 0.0])
    vals = wdlib.critical_values(y, 0.5, 1)
    assert len(vals) == 3
    for yi, v in zip(y, vals):
        np.testing.assert_allclose(v, [yi / 1.5], rtol=1e-15)


@pytest.mark.parametrize("L", [3, 5])
def test_critical_values_without_weight_decay_and_at_lam_one(L):
    y = np.array([2.0, 0.7, 0.0])
    # lam = 0: g'(s) = 0 only at s = 0 and s = y (no penalty)
    for yi, v in zip(y, wdlib.critical_values(y, 0.0, L)):
        np.testing.assert_array_equal(v, [0.0, yi] if yi > 0 else [0.0])
    # lam = 1: the roots of s + s^((2-L)/L) = y, y above the spinodal value
    y = 3.0 * np.array([1.0, 1.5]) * wdlib.spinodal_singular_value(1.0, L)
    for yi, v in zip(y, wdlib.critical_values(y, 1.0, L)):
        assert len(v) == 3
        np.testing.assert_allclose(v[1:] + v[1:] ** ((2.0 - L) / L), yi, rtol=1e-12)


def test_critical_values_depth_two_at_y_equal_lam_has_only_zero():
    # L = 2: the nonzero root y - lam exists only for y > lam; at y = lam it merges with 0
    vals = wdlib.critical_values([0.3, 0.5, 0.2], 0.3, 2)
    np.testing.assert_array_equal(vals[0], [0.0])
    np.testing.assert_allclose(vals[1], [0.0, 0.2], rtol=1e-15)
    np.testing.assert_array_equal(vals[2], [0.0])


@pytest.mark.filterwarnings("error")  # and no warning (e.g. a deprecated NumPy call) on the way
@pytest.mark.parametrize("L", [3, 4, 7])
@pytest.mark.parametrize("c", [1e-100, 1e100])
def test_critical_values_scale_with_the_target(L, c):
    # s -> c s, y -> c y, lam -> c^(2 - 2/L) lam maps g(.; y) to c^2 g: critical values scale by c
    y = np.array([3.0, 1.0, 0.2, 0.0])
    lam = 0.4
    ref = wdlib.critical_values(y, lam, L)
    got = wdlib.critical_values(c * y, lam * c ** (2.0 - 2.0 / L), L)
    assert [len(v) for v in got] == [len(v) for v in ref]
    assert len(ref[0]) == 3  # y = 3 is above the spinodal value: both roots are computed
    for g, r in zip(got, ref):
        np.testing.assert_allclose(g / c, r, rtol=1e-12)


def _spinodal_at_a_power_of_two_multiple_of_1e10(L, k):
    """lam with spinodal value exactly 1e10 * 2**k: then 1e-10 * y_sp == 2**k exactly."""
    target = 1e10 * 2.0 ** k
    c = 2.0 * (L - 1) / (L - 2)
    lam = (target / c) ** (2.0 * (L - 1) / L) * L / (L - 2)  # the inverse formula, then a search
    for _ in range(30):
        lam = np.nextafter(lam, 0.0)
    for _ in range(60):
        if wdlib.spinodal_singular_value(lam, L) == target:
            return lam, target
        lam = np.nextafter(lam, np.inf)
    raise AssertionError("no lam found")


def test_spinodal_tolerance_is_relative_and_inclusive():
    # y exactly SPINODAL_RTOL * y_sp above y_sp (y_sp = 2.33 > 1) still counts as the double root
    L = 4
    lam, ysp = _spinodal_at_a_power_of_two_multiple_of_1e10(L, -32)
    y = ysp + 2.0 ** -32
    assert abs(y - ysp) == wdlib.critical.SPINODAL_RTOL * ysp
    ssp = ((L - 2) * lam / L) ** (L / (2.0 * (L - 1)))
    vals = wdlib.critical_values([y, ysp + 2.0 ** -30], lam, L)
    assert len(vals[0]) == 2 and vals[0][1] == pytest.approx(ssp, rel=1e-12)
    assert len(vals[1]) == 3  # four times the tolerance: two distinct roots
    Y = np.diag([3.0 * ysp, y])
    assert np.linalg.svd(Y, compute_uv=False)[1] == y
    ns = [p for p in wdlib.critical_points(Y, lam, L) if p.kind == "non-strict saddle"]
    assert len(ns) == 1 and ns[0].index == 0 and ns[0].singular_values[1] == vals[0][1]


@pytest.mark.parametrize("c", [0.1, 100.0])  # largest |eigenvalue| 0.12 and 1157
@pytest.mark.parametrize("f", [0.5, 1.5])
def test_nullity_tolerance_is_1e9_relative_to_the_largest_eigenvalue(c, f):
    # mode 1 at its larger root, mode 2 at 0 with y_2 just below y_1: the pair block has the
    # eigenvalue w (y_1 - y_2), w = s_1^((L-2)/L); put it at f times the tolerance
    L = 3
    lam = 0.1 * c ** (2.0 - 2.0 / L)
    y1 = c
    big = wdlib.critical_values([y1], lam, L)[0][-1]
    W = wdlib.critical_point_factors(np.diag([y1, y1]), lam, L, [big, 0.0])
    M = np.abs(np.linalg.eigvalsh(wdlib.hessian(W, np.diag([y1, y1]), lam))).max()
    Y = np.diag([y1, y1 - f * 1e-9 * max(1.0, M) / big ** ((L - 2) / L)])
    (p,) = [q for q in wdlib.critical_points(Y, lam, L) if q.singular_values[1] == 0 and q.singular_values[0] == big]
    ev = np.linalg.eigvalsh(wdlib.hessian(wdlib.critical_point_factors(Y, lam, L, p.singular_values), Y, lam))
    tol = 1e-9 * max(1.0, np.abs(ev).max())
    assert np.sum(np.abs(np.abs(ev) - f * tol) < 0.01 * tol) == 1  # the constructed eigenvalue
    assert p.index == 0 and p.nullity == int(np.sum(np.abs(ev) <= tol))


@pytest.mark.parametrize("c", [1.0, 10.0])  # min F = 0.17 and 17
@pytest.mark.parametrize("f", [0.5, 1.5])
def test_global_minimizer_value_tolerance_is_1e12_relative(c, f):
    # one mode just above y_c: s = 0 is a local minimizer whose value 0.5 y^2 exceeds min F by a
    # gap set by y; within 1e-12 max(1, min F) it counts as a second global minimizer (a tie)
    lam, L = 0.3 * c ** (2.0 - 2.0 / 3), 3
    yc = wdlib.critical_singular_value(lam, L)

    def gap(y):
        return 0.5 * y * y - wdlib.minimum_value([[y]], lam, L)

    best = wdlib.minimum_value([[yc]], lam, L)
    target = f * 1e-12 * max(1.0, best)
    lo, hi = yc, yc * (1 + 1e-6)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if gap(mid) < target else (lo, mid)
    y = hi
    assert gap(y) == pytest.approx(target, rel=1e-2)
    kinds = {float(p.singular_values[0]): p.kind for p in wdlib.critical_points([[y]], lam, L)}
    assert kinds[0.0] == ("global minimizer" if f < 1 else "local minimizer")
    assert sorted(kinds.values()).count("global minimizer") == (2 if f < 1 else 1)


def test_critical_points_with_wide_hidden_layers_match_the_dense_hessian():
    # widths above min(d_0, d_L) add null and 2 lam directions: index and nullity must follow them
    Y, lam, L, widths = np.diag([2.0, 1.0]), 0.3, 3, [3, 4]
    pts = wdlib.critical_points(Y, lam, L, widths=widths)
    narrow = wdlib.critical_points(Y, lam, L)
    assert sum(p.nullity for p in pts) > sum(p.nullity for p in narrow)
    for p in pts:
        W = wdlib.critical_point_factors(Y, lam, L, p.singular_values, widths=widths)
        assert [w.shape for w in W] == [(3, 2), (4, 3), (2, 4)]
        ev = _dense(W, Y, lam)
        tol = 1e-8 * max(1, np.abs(ev).max())
        assert p.index == int(np.sum(ev < -tol))
        assert p.nullity == int(np.sum(np.abs(ev) <= tol))


def test_critical_point_factors_fit_hidden_widths_equal_to_the_rank():
    Y, lam, L = np.diag([2.0, 0.5]), 0.3, 3
    s = np.array([wdlib.critical_values([2.0], lam, L)[0][-1], 0.0])  # a rank-one critical point
    W = wdlib.critical_point_factors(Y, lam, L, s, widths=[1, 1])
    assert [w.shape for w in W] == [(1, 2), (1, 1), (2, 1)]
    np.testing.assert_allclose(np.linalg.svd(product(W), compute_uv=False), s, atol=1e-12)
    for G in fd_grad(W, Y, lam):
        assert np.max(np.abs(G)) < 1e-7


def test_critical_points_counts_more_than_max_points_without_overflow():
    # 40 modes above the spinodal value: 3**40 points, more than an int64 holds
    Y = np.diag(np.linspace(2.0, 3.0, 40))
    with pytest.raises(ValueError, match="more than"):
        wdlib.critical_points(Y, 0.01, 3)


def test_critical_values_far_above_the_spinodal_value():
    # y = 1e30 y_sp at depth 3: the smaller root ~ (lam/y)^3 lies 90 decades below y, and
    # bracketing it takes more than the default 100 iterations of brentq
    L, lam = 3, 0.1
    y = 1e30 * wdlib.spinodal_singular_value(lam, L)
    (vals,) = wdlib.critical_values([y], lam, L)
    assert len(vals) == 3 and vals[1] == pytest.approx((lam / y) ** 3, rel=1e-6)
    np.testing.assert_allclose(vals[1:] + lam * vals[1:] ** (-1.0 / 3), y, rtol=1e-12)


def test_nullity_and_index_count_an_eigenvalue_exactly_at_the_tolerance_as_zero():
    # L = 2, y = 2^-30 (1e9 + 1, 1e9 - 1): y_1 + y_2 = 1e9 2^-29 is the largest eigenvalue magnitude,
    # so the tolerance 1e-9 max(1, .) is exactly 2^-29 = y_1 - y_2, and the pair blocks of the
    # points (y_1 - lam, 0) and (0, y_2 - lam) have the eigenvalues +2^-29 and -2^-29 exactly
    y1, y2 = 2.0 ** -30 * (1e9 + 1), 2.0 ** -30 * (1e9 - 1)
    tol = 2.0 ** -29
    assert 1e-9 * (y1 + y2) == tol == y1 - y2
    Y, lam, L = np.diag([y1, y2]), 0.1, 2
    pts = {tuple(p.singular_values > 0): p for p in wdlib.critical_points(Y, lam, L)}
    for key in [(True, False), (False, True)]:
        p = pts[key]
        ev = _dense(wdlib.critical_point_factors(Y, lam, L, p.singular_values), Y, lam)
        at = np.abs(np.abs(ev) - tol) < 1e-6 * tol
        assert np.sum(at) == 1  # the eigenvalue at the tolerance, +tol or -tol ...
        rest = ev[~at]
        assert p.nullity == int(np.sum(np.abs(rest) < 0.5 * tol)) + 1  # ... is counted as zero
        assert p.index == int(np.sum(rest < -0.5 * tol))  # ... and not as negative
