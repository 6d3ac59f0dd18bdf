"""The landscape helper of the rescaling chapter draws the data it is given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from wdlib.plotting import plot_two_layer_landscape  # noqa: E402


def _maps(lams, y=1.0):
    w = np.linspace(-2.0, 2.0, 41)
    W1, W2 = np.meshgrid(w, w)
    return w, np.array([0.5 * (W1 * W2 - y) ** 2 + lam / 2 * (W1**2 + W2**2) for lam in lams])


def test_landscape_panels_points_and_curves():
    w, vals = _maps([0.0, 0.4])
    t = np.geomspace(0.5, 2.0, 30)
    hyperbola = np.c_[t, 1.0 / t]
    a = np.sqrt(0.6)
    fig = plot_two_layer_landscape(w, w, vals, ["a", "b"], minimizers=[np.zeros((0, 2)), [[a, a], [-a, -a]]],
                                   saddles=[[[0.0, 0.0]], [[0.0, 0.0]]], curves=[[hyperbola], []])
    assert isinstance(fig, Figure)
    axes = fig.axes[:2]
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    # the hyperbola is drawn from the given points, in the first panel only
    drawn = [ln for ln in axes[0].get_lines() if len(ln.get_xdata()) == len(t)]
    assert len(drawn) == 1
    np.testing.assert_allclose(drawn[0].get_xdata() * drawn[0].get_ydata(), 1.0)
    # the two minimizers of the second panel are marked where they are
    marks = [ln for ln in axes[1].get_lines() if ln.get_marker() == "o"]
    assert len(marks) == 1
    np.testing.assert_allclose(np.c_[marks[0].get_xdata(), marks[0].get_ydata()], [[a, a], [-a, -a]])
    # contour levels start at the panel's minimum
    levels = [c.levels for c in axes[1].collections if hasattr(c, "levels")]
    assert levels and np.isclose(levels[0][0], vals[1].min())
    # one figure legend, outside the panels, with each kind of mark once
    assert len(fig.legends) == 1
    labels = [tx.get_text() for tx in fig.legends[0].get_texts()]
    assert len(labels) == len(set(labels)) == 4
    plt.close(fig)


def test_landscape_bad_inputs():
    w, vals = _maps([0.0])
    with pytest.raises(ValueError, match="values"):
        plot_two_layer_landscape(w, w[:-1], vals, ["a"])
    with pytest.raises(ValueError, match="increasing"):
        plot_two_layer_landscape(w[::-1], w, vals, ["a"])
    with pytest.raises(ValueError, match="titles"):
        plot_two_layer_landscape(w, w, vals, ["a", "b"])
    with pytest.raises(ValueError, match="minimizers"):
        plot_two_layer_landscape(w, w, vals, ["a"], minimizers=[[], []])
    with pytest.raises(ValueError, match="finite"):
        plot_two_layer_landscape(w, w, vals * np.nan, ["a"])
