"""Tests of wdlib.hessian against independent computations (finite differences, dense algebra)."""

import importlib
import io
import sys

import numpy as np
import pytest

import wdlib

RTOL = 1e-9


def _flat(arrs):
    return np.concatenate([a.ravel() for a in arrs])


def _fd_hessian(W, Y, lam, h=1e-5):
    """Central differences of the analytic gradient wdlib.grad."""
    theta = wdlib.flatten_params(W)

    def g(t):
        return _flat(wdlib.grad(wdlib.unflatten_params(t, W), Y, lam))

    cols = [(g(theta + h * e) - g(theta - h * e)) / (2 * h) for e in np.eye(theta.size)]
    return np.array(cols).T


CASES = [
    # (d_L, d_0, hidden widths)
    (3, 4, []),
    (3, 4, [2]),
    (2, 3, [4, 1]),
    (4, 2, [3, 2, 5]),
    (2, 2, [2, 3, 2, 2]),
    (1, 3, [2, 2, 2, 2, 2]),
]


@pytest.mark.parametrize("d_out,d_in,widths", CASES)
def test_hessian_matches_finite_differences(d_out, d_in, widths):
    rng = np.random.default_rng(len(widths))
    Y = rng.standard_normal((d_out, d_in))
    L = len(widths) + 1
    W = wdlib.init_weights(Y, L, widths, init_scale=0.8, rng=rng)
    lam = 0.37
    H = wdlib.hessian(W, Y, lam)
    np.testing.assert_allclose(H, _fd_hessian(W, Y, lam), atol=1e-6 * max(1.0, np.abs(H).max()))
    np.testing.assert_array_equal(H, H.T)


@pytest.mark.parametrize("d_out,d_in,widths", CASES)
def test_hvp_matches_dense_hessian(d_out, d_in, widths):
    rng = np.random.default_rng(10 + len(widths))
    Y = rng.standard_normal((d_out, d_in))
    L = len(widths) + 1
    W = wdlib.init_weights(Y, L, widths, init_scale=0.9, rng=rng)
    V = [rng.standard_normal(w.shape) for w in W]
    lam = 0.21
    H = wdlib.hessian(W, Y, lam)
    out = wdlib.hvp(W, Y, lam, V)
    assert [o.shape for o in out] == [w.shape for w in W]
    np.testing.assert_allclose(_flat(out), H @ _flat(V), rtol=RTOL, atol=1e-12 * np.abs(H).max())


def test_flatten_roundtrip_and_order():
    W = [np.arange(6.0).reshape(2, 3), 10 + np.arange(4.0).reshape(2, 2)]
    theta = wdlib.flatten_params(W)
    np.testing.assert_array_equal(theta, np.r_[np.arange(6.0), 10 + np.arange(4.0)])
    back = wdlib.unflatten_params(theta, W)
    for a, b in zip(back, W):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="theta"):
        wdlib.unflatten_params(theta[:-1], W)


@pytest.mark.parametrize("d_out,d_in,widths", CASES)
def test_trace_any_point(d_out, d_in, widths):
    rng = np.random.default_rng(20 + len(widths))
    Y = rng.standard_normal((d_out, d_in))
    W = wdlib.init_weights(Y, len(widths) + 1, widths, init_scale=1.1, rng=rng)
    np.testing.assert_allclose(wdlib.hessian_trace(W, Y, 0.5), np.trace(wdlib.hessian(W, Y, 0.5)), rtol=RTOL)


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("shape,rank", [((3, 5), 3), ((4, 2), 2), ((4, 4), 2), ((3, 3), 1)])
def test_trace_at_minimizer_closed_form(L, shape, rank):
    rng = np.random.default_rng(L * 7 + rank)
    U = np.linalg.qr(rng.standard_normal((shape[0], shape[0])))[0][:, :rank]
    V = np.linalg.qr(rng.standard_normal((shape[1], shape[1])))[0][:, :rank]
    y = np.linspace(3.0, 1.5, rank)
    Y = (U * y) @ V.T  # rank-deficient unless rank = min(shape)
    lam = 0.3
    assert not wdlib.is_exceptional(Y, lam, L)
    widths = [min(shape) + (l % 2) for l in range(L - 1)]  # non-square, uneven widths
    W = wdlib.minimizer_factors(Y, lam, L, widths=widths)
    W = wdlib.random_orbit_point(W, rng)
    H = wdlib.hessian(W, Y, lam)
    expected = np.trace(H)
    np.testing.assert_allclose(wdlib.hessian_trace_at_minimizer(Y, lam, L, widths=widths), expected, rtol=1e-10)
    np.testing.assert_allclose(wdlib.hessian_trace(W, Y, lam), expected, rtol=1e-10)
    # Default widths are min(d_0, d_L), as in wdlib.init_weights.
    Wd = wdlib.minimizer_factors(Y, lam, L, widths=[min(shape)] * (L - 1))
    np.testing.assert_allclose(wdlib.hessian_trace_at_minimizer(Y, lam, L), np.trace(wdlib.hessian(Wd, Y, lam)), rtol=1e-10)


