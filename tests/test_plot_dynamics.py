"""Tests of the plotting helpers of the chapter *Learning dynamics with weight decay*."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import wdlib  # noqa: E402
from wdlib.plotting import plot_escape_phase_map, plot_loss_plateaus, plot_mode_flows, plot_mode_tracks  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_loss_plateaus_draws_runs_flows_and_marks():
    t = np.linspace(0, 5, 50)
    runs = {"a": dict(t=t, gd=np.exp(-t), flow=np.exp(-t) + 1e-3, escapes=[1.0, 2.0]),
            "b": dict(t=t, gd=np.exp(-2 * t), flow=np.exp(-2 * t), escapes=[])}
    fig = plot_loss_plateaus(runs)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), np.exp(-t))
    xs = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == ":" and len(ln.get_xdata())]
    assert 1.0 in xs and 2.0 in xs
    assert len(ax.get_legend().get_texts()) == 4


def test_mode_flows_one_panel_per_depth_with_threshold_lines():
    t = np.linspace(0, 10, 30)
    panels = []
    for L in (2, 3):
        starts = np.array([1e-4, 1e-2, 1.0])
        panels.append(dict(depth=L, t=t, s=wdlib.mode_flow(1.5, 0.1, L, starts, t),
                           threshold=wdlib.escape_threshold(1.5, 0.1, L),
                           limit=wdlib.scalar_local_minimizer(1.5, 0.1, L)))
    fig = plot_mode_flows(panels)
    assert len(fig.axes) == 2 and fig.axes[0].get_yscale() == "log"
    assert fig.axes[1].get_title() == "$L = 3$"
    dashed = [ln for ln in fig.axes[1].get_lines() if ln.get_linestyle() == "--"]
    np.testing.assert_allclose(dashed[0].get_ydata()[0], panels[1]["threshold"])
    assert not [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]   # L = 2: no threshold


def test_escape_phase_map_draws_ranks_and_checks():
    scales = np.geomspace(1e-5, 1, 20)
    lams = np.linspace(0.01, 0.2, 15)
    y = np.array([2.0, 0.5])
    thr = np.array([wdlib.escape_threshold(y, lm, 3) for lm in lams])
    ranks = np.sum(scales[None, :, None] > thr[:, None, :], axis=2)
    glob = np.array([np.sum(y > wdlib.critical_singular_value(lm, 3)) for lm in lams])
    fig = plot_escape_phase_map(scales, lams, ranks, glob, checks=[(1e-3, 0.1, 1, 1), (1e-2, 0.05, 2, 1)])
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    np.testing.assert_array_equal(np.asarray(ax.collections[0].get_array()).reshape(ranks.shape), ranks)
    markers = [ln.get_marker() for ln in ax.get_lines() if len(ln.get_xdata())]
    assert "o" in markers and "x" in markers


def test_mode_tracks_draws_measured_predicted_and_marks():
    t = np.linspace(0, 3, 10)
    meas = np.c_[np.sin(t), np.cos(t)]
    fig = plot_mode_tracks(t, meas, meas + 0.1, y=[2.0, 1.0], marks=[1.0, np.inf])
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), meas[:, 0])
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), meas[:, 0] + 0.1)
    vlines = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(vlines) == 1                                           # the infinite mark is skipped
