"""wdlib.hessian_spectrum_at_minimizer / _at_critical against dense Hessians of the network itself."""

import math
import re

import numpy as np
import pytest
from scipy.optimize import brentq

import wdlib
from wdlib.spectrum import orbit_dimension

from _reference import product


def _dense_spectrum(weights, Y, lam):
    return np.linalg.eigvalsh(wdlib.hessian(weights, Y, lam))


def _agree(ev, ref):
    assert ev.shape == ref.shape
    np.testing.assert_allclose(ev, ref, rtol=0, atol=1e-10 * max(1.0, np.max(np.abs(ref))))


def _random_case(rng):
    L = int(rng.integers(1, 7))
    d_in, d_out = (int(d) for d in rng.integers(1, 5, 2))
    Y = 2.0 * rng.standard_normal((d_out, d_in))
    if rng.random() < 0.35 and min(d_in, d_out) > 1:
        Y = np.outer(rng.standard_normal(d_out), rng.standard_normal(d_in))  # rank one
    lam = float(rng.uniform(0.05, 1.2))
    return Y, lam, L


@pytest.mark.parametrize("seed", range(40))
def test_minimizer_spectrum_matches_dense_hessian_on_random_orbit_point(seed):
    rng = np.random.default_rng(seed)
    Y, lam, L = _random_case(rng)
    k = int(np.count_nonzero(wdlib.minimizer_singular_values(Y, lam, L)))
    widths = [max(k, 1) + int(rng.integers(0, 3)) for _ in range(L - 1)]
    W = wdlib.random_orbit_point(wdlib.minimizer_factors(Y, lam, L, widths=widths), rng=seed)
    np.testing.assert_allclose(product(W), wdlib.minimizer(Y, lam, L), atol=1e-12)
    if sum(w.size for w in W) > 300:
        pytest.skip("dense check only for N <= 300")
    _agree(wdlib.hessian_spectrum_at_minimizer(Y, lam, L, widths=widths), _dense_spectrum(W, Y, lam))


@pytest.mark.parametrize("L", [2, 3, 4])
def test_matches_finite_difference_hessian(L):
    # a second, independent reference: central differences of the gradient
    Y = np.array([[2.0, 0.3, 0.0], [0.1, 1.2, 0.4]])
    lam = 0.2
    W = wdlib.random_orbit_point(wdlib.minimizer_factors(Y, lam, L, widths=[3] * (L - 1)), rng=1)
    ref = np.linalg.eigvalsh(wdlib.numerical_hessian(W, Y, lam))
    ev = wdlib.hessian_spectrum_at_minimizer(Y, lam, L, widths=[3] * (L - 1))
    np.testing.assert_allclose(ev, ref, atol=1e-6)


@pytest.mark.parametrize("L", [2, 3, 5])
def test_repeated_singular_values(L):
    Q1 = wdlib.random_orthogonal(3, rng=2)
    Q2 = wdlib.random_orthogonal(4, rng=3)[:3]
    Y = Q1 @ np.diag([2.0, 2.0, 0.7]) @ Q2  # 3 x 4, a repeated top singular value
    lam = 0.3
    W = wdlib.random_orbit_point(wdlib.minimizer_factors(Y, lam, L, widths=[4] * (L - 1)), rng=4)
    _agree(wdlib.hessian_spectrum_at_minimizer(Y, lam, L, widths=[4] * (L - 1)), _dense_spectrum(W, Y, lam))


@pytest.mark.parametrize("tie", ["largest", "smallest"])
@pytest.mark.parametrize("L", [3, 4])
def test_exceptional_set_both_minimizers(L, tie):
    lam = 0.4
    yc = wdlib.critical_singular_value(lam, L)
    Y = np.diag([2.5, yc, 0.1])
    assert wdlib.is_exceptional(Y, lam, L)
    W = wdlib.minimizer_factors(Y, lam, L, widths=[3] * (L - 1), tie=tie)
    ev = wdlib.hessian_spectrum_at_minimizer(Y, lam, L, widths=[3] * (L - 1), tie=tie)
    _agree(ev, _dense_spectrum(W, Y, lam))