def test_trace_at_minimizer_collapsed_and_exceptional():
    Y = np.diag([2.0, 0.5, 0.1])
    L = 3
    lam = 2.0 * wdlib.critical_lambda(Y, L)  # above lam*: minimizer is zero
    N = 9 * (L)
    np.testing.assert_allclose(wdlib.hessian_trace_at_minimizer(Y, lam, L), lam * N)
    # On the exceptional set the two minimizers have different traces.
    lam = 0.4
    yc = wdlib.critical_singular_value(lam, L)
    Y = np.diag([yc, 0.5 * yc])
    big = wdlib.hessian_trace_at_minimizer(Y, lam, L, tie="largest")
    small = wdlib.hessian_trace_at_minimizer(Y, lam, L, tie="smallest")
    np.testing.assert_allclose(small, lam * 12)
    assert big > small + 1e-3
    Wb = wdlib.minimizer_factors(Y, lam, L, widths=[2, 2], tie="largest")
    np.testing.assert_allclose(big, np.trace(wdlib.hessian(Wb, Y, lam)), rtol=1e-10)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_spectrum_constant_on_orbit(L):
    rng = np.random.default_rng(L)
    Y = rng.standard_normal((3, 4))
    lam = 0.25
    W = wdlib.minimizer_factors(Y, lam, L, widths=[4] * (L - 1))
    ref = wdlib.hessian_spectrum(W, Y, lam)
    for seed in range(3):
        Wq = wdlib.random_orbit_point(W, seed)
        assert max(np.abs(a - b).max() for a, b in zip(Wq, W)) > 1e-2  # really moved
        np.testing.assert_allclose(wdlib.hessian_spectrum(Wq, Y, lam), ref, atol=1e-10 * ref[-1])


def test_scalar_eigenvalues():
    for L in range(1, 7):
        lam, y = 0.3, 2.0
        s = wdlib.scalar_minimizer(y, lam, L)
        W = wdlib.minimizer_factors(np.array([[y]]), lam, L)
        ev = wdlib.hessian_spectrum(W, np.array([[y]]), lam)
        expected = np.sort(np.r_[L * s ** (2 * (L - 1) / L) - (L - 2) * lam, np.full(L - 1, 2 * lam)])
        np.testing.assert_allclose(ev, expected, rtol=1e-10, atol=1e-12)


def test_lanczos_matches_dense():
    rng = np.random.default_rng(5)
    Y = rng.standard_normal((4, 5))
    L, lam = 3, 0.2
    W = wdlib.init_weights(Y, L, [4, 4], init_scale=0.7, rng=rng)
    full = wdlib.hessian_spectrum(W, Y, lam)
    N = full.size
    top = wdlib.hessian_spectrum(W, Y, lam, k=3, method="lanczos", which="largest")
    bottom = wdlib.hessian_spectrum(W, Y, lam, k=2, method="lanczos", which="smallest")
    both = wdlib.hessian_spectrum(W, Y, lam, k=4, method="lanczos", which="both")
    scale = np.abs(full).max()
    np.testing.assert_allclose(top, full[-3:], atol=1e-8 * scale)
    np.testing.assert_allclose(bottom, full[:2], atol=1e-8 * scale)
    np.testing.assert_allclose(both, np.r_[full[:2], full[-2:]], atol=1e-8 * scale)
    np.testing.assert_allclose(wdlib.hessian_spectrum(W, Y, lam, k=4, method="dense", which="both"), np.r_[full[:2], full[-2:]])
    np.testing.assert_allclose(wdlib.sharpness(W, Y, lam, method="lanczos"), full[-1], rtol=1e-9)
    assert wdlib.sharpness(W, Y, lam) == full[-1]
    assert wdlib.hessian_spectrum(W, Y, lam, k=N).size == N


