"""Tests of the plotting helpers of the chapter *Balancedness* (wdlib/plotting/balance.py)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import wdlib  # noqa: E402
from wdlib.plotting import plot_imbalance_decay, plot_imbalance_runs, plot_step_size_errors  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _run(lam, depth=3, steps=50, lr=0.01, shape=(2, 4), widths=(3, 5)):
    Y = np.arange(1.0, 1.0 + shape[0] * shape[1]).reshape(shape) / 5
    _, hist = wdlib.gradient_descent(Y, lam, depth, widths=list(widths)[: depth - 1], steps=steps, lr=lr,
                                     init_scale=0.5, rng=3)
    return hist


def _lines(ax):
    return ax.get_lines()


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_imbalance_decay_draws_data_and_law(depth):
    lam, lr = 0.3, 0.01
    hist = _run(lam, depth=depth, widths=(3, 5, 4))
    fig = plot_imbalance_decay(hist, lam, lr)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    lines = _lines(ax)
    assert len(lines) == 2 * (depth - 1)
    k = np.arange(hist["steps"] + 1)
    for l in range(depth - 1):
        measured, law = lines[2 * l], lines[2 * l + 1]
        np.testing.assert_array_equal(measured.get_xdata(), k)
        np.testing.assert_allclose(measured.get_ydata(), hist["imbalance"][:, l])
        # the law is computed independently here: exp(-2 lam eta k) ||D_l(0)||
        np.testing.assert_allclose(law.get_ydata(), np.exp(-2 * lam * lr * k) * hist["imbalance"][0, l])
    assert ax.get_legend() is not None


def test_imbalance_decay_lambda_zero_law_is_constant_and_uses_given_axes():
    hist = _run(0.0)
    fig0, ax = plt.subplots()
    fig = plot_imbalance_decay(hist, 0.0, 0.01, ax=ax, title="conserved", legend=False)
    assert fig is fig0
    assert ax.get_title() == "conserved"
    assert ax.get_legend() is None
    law = _lines(ax)[1].get_ydata()
    np.testing.assert_allclose(law, law[0])


def test_imbalance_runs_one_panel_per_run_shared_log_axis():
    h1, h0 = _run(0.5), _run(0.0)
    fig = plot_imbalance_runs([h1, h0], [0.5, 0.0], 0.01)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == [r"$\lambda = 0.5$", r"$\lambda = 0$"]
    # one legend, outside the panels (a figure legend), with the first panel's entries
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == fig.axes[0].get_legend_handles_labels()[1] and len(labels) >= 2
    assert fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[1])
    for ax, h in zip(fig.axes, [h1, h0]):
        assert len(_lines(ax)) == 2 * h["imbalance"].shape[1]
        np.testing.assert_allclose(_lines(ax)[0].get_ydata(), h["imbalance"][:, 0])
    fig2 = plot_imbalance_runs([h1], [0.5], 0.01, titles=["only"], sharey=False)
    assert fig2.axes[0].get_title() == "only"


def test_step_size_errors_series_and_reference_slopes():
    etas = np.array([0.04, 0.02, 0.01])
    first, second = 3 * etas, 5 * etas**2
    fig = plot_step_size_errors(etas, {"a": first, "b": second}, orders={"a": 1, "b": 2}, title="orders")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title() == "orders"
    lines = _lines(ax)
    assert len(lines) == 4                                  # two series, two references
    np.testing.assert_allclose(lines[0].get_ydata(), first)
    # exact order 1: the reference runs parallel, a factor offset = 0.5 below the data
    np.testing.assert_allclose(lines[1].get_ydata(), 0.5 * first)
    np.testing.assert_allclose(lines[3].get_ydata(), 0.5 * second)  # exact order 2: likewise
    # with offset = 1 the reference of the exact order coincides with the data
    fig = plot_step_size_errors(etas, {"a": first, "b": second}, orders={"a": 1, "b": 2}, offset=1.0)
    np.testing.assert_allclose(_lines(fig.axes[0])[1].get_ydata(), first)
    np.testing.assert_allclose(_lines(fig.axes[0])[3].get_ydata(), second)
    # the legend is outside the axes (a figure legend), not over the data
    assert fig.legends and fig.axes[0].get_legend() is None
    with pytest.raises(ValueError, match="offset"):
        plot_step_size_errors(etas, {"a": first}, orders={"a": 1}, offset=0.0)
    # a reference of the wrong order does not coincide with the data
    fig = plot_step_size_errors(etas, {"b": second}, orders={"b": 1})
    assert not np.allclose(_lines(fig.axes[0])[1].get_ydata(), second)
    # without orders only the series are drawn
    fig = plot_step_size_errors(etas, {"a": first})
    assert len(_lines(fig.axes[0])) == 1


def test_bad_inputs_name_the_argument():
    hist = _run(0.1)
    with pytest.raises(TypeError, match="history"):
        plot_imbalance_decay([1, 2], 0.1, 0.01)
    with pytest.raises(ValueError, match="imbalance"):
        plot_imbalance_decay({"loss": np.ones(3)}, 0.1, 0.01)
    with pytest.raises(ValueError, match="imbalance"):
        plot_imbalance_decay({"imbalance": np.ones((5, 0))}, 0.1, 0.01)   # depth 1: nothing to plot
    with pytest.raises(ValueError, match="imbalance"):
        plot_imbalance_decay({"imbalance": -np.ones((5, 2))}, 0.1, 0.01)
    with pytest.raises(ValueError, match="lam"):
        plot_imbalance_decay(hist, -1.0, 0.01)
    with pytest.raises(ValueError, match="lr"):
        plot_imbalance_decay(hist, 0.1, 0.0)
    with pytest.raises(TypeError, match="title"):
        plot_imbalance_decay(hist, 0.1, 0.01, title=3)
    with pytest.raises(TypeError, match="histories"):
        plot_imbalance_runs(hist, [0.1], 0.01)
    with pytest.raises(ValueError, match="histories"):
        plot_imbalance_runs([], [], 0.01)
    with pytest.raises(ValueError, match="lams"):
        plot_imbalance_runs([hist, hist], [0.1], 0.01)
    with pytest.raises(ValueError, match=r"lams\[1\]"):
        plot_imbalance_runs([hist, hist], [0.1, -2.0], 0.01)
    with pytest.raises(ValueError, match="titles"):
        plot_imbalance_runs([hist], [0.1], 0.01, titles=["a", "b"])
    with pytest.raises(ValueError, match=r"histories\[1\]"):
        plot_imbalance_runs([hist, {"imbalance": np.ones(3)}], [0.1, 0.1], 0.01)
    with pytest.raises(ValueError, match="etas"):
        plot_step_size_errors([0.1], {"a": [1.0]})
    with pytest.raises(ValueError, match="etas"):
        plot_step_size_errors([0.1, -0.1], {"a": [1.0, 1.0]})
    with pytest.raises(TypeError, match="errors"):
        plot_step_size_errors([0.1, 0.2], [1.0, 2.0])
    with pytest.raises(ValueError, match="errors"):
        plot_step_size_errors([0.1, 0.2], {"a": [1.0]})
    with pytest.raises(ValueError, match="errors"):
        plot_step_size_errors([0.1, 0.2], {"a": [1.0, 0.0]})
    with pytest.raises(ValueError, match="orders"):
        plot_step_size_errors([0.1, 0.2], {"a": [1.0, 2.0]}, orders={"b": 1})
    with pytest.raises(TypeError, match="orders"):
        plot_step_size_errors([0.1, 0.2], {"a": [1.0, 2.0]}, orders={"a": "one"})
