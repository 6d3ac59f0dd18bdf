"""Tests of the plotting helpers of the chapter *The whole landscape* (wdlib/plotting/spectrum.py)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import wdlib  # noqa: E402
from wdlib.plotting import plot_critical_map, plot_spectrum_histogram, plot_spectrum_vs_lambda  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_critical_map_draws_every_point_at_its_index_and_value():
    pts = wdlib.critical_points(np.diag([2.0, 1.0]), 0.3, 3)
    fig = plot_critical_map([pts, pts[:3]], titles=["a", "b"])
    ax0, ax1 = fig.axes[:2]
    drawn = [(ln.get_xdata()[0], ln.get_ydata()[0]) for ln in ax0.get_lines() if len(ln.get_xdata())]
    assert sorted(drawn) == sorted((p.index, p.value) for p in pts)
    assert sum(1 for ln in ax1.get_lines() if len(ln.get_xdata())) == 3
    assert ax0.get_title() == "a"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert set(labels) == {p.kind for p in pts}


def test_critical_map_rejects_empty_panels():
    with pytest.raises(ValueError, match="panels"):
        plot_critical_map([[]])


def test_spectrum_histogram_weights_by_multiplicity_and_reports_zeros():
    v, c = wdlib.hessian_spectrum_at_minimizer(np.diag([3.0, 2.0, 1.0]), 0.2, 3, multiplicities=True)
    fig = plot_spectrum_histogram(v, c, reference={"2 lam": 0.4})
    ax = fig.axes[0]
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == pytest.approx(c[v > 0].sum())
    text = ax.texts[0].get_text()
    assert f"zero: {int(c[v == 0].sum())}" in text and f"N = {int(c.sum())}" in text
    with pytest.raises(ValueError, match="same length"):
        plot_spectrum_histogram(v, c[:-1])


def test_spectrum_vs_lambda_plots_every_distinct_value_and_the_sharpness():
    Y = np.diag([2.0, 1.0])
    lams = np.array([0.1, 0.5, 2.0])
    spectra = [wdlib.hessian_spectrum_at_minimizer(Y, lam, 3, multiplicities=True) for lam in lams]
    fig = plot_spectrum_vs_lambda(lams, spectra, thresholds={"a": 0.3})
    ax = fig.axes[0]
    pts = ax.collections[0].get_offsets()
    assert len(pts) == sum(v.size for v, _ in spectra)
    sharp = [ln for ln in ax.get_lines() if ln.get_label() == "sharpness (largest)"][0]
    np.testing.assert_allclose(sharp.get_ydata(), [v.max() for v, _ in spectra])
    with pytest.raises(ValueError, match="one"):
        plot_spectrum_vs_lambda(lams[:2], spectra)