def test_bad_inputs():
    Y = np.ones((2, 3))
    W = wdlib.init_weights(Y, 2, [2], rng=0)
    with pytest.raises(ValueError, match="V\\[1\\]"):
        wdlib.hvp(W, Y, 0.1, [np.ones((2, 3)), np.ones((3, 2))])
    with pytest.raises(ValueError, match="V must have one array per layer"):
        wdlib.hvp(W, Y, 0.1, [np.ones((2, 3))])
    with pytest.raises(TypeError, match="V"):
        wdlib.hvp(W, Y, 0.1, np.ones((2, 3)))
    with pytest.raises(ValueError, match="lam"):
        wdlib.hessian(W, Y, -1.0)
    with pytest.raises(ValueError, match="Y must have the shape"):
        wdlib.hessian(W, np.ones((3, 3)), 0.1)
    with pytest.raises(TypeError, match="weights"):
        wdlib.hessian_trace(np.ones((2, 3)), Y, 0.1)
    with pytest.raises(ValueError, match="method"):
        wdlib.hessian_spectrum(W, Y, 0.1, method="qr")
    with pytest.raises(ValueError, match="which"):
        wdlib.hessian_spectrum(W, Y, 0.1, k=1, which="middle")
    with pytest.raises(ValueError, match="k must be at most"):
        wdlib.hessian_spectrum(W, Y, 0.1, k=100)
    with pytest.raises(ValueError, match="k must be"):
        wdlib.hessian_spectrum(W, Y, 0.1, k=0)
    with pytest.raises(ValueError, match="lanczos"):
        wdlib.hessian_spectrum(W, Y, 0.1, method="lanczos")
    with pytest.raises(ValueError, match="depth"):
        wdlib.hessian_trace_at_minimizer(Y, 0.1, 0)
    with pytest.raises(ValueError, match="widths"):
        wdlib.hessian_trace_at_minimizer(Y, 0.1, 3, widths=[2])
    with pytest.raises(ValueError, match="too narrow"):
        wdlib.hessian_trace_at_minimizer(np.eye(3), 0.1, 2, widths=[1])
    with pytest.raises(ValueError, match="tie"):
        wdlib.hessian_trace_at_minimizer(Y, 0.1, 2, tie="middle")


def test_plot_helpers_return_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from wdlib.plotting import plot_hessian_spectra, plot_trace_sharpness

    fig = plot_hessian_spectra([np.array([0.0, 0.1, 0.2]), np.array([0.2, 0.0, 0.1])],
                               reference={"lam": 0.1}, symlog=0.05, title="t")
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 3
    plt.close(fig)
    lams = np.linspace(0.1, 1.0, 5)
    fig = plot_trace_sharpness(lams, 10 * lams, lams + 1, lam_star=0.5, trace_floor=lams, sharp_bound=lams, depth=3)
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["at the global minimizer", "lower bound", r"$\lambda^*$"]
    assert all(ax.get_legend() is None for ax in fig.axes)          # legend outside the data
    plt.close(fig)


def _rank2_target_5x4():
    """A 5 x 4 target of exact rank 2 with singular values 3 and 1.5 (SVD noise ~1e-16 below)."""
    rng = np.random.default_rng(17)
    U = np.linalg.qr(rng.standard_normal((5, 5)))[0][:, :2]
    V = np.linalg.qr(rng.standard_normal((4, 4)))[0][:, :2]
    return (U * [3.0, 1.5]) @ V.T, U, V, np.array([3.0, 1.5])


