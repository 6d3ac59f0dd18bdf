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
