"""wdlib.hessian_spectrum_at_minimizer / _at_critical against dense Hessians of the network itself."""

import numpy as np
import pytest

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