def test_trace_at_minimizer_ignores_rounding_noise_at_lambda_zero():
    # Erratum: at lam = 0 the closed form summed (1e-16)^(2/L) ~ 6e-4 per noise value
    # (497.1746 instead of 497.1302 for L = 10). Reference: the trace formula at any point
    # (hessian_trace) and np.trace of the dense Hessian, at balanced factors built by hand.
    Y, U, V, y = _rank2_target_5x4()
    L, n = 10, 4
    a = y ** (1.0 / L)
    first = np.zeros((n, 4))
    first[:2] = a[:, None] * V.T
    mid = np.diag(np.r_[a, 0.0, 0.0])
    last = np.zeros((5, n))
    last[:, :2] = U * a
    W = [first] + [mid] * (L - 2) + [last]
    np.testing.assert_allclose(wdlib.end_to_end(W), Y, atol=1e-12)
    exact = np.trace(wdlib.hessian(W, Y, 0.0))
    np.testing.assert_allclose(wdlib.hessian_trace(W, Y, 0.0), exact, rtol=1e-10)
    closed = sum((5.0 if l == L else np.sum(y ** (2.0 * (L - l) / L)))
                 * (4.0 if l == 1 else np.sum(y ** (2.0 * (l - 1) / L))) for l in range(1, L + 1))
    np.testing.assert_allclose(exact, closed, rtol=1e-10)
    np.testing.assert_allclose(wdlib.hessian_trace_at_minimizer(Y, 0.0, L), exact, rtol=1e-10)
    # the rank is 2, so hidden widths 2 are enough (the noise made it look like rank 4)
    assert wdlib.hessian_trace_at_minimizer(Y, 0.0, L, widths=[2] * (L - 1)) > 0


def test_spectrum_refuses_a_dense_hessian_that_does_not_fit():
    # Erratum: k=None on a 100 x 100, L = 3 network built a 30000 x 30000 matrix (7 GB).
    Y = np.zeros((100, 100))
    W = [np.zeros((100, 100))] * 3
    with pytest.raises(ValueError) as err:
        wdlib.hessian_spectrum(W, Y, 0.1)
    msg = str(err.value)
    assert "N = 30000" in msg and "GiB" in msg and "6.71" in msg             # 8 * 30000^2 / 2^30
    assert "k=" in msg and "hessian_spectrum_at_minimizer(Y, lam, depth" in msg
    with pytest.raises(ValueError, match="N = 30000"):
        wdlib.hessian_spectrum(W, Y, 0.1, k=2, method="dense")
    # just above and at the limit
    import importlib

    limit = importlib.import_module("wdlib.hessian").DENSE_MAX_PARAMS
    with pytest.raises(ValueError, match=f"N = {limit + 1}"):
        wdlib.hessian_spectrum([np.zeros((1, limit + 1))], np.zeros((1, limit + 1)), 0.1, k=1, method="dense")
    ev = wdlib.hessian_spectrum([np.zeros((1, 50))], np.zeros((1, 50)), 0.25)
    np.testing.assert_allclose(ev, np.full(50, 1.25))                     # depth 1: F = |W - Y|^2/2 + lam |W|^2/2


def test_spectrum_reports_progress_of_lanczos(capsys):
    rng = np.random.default_rng(4)
    Y = rng.standard_normal((4, 5))
    W = wdlib.init_weights(Y, 3, widths=[4, 4], init_scale=0.7, rng=rng)
    calls = []
    top = wdlib.hessian_spectrum(W, Y, 0.1, k=2, method="lanczos", progress=calls.append)
    assert len(calls) >= 2 and calls == list(range(1, len(calls) + 1))
    np.testing.assert_allclose(top, np.linalg.eigvalsh(wdlib.hessian(W, Y, 0.1))[-2:], rtol=1e-9)
    wdlib.hessian_spectrum(W, Y, 0.1, k=2, method="lanczos", progress=5)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and all("Hessian-vector products" in s and "N = 52" in s for s in lines)
    assert [int(s.split()[1]) for s in lines] == [5 * (i + 1) for i in range(len(lines))]
    wdlib.hessian_spectrum(W, Y, 0.1, k=2, method="lanczos")              # silent by default
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="progress"):
        wdlib.hessian_spectrum(W, Y, 0.1, k=2, method="lanczos", progress=0)


