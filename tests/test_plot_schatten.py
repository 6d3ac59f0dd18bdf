"""Tests of the plotting helpers of the chapters *Balanced factors* and *From matrices to
numbers* (wdlib/plotting/schatten.py)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import wdlib  # noqa: E402
from wdlib.plotting import (  # noqa: E402
    plot_factorization_check,
    plot_scalar_slices,
    plot_schatten_penalties,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_schatten_penalties_draws_balls_and_curves():
    depths = [1, 2, 3]
    s = np.linspace(0, 2, 21)
    balls = [wdlib.schatten_ball_boundary(L, num=51) for L in depths]
    fig = plot_schatten_penalties(s, [s ** (2 / L) for L in depths], depths, balls)
    assert isinstance(fig, Figure)
    ax_balls, ax_pen = fig.axes
    assert len(ax_balls.get_lines()) >= 3 and len(ax_pen.get_lines()) == 3
    np.testing.assert_allclose(ax_pen.get_lines()[2].get_ydata(), s ** (2 / 3))
    np.testing.assert_allclose(ax_balls.get_lines()[1].get_xdata(), balls[1][0])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["$L = 1$", "$L = 2$", "$L = 3$"]
    with pytest.raises(ValueError, match="curves"):
        plot_schatten_penalties(s, [s], depths, balls)
    with pytest.raises(ValueError, match="balls"):
        plot_schatten_penalties(s, [s ** (2 / L) for L in depths], depths, balls[:2])


def test_factorization_check_draws_values_and_layer_pairs():
    depths = [2, 3]
    opt = [[4.0, 5.0], [1.0, 2.0]]
    pairs = [[[1.0, 1.0], [2.0, 2.1]], [[0.5, 0.5]]]
    fig = plot_factorization_check(depths, opt, opt, ["a", "b"], pairs)
    ax1, ax2 = fig.axes
    diagonal = [line for line in ax2.get_lines() if len(line.get_xdata()) == 2]
    np.testing.assert_allclose(diagonal[-1].get_xdata(), diagonal[-1].get_ydata())
    ys = [tuple(line.get_ydata()) for line in ax2.get_lines()]
    assert (1.0, 2.1) in ys and (0.5,) in ys
    assert any(tuple(line.get_ydata()) == (4.0, 5.0) for line in ax1.get_lines())
    with pytest.raises(ValueError, match="layer_pairs"):
        plot_factorization_check(depths, opt, opt, ["a", "b"], pairs[:1])
    with pytest.raises(ValueError, match="positive"):
        plot_factorization_check(depths, opt, opt, ["a", "b"], [[[0.0, 1.0]], [[1.0, 1.0]]])
    with pytest.raises(ValueError, match="shape"):
        plot_factorization_check([2], opt, opt, ["a", "b"], pairs)


def test_scalar_slices_marks_points_and_legends_only_drawn_kinds():
    s = np.linspace(0, 1.5, 31)
    lam, L, y = 0.4, 3, 1.2
    vals = wdlib.scalar_objective(s, y, lam, L)
    smin = wdlib.scalar_minimizer(y, lam, L)
    g = wdlib.scalar_objective(smin, y, lam, L)
    panels = [
        {"depth": 3, "lam": lam, "y": [y], "values": [vals], "global_points": [[(smin, g)]],
         "local_points": [[(0.0, y**2 / 2)]], "barrier_points": [[(0.05, 0.8)]], "ylim": (0, 1)},
        {"depth": 2, "lam": lam, "y": [y], "values": [wdlib.scalar_objective(s, y, lam, 2)]},
    ]
    fig = plot_scalar_slices(s, panels)
    ax3, ax2 = fig.axes
    np.testing.assert_allclose(ax3.get_lines()[0].get_ydata(), vals)
    assert any(tuple(line.get_xdata()) == (smin,) for line in ax3.get_lines())
    assert ax3.get_ylim() == (0.0, 1.0)
    texts3 = [t.get_text() for t in ax3.get_legend().get_texts()]
    texts2 = [t.get_text() for t in ax2.get_legend().get_texts()]
    assert "barrier (local max)" in texts3 and "local min" in texts3
    assert "barrier (local max)" not in texts2 and "global min" not in texts2
    assert "L = 3" in ax3.get_title() and "L = 2" in ax2.get_title()


def test_scalar_slices_rejects_bad_input():
    s = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="at least one"):
        plot_scalar_slices(s, [])
    with pytest.raises(ValueError, match="misses"):
        plot_scalar_slices(s, [{"depth": 2, "y": [1.0], "values": [s]}])
    with pytest.raises(ValueError, match="shape"):
        plot_scalar_slices(s, [{"depth": 2, "lam": 0.1, "y": [1.0, 2.0], "values": [s]}])
    with pytest.raises(TypeError):
        plot_scalar_slices(s, [[1, 2]])
    with pytest.raises(ValueError, match="global_points"):
        plot_scalar_slices(s, [{"depth": 2, "lam": 0.1, "y": [1.0], "values": [s],
                                "global_points": [[(0, 1)], [(0, 1)]]}])