@pytest.mark.parametrize("L", [2, 3, 4, 6])
def test_collapsed_minimizer(L):
    Y = np.array([[1.0, 0.5], [0.2, 0.3], [0.0, 0.4]])
    lam = 1.5 * wdlib.critical_lambda(Y, L)
    ev = wdlib.hessian_spectrum_at_minimizer(Y, lam, L)
    W = [np.zeros((2, 2))] + [np.zeros((2, 2))] * (L - 2) + [np.zeros((3, 2))]
    _agree(ev, _dense_spectrum(W, Y, lam))
    if L >= 3:
        assert np.all(ev == lam)


@pytest.mark.parametrize("seed", range(6))
def test_zero_eigenvalues_are_the_orbit_dimension(seed):
    rng = np.random.default_rng(100 + seed)
    L = int(rng.integers(2, 6))
    Y = rng.standard_normal((int(rng.integers(2, 6)), int(rng.integers(2, 6))))
    lam = float(rng.uniform(0.05, 0.5))
    s = wdlib.minimizer_singular_values(Y, lam, L)
    k = int(np.count_nonzero(s))
    widths = [int(k + rng.integers(0, 4)) or 1 for _ in range(L - 1)]
    values, counts = wdlib.hessian_spectrum_at_minimizer(Y, lam, L, widths=widths, multiplicities=True)
    zeros = int(counts[values == 0.0].sum()) if np.any(values == 0.0) else 0
    dims = [Y.shape[1]] + widths + [Y.shape[0]]
    assert zeros == orbit_dimension(k, dims)
    assert zeros == sum(k * (k - 1) // 2 + k * (d - k) for d in widths)
    # and no other eigenvalue is near zero (generic Y)
    assert np.min(np.abs(values[values != 0.0])) > 1e-6


def test_multiplicities_expand_to_the_spectrum_and_sum_to_N():
    rng = np.random.default_rng(7)
    Y = rng.standard_normal((5, 4))
    ev = wdlib.hessian_spectrum_at_minimizer(Y, 0.2, 3, widths=[6, 5])
    values, counts = wdlib.hessian_spectrum_at_minimizer(Y, 0.2, 3, widths=[6, 5], multiplicities=True)
    assert np.all(np.diff(values) > 0)
    np.testing.assert_array_equal(np.repeat(values, counts), ev)
    assert counts.sum() == 4 * 6 + 6 * 5 + 5 * 5
    assert np.all(np.diff(ev) >= 0)


def test_large_network_trace_and_extremes():
    # N = 60*40 + 2*60^2 + 60*50 = 12,600: too large for dense; the trace is known in
    # closed form and the largest eigenvalue can be found by Lanczos on exact products.
    rng = np.random.default_rng(11)
    Y = rng.standard_normal((50, 40))
    lam, L, widths = 0.5, 4, [60, 60, 60]
    ev = wdlib.hessian_spectrum_at_minimizer(Y, lam, L, widths=widths)
    assert ev.size == 40 * 60 + 2 * 60 * 60 + 60 * 50
    tr = wdlib.hessian_trace_at_minimizer(Y, lam, L, widths=widths)
    np.testing.assert_allclose(ev.sum(), tr, rtol=1e-10)
    W = wdlib.minimizer_factors(Y, lam, L, widths=widths)
    top = wdlib.hessian_spectrum(W, Y, lam, k=1, method="lanczos")[-1]
    np.testing.assert_allclose(ev[-1], top, rtol=1e-8)


def test_critical_point_spectrum_rejects_non_critical_values():
    with pytest.raises(ValueError, match="singular_values"):
        wdlib.hessian_spectrum_at_critical(np.diag([2.0, 1.0]), 0.3, 3, [1.0, 0.0])
    with pytest.raises(ValueError, match="length"):
        wdlib.hessian_spectrum_at_critical(np.diag([2.0, 1.0]), 0.3, 3, [0.0])


def test_validation():
    Y = np.diag([3.0, 2.0])
    with pytest.raises(ValueError, match="widths"):
        wdlib.hessian_spectrum_at_minimizer(Y, 0.1, 3, widths=[1, 2])
    with pytest.raises(TypeError, match="multiplicities"):
        wdlib.hessian_spectrum_at_minimizer(Y, 0.1, 3, multiplicities="yes")
    with pytest.raises(ValueError, match="tie"):
        wdlib.hessian_spectrum_at_minimizer(Y, 0.1, 3, tie="middle")
    with pytest.raises(ValueError, match="lam"):
        wdlib.hessian_spectrum_at_minimizer(Y, -0.1, 3)


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_lambda_zero_balanced_minimizer(L):
    # lam = 0: the spectrum at the balanced minimizer (s = y, residual zero)
    Y = np.random.default_rng(30 + L).standard_normal((3, 4))
    W = wdlib.random_orbit_point(wdlib.minimizer_factors(Y, 0.0, L, widths=[4] * (L - 1)), rng=L)
    _agree(wdlib.hessian_spectrum_at_minimizer(Y, 0.0, L, widths=[4] * (L - 1)), _dense_spectrum(W, Y, 0.0))


# ---- hessian_spectrum_at_critical: tolerance of the criticality check, widths ----------


def _root(target, lam, L):
    """The larger root of s + lam s^((2-L)/L) = target (for L = 1: s (1 + lam) = target), by bisection."""
    if L == 1:
        return target / (1.0 + lam)
    lo = ((L - 2) * lam / L) ** (L / (2.0 * (L - 1)))  # where the left side is smallest (L >= 3)
    return brentq(lambda s: s + lam * s ** ((2.0 - L) / L) - target, lo, target, xtol=1e-300, rtol=4 * np.finfo(float).eps)


@pytest.mark.parametrize("L", [1, 3])
def test_critical_values_are_checked_to_relative_accuracy_1e8(L):
    # |s + lam s^((2-L)/L) - y| <= 1e-8 max(y, 1): relative above y = 1, absolute below
    y = np.array([4.0, 1.5, 0.5])
    lam = 0.05
    exact = np.array([_root(v, lam, L) for v in y])
    wdlib.hessian_spectrum_at_critical(np.diag(y), lam, L, exact)
    for i in range(3):
        tol = 1e-8 * max(y[i], 1.0)
        for f in (0.8, -0.8, 1.25, -1.25):
            s = exact.copy()
            s[i] = _root(y[i] + f * tol, lam, L)
            if abs(f) < 1:
                wdlib.hessian_spectrum_at_critical(np.diag(y), lam, L, s)
            else:
                msg = re.escape(f"singular_values[{i}] = {s[i]} is not a critical value for y = {y[i]}")
                with pytest.raises(ValueError, match=msg):
                    wdlib.hessian_spectrum_at_critical(np.diag(y), lam, L, s)


@pytest.mark.parametrize("L", [1, 2, 3])
def test_a_deviation_of_exactly_the_tolerance_is_accepted(L):
    # y = 0 and lam = 0: the left side is s itself and the tolerance is exactly 1e-8
    Y = np.zeros((1, 1))
    assert wdlib.hessian_spectrum_at_critical(Y, 0.0, L, [1e-8]).size == L
    with pytest.raises(ValueError, match="not a critical value"):
        wdlib.hessian_spectrum_at_critical(Y, 0.0, L, [np.nextafter(1e-8, 1.0)])


def test_critical_point_spectrum_with_wider_hidden_layers_matches_dense_hessian():
    # a strict saddle of a 3 x 4 target: mode 1 at its minimizer root, mode 2 dropped,
    # mode 3 at its smaller root; hidden widths 4 and 5, factors built by hand
    y = np.array([2.0, 1.2, 0.9])
    lam, L = 0.2, 3
    Y = np.zeros((3, 4))
    Y[np.arange(3), np.arange(3)] = y
    s = np.array([_root(y[0], lam, L), 0.0, wdlib.critical_values(y, lam, L)[2][1]])
    S = np.flatnonzero(s)
    a = s[S] ** (1.0 / L)
    W = [np.zeros((4, 4)), np.zeros((5, 4)), np.zeros((3, 5))]
    for j, i in enumerate(S):
        W[0][j, i] = W[1][j, j] = W[2][i, j] = a[j]
    np.testing.assert_allclose(product(W), np.pad(np.diag(s), ((0, 0), (0, 1))), atol=1e-15)
    assert max(np.abs(G).max() for G in wdlib.grad(W, Y, lam)) < 1e-12
    ref = _dense_spectrum(W, Y, lam)
    assert ref[0] < -1e-3  # a saddle
    ev = wdlib.hessian_spectrum_at_critical(Y, lam, L, s, widths=[4, 5])
    _agree(ev, ref)
    values, counts = wdlib.hessian_spectrum_at_critical(Y, lam, L, s, widths=[4, 5], multiplicities=True)
    np.testing.assert_array_equal(np.repeat(values, counts), ev)
    with pytest.raises(ValueError, match="too narrow"):  # two nonzero modes need hidden widths >= 2
        wdlib.hessian_spectrum_at_critical(Y, lam, L, s, widths=[1, 5])


@pytest.mark.parametrize("L", [2, 3])
def test_multiplicities_list_only_eigenvalues_that_occur(L):
    # square target (no one-sided directions) and a dropped mode: several groups are empty
    Y = np.diag([3.0, 1.0, 0.05])
    ev = wdlib.hessian_spectrum_at_minimizer(Y, 0.3, L)
    values, counts = wdlib.hessian_spectrum_at_minimizer(Y, 0.3, L, multiplicities=True)
    assert counts.min() >= 1
    np.testing.assert_array_equal(values, np.unique(ev))


def test_orbit_dimension_is_exact_for_huge_widths():
    # dim O(k) = C(k, 2) plus k (d - k) per hidden layer, in integer arithmetic (2^59 > 2^53)
    k = 2**30 + 3
    assert orbit_dimension(k, [k, k, k]) == math.comb(k, 2)
    assert orbit_dimension(k, [k, k + 5, k, k]) == 2 * math.comb(k, 2) + 5 * k


def test_multiplicities_are_exact_integers_for_huge_widths():
    # N = 4w + w^2 > 2^62 parameters: the counts follow the closed-form groups exactly
    # (a float64 sum would be off beyond 2^53) and add up to N
    Y = np.diag([2.0, 1.0])
    w = 2**31 + 1
    values, counts = wdlib.hessian_spectrum_at_minimizer(Y, 0.1, 3, widths=[w, w], multiplicities=True)
    small, _ = wdlib.hessian_spectrum_at_minimizer(Y, 0.1, 3, widths=[5, 5], multiplicities=True)
    np.testing.assert_array_equal(values, small)  # the distinct eigenvalues do not depend on the widths
    assert counts.dtype == np.int64
    N = 4 * w + w * w
    zeros = orbit_dimension(2, [2, w, w, 2])
    twos = 2 * 2 + 2 + 2 * 2 * (w - 2)  # 2 lam: (L - 1) per mode, (L - 1) for the pair, one per hidden slot outside
    expected = {0.0: zeros, 0.1: N - zeros - twos - 4, 0.2: twos}
    assert {float(v): int(c) for v, c in zip(values, counts) if c > 1} == expected
    assert sum(int(c) for c in counts) == N
    with pytest.raises(OverflowError):  # N >= 2^63: refused, not wrapped around
        wdlib.hessian_spectrum_at_minimizer(Y, 0.1, 3, widths=[2**32, 2**32], multiplicities=True)