def test_plot_orbit_spectra():
    import matplotlib.pyplot as plt

    fig = wdlib.plotting.plot_orbit_spectra([np.arange(5.0), -np.arange(5.0)], [np.ones(5), np.ones(5)],
                                            labels=["a", "b"], symlog=0.1)
    left, right = fig.axes[:2]
    assert len(left.lines) == 2 and len(right.lines) == 2
    np.testing.assert_array_equal(left.lines[1].get_ydata(), -np.arange(5.0))
    assert right.get_yscale() == "symlog"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]
    plt.close(fig)
    with pytest.raises(ValueError, match="equal length"):
        wdlib.plotting.plot_orbit_spectra([np.ones(3)], [np.ones(3), np.ones(3)])


# ---- conventions, boundaries and reproducibility of hessian_spectrum -------------------

_HMOD = importlib.import_module("wdlib.hessian")


def _net52():
    """A 4 x 5 target and a depth-3 network with widths 4, 4: N = 52 parameters."""
    rng = np.random.default_rng(4)
    Y = rng.standard_normal((4, 5))
    W = wdlib.init_weights(Y, 3, widths=[4, 4], init_scale=0.7, rng=rng)
    return W, Y


def test_hvp_rejects_a_direction_that_is_not_a_list():
    Y = np.ones((2, 3))
    W = wdlib.init_weights(Y, 2, [2], rng=0)
    V = [np.ones_like(w) for w in W]
    for bad in (iter(V), {0: V[0], 1: V[1]}, 3.0):
        with pytest.raises(TypeError, match="V must be a list of arrays shaped like weights"):
            wdlib.hvp(W, Y, 0.1, bad)
    np.testing.assert_allclose(_flat(wdlib.hvp(W, Y, 0.1, tuple(V))), _flat(wdlib.hvp(W, Y, 0.1, V)))


def test_unflatten_params_returns_float_layers_for_an_integer_vector():
    W = [np.zeros((2, 3)), np.zeros((1, 2))]
    back = wdlib.unflatten_params(np.arange(8), W)
    assert [b.dtype for b in back] == [np.float64, np.float64]
    np.testing.assert_array_equal(back[1], [[6.0, 7.0]])
    back[1][0, 0] = 0.5  # float storage: a fractional update is kept, not truncated
    assert back[1][0, 0] == 0.5


def test_dense_spectrum_selects_the_k_extreme_eigenvalues():
    W, Y = _net52()
    full = np.linalg.eigvalsh(wdlib.hessian(W, Y, 0.1))
    dense = {w: wdlib.hessian_spectrum(W, Y, 0.1, k=3, method="dense", which=w) for w in ("largest", "smallest", "both")}
    np.testing.assert_array_equal(dense["largest"], full[-3:])
    np.testing.assert_array_equal(dense["smallest"], full[:3])
    np.testing.assert_array_equal(dense["both"], np.r_[full[:1], full[-2:]])  # k // 2 smallest, the rest largest


def test_sharpness_on_a_single_parameter_and_its_method_argument():
    # depth 1, one parameter: F = (w - y)^2 / 2 + lam w^2 / 2 has F'' = 1 + lam
    assert wdlib.sharpness([np.array([[0.7]])], np.array([[2.0]]), 0.25) == 1.25
    W, Y = _net52()
    with pytest.raises(ValueError, match="method"):
        wdlib.sharpness(W, Y, 0.1, method="qr")
    with pytest.raises(ValueError, match="lanczos"):  # N = 1: Lanczos cannot find N - 1 = 0 values
        wdlib.sharpness([np.array([[0.7]])], np.array([[2.0]]), 0.25, method="lanczos")


def test_lanczos_refuses_k_equal_to_N():
    W, Y = _net52()
    with pytest.raises(ValueError, match="method='lanczos' needs an integer k < N = 52"):
        wdlib.hessian_spectrum(W, Y, 0.1, k=52, method="lanczos")
    assert wdlib.hessian_spectrum(W, Y, 0.1, k=51, method="lanczos").size == 51


