"""Property-based tests (hypothesis) of the core of wdlib over random shapes,
depths and regularization strengths. Deterministic (derandomize=True) and small."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import wdlib
from _reference import direct_loss as F

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

dims = st.integers(1, 5)
depths = st.integers(1, 6)
lams = st.floats(0.0, 3.0, allow_nan=False, allow_infinity=False)
entries = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False, allow_subnormal=True)


@st.composite
def targets(draw):
    m, n = draw(dims), draw(dims)
    return draw(arrays(np.float64, (m, n), elements=entries))


@st.composite
def weight_lists(draw, Y=None):
    L = draw(depths)
    if Y is None:
        d_out, d_in = draw(dims), draw(dims)
    else:
        d_out, d_in = Y.shape
    widths = [draw(dims) for _ in range(L - 1)]
    d = [d_in] + widths + [d_out]
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.floats(0.0, 2.0))
    g = np.random.default_rng(seed)
    return [scale * g.standard_normal((d[l + 1], d[l])) for l in range(L)]




@SETTINGS
@given(Y=targets(), L=depths, lam=lams, extra=st.lists(st.integers(0, 3), min_size=5, max_size=5))
def test_minimizer_factors_are_critical_points(Y, L, lam, extra):
    k = min(Y.shape)
    for widths in (None, [k + e for e in extra[: L - 1]]):
        W = wdlib.minimizer_factors(Y, lam, L, widths=widths)
        scale = max(1.0, np.abs(Y).max()) ** 2
        for G in wdlib.grad(W, Y, lam):
            assert np.abs(G).max() <= 1e-10 * scale
        assert abs(F(W, Y, lam) - wdlib.minimum_value(Y, lam, L)) <= 1e-12 * max(1.0, np.sum(Y**2))


@SETTINGS
@given(data=st.data(), Y=targets(), lam=lams)
def test_minimum_value_below_random_points(data, Y, lam):
    W = data.draw(weight_lists(Y))
    L = len(W)
    fmin = wdlib.minimum_value(Y, lam, L)
    assert fmin <= F(W, Y, lam) + 1e-12 * max(1.0, F(W, Y, lam))
    assert 0.0 <= fmin <= 0.5 * np.sum(Y**2) * (1 + 1e-12)  # zero weights give ||Y||^2/2
    # and it is attained
    Wm = wdlib.minimizer_factors(Y, lam, L)
    np.testing.assert_allclose(F(Wm, Y, lam), fmin, rtol=1e-10, atol=1e-14)


@SETTINGS
@given(Y=targets(), L=st.integers(2, 10))
def test_collapse_exactly_across_critical_lambda(Y, L):
    y1 = np.linalg.norm(Y, 2)
    lam_star = wdlib.critical_lambda(Y, L)
    if y1 < 1e-100:
        assert lam_star <= 1e-100
        return
    assert not np.any(wdlib.minimizer(Y, lam_star * (1 + 1e-8), L))
    below = wdlib.minimizer(Y, lam_star * (1 - 1e-8), L)
    assert np.linalg.norm(below, 2) > 0
    # the jump for L >= 3: the surviving singular value is at least (L-2)/(L-1) y_c
    if L >= 3:
        yc = wdlib.critical_singular_value(lam_star * (1 - 1e-8), L)
        assert np.linalg.norm(below, 2) >= (L - 2) / (L - 1) * yc * (1 - 1e-9)


@SETTINGS
@given(L=st.integers(2, 10**6))
def test_threshold_constant_decreasing(L):
    a, b = wdlib.threshold_constant(L), wdlib.threshold_constant(L + 1)
    assert np.isfinite(a) and 0 < b < a <= 1.0


@SETTINGS
@given(data=st.data(), lam=lams, seed=st.integers(0, 2**32 - 1))
def test_loss_invariant_along_random_orbits(data, lam, seed):
    W = data.draw(weight_lists())
    Y = np.random.default_rng(seed).standard_normal((W[-1].shape[0], W[0].shape[1]))
    V = wdlib.random_orbit_point(W, seed)
    f = F(W, Y, lam)
    np.testing.assert_allclose(F(V, Y, lam), f, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(wdlib.loss(V, Y, lam), f, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(wdlib.end_to_end(V), wdlib.end_to_end(W), atol=1e-12 * max(1.0, np.abs(wdlib.end_to_end(W)).max()))


@SETTINGS
@given(y=st.floats(0.0, 1e6), lam=lams, L=st.integers(1, 30))
def test_scalar_minimizer_is_global_on_a_grid(y, lam, L):
    s = wdlib.scalar_minimizers(y, lam, L)
    assert 0.0 <= s[0] <= s[1] <= y
    grid = np.linspace(0.0, y, 2001)
    gmin = np.min(0.5 * (grid - y) ** 2 + 0.5 * lam * L * grid ** (2.0 / L))
    for v in s:
        assert wdlib.scalar_objective(v, y, lam, L) <= gmin + 1e-12 * max(1.0, y * y)


@SETTINGS
@given(data=st.data(), Y=targets(), lam=lams, seed=st.integers(0, 2**32 - 1))
def test_hessian_trace_and_spectrum_invariant_along_orbits(data, Y, lam, seed):
    """At any point (not only minimizers) the orbit map is an isometry preserving F,
    so the Hessian at an orbit point is orthogonally similar: same trace, same spectrum."""
    weights = data.draw(weight_lists(Y))
    moved = wdlib.random_orbit_point(weights, seed)
    H0, H1 = wdlib.hessian(weights, Y, lam), wdlib.hessian(moved, Y, lam)
    scale = max(1.0, np.abs(H0).max())
    np.testing.assert_allclose(wdlib.hessian_trace(moved, Y, lam), np.trace(H0), rtol=1e-10, atol=1e-10 * scale)
    np.testing.assert_allclose(np.linalg.eigvalsh(H1), np.linalg.eigvalsh(H0), rtol=0, atol=1e-9 * scale)


@SETTINGS
@given(Y=targets(), L=st.integers(1, 5), lam=st.floats(0.01, 3.0), extra=st.integers(0, 2))
def test_trace_closed_form_at_minimizers(Y, L, lam, extra):
    """The closed form of the trace at a minimizer equals the trace of the dense Hessian there."""
    widths = [min(Y.shape) + extra] * (L - 1)
    W = wdlib.minimizer_factors(Y, lam, L, widths=widths)
    H = wdlib.hessian(W, Y, lam)
    np.testing.assert_allclose(wdlib.hessian_trace_at_minimizer(Y, lam, L, widths=widths), np.trace(H),
                               rtol=1e-9, atol=1e-9)