def test_auto_method_switches_to_lanczos_just_above_the_dense_limit(monkeypatch):
    # "auto" is dense for N <= DENSE_LIMIT and Lanczos above; the dense method ignores progress.
    W, Y = _net52()
    full = np.linalg.eigvalsh(wdlib.hessian(W, Y, 0.1))
    for limit, lanczos in ((52, False), (51, True)):
        monkeypatch.setattr(_HMOD, "DENSE_LIMIT", limit)
        calls = []
        top = wdlib.hessian_spectrum(W, Y, 0.1, k=2, progress=calls.append)
        assert bool(calls) == lanczos
        np.testing.assert_allclose(top, full[-2:], rtol=1e-9)
    # above the limit, k = N still takes the dense path (eigsh cannot give all N)
    monkeypatch.setattr(_HMOD, "DENSE_LIMIT", 10)
    np.testing.assert_array_equal(wdlib.hessian_spectrum(W, Y, 0.1, k=52), full)


def test_dense_size_limit_is_inclusive(monkeypatch):
    W, Y = _net52()
    monkeypatch.setattr(_HMOD, "DENSE_MAX_PARAMS", 52)
    assert wdlib.hessian_spectrum(W, Y, 0.1).size == 52
    monkeypatch.setattr(_HMOD, "DENSE_MAX_PARAMS", 51)
    with pytest.raises(ValueError, match="N = 52 parameters"):
        wdlib.hessian_spectrum(W, Y, 0.1)


def test_lanczos_is_reproducible_to_the_last_bit():
    # the start vector is fixed, so two runs give identical eigenvalues (ARPACK's own
    # random start differs from run to run by ~1e-13)
    W, Y = _net52()
    for k, which in ((2, "largest"), (5, "smallest")):
        first = wdlib.hessian_spectrum(W, Y, 0.1, k=k, method="lanczos", which=which)
        second = wdlib.hessian_spectrum(W, Y, 0.1, k=k, method="lanczos", which=which)
        np.testing.assert_array_equal(first, second)


def test_progress_true_prints_every_100_products_and_false_is_silent(capsys):
    W, Y = _net52()
    calls = []
    wdlib.hessian_spectrum(W, Y, 0.1, k=5, method="lanczos", which="smallest", progress=calls.append)
    n = len(calls)
    assert n >= 100  # this run needs more than 100 products
    capsys.readouterr()
    wdlib.hessian_spectrum(W, Y, 0.1, k=5, method="lanczos", which="smallest", progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"hessian_spectrum: {100 * i} Hessian-vector products (N = 52, k = 5)" for i in range(1, n // 100 + 1)]
    wdlib.hessian_spectrum(W, Y, 0.1, k=5, method="lanczos", which="smallest", progress=False)
    assert capsys.readouterr().err == ""


def test_progress_lines_are_flushed_at_once(monkeypatch):
    # a notebook's stderr buffers: each progress line must be flushed when printed
    class Stream(io.StringIO):
        def __init__(self):
            super().__init__()
            self.unflushed = []

        def write(self, s):
            self.unflushed.append(s)
            return super().write(s)

        def flush(self):
            self.unflushed.clear()

    stream = Stream()
    W, Y = _net52()
    monkeypatch.setattr(sys, "stderr", stream)
    wdlib.hessian_spectrum(W, Y, 0.1, k=2, method="lanczos", progress=1)
    assert stream.getvalue().count("\n") >= 2 and stream.unflushed == []


def test_progress_counts_only_the_products_of_the_lanczos_run(monkeypatch):
    # the LinearOperator is given its dtype, so no product is spent probing it:
    # the first product reported is the first one eigsh asks for
    import scipy.sparse.linalg as sla

    real = sla.eigsh
    reported, asked = [], []

    def spy(A, *args, **kwargs):
        asked.append(len(reported))
        return real(A, *args, **kwargs)

    monkeypatch.setattr(sla, "eigsh", spy)
    W, Y = _net52()
    wdlib.hessian_spectrum(W, Y, 0.1, k=2, method="lanczos", progress=reported.append)
    assert asked == [0] and reported == list(range(1, len(reported) + 1))
