"""The book's opening figure: its data checked independently, the helper's input checks."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import wdlib  # noqa: E402
import wdlib.plotting as wp  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return wp.overview_data(num=121)


def test_two_layer_minimizers_are_the_grid_minima(data):
    # brute force: the smallest value of F on the grid sits next to one of the two points
    F, w = data["F"], data["w"]
    i, j = np.unravel_index(np.argmin(F), F.shape)
    h = w[1] - w[0]
    dist = np.min(np.linalg.norm(data["minimizers"] - [w[j], w[i]], axis=1))
    assert dist <= 2 * h
    # and they are balanced critical points of F (finite differences)
    y, lam = data["y2"], data["lam2"]
    f = lambda a, b: 0.5 * (a * b - y) ** 2 + 0.5 * lam * (a * a + b * b)  # noqa: E731
    for a, b in data["minimizers"]:
        e = 1e-6
        gx = (f(a + e, b) - f(a - e, b)) / (2 * e)
        gy = (f(a, b + e) - f(a, b - e)) / (2 * e)
        assert abs(a) == abs(b) and abs(gx) < 1e-8 and abs(gy) < 1e-8


def test_paths_soft_threshold_at_depth_two_and_jump_at_depth_three(data):
    y = np.array([3.0, 2.0, 1.0, 0.5])
    lams = data["lams"]
    np.testing.assert_allclose(data["paths2"], np.maximum(y[None, :] - lams[:, None], 0.0), atol=1e-12)
    jumps = wdlib.collapse_lambdas(np.diag(y), 3)
    for i in range(4):
        path = data["paths3"][:, i]
        nz = lams[path > 0]
        assert nz.max() <= jumps[i] + 1e-12 and path[lams > jumps[i]].max(initial=0.0) == 0.0
        # a jump, not a continuous descent: the last nonzero value is far from zero
        assert path[path > 0][-1] > 0.3 * y[i]


def test_scalar_curves_show_the_two_wells(data):
    lam = data["lam3"]
    yc = wdlib.critical_singular_value(lam, 3)
    ysp = wdlib.spinodal_singular_value(lam, 3)
    y3 = data["y3"]
    assert y3[0] < ysp < y3[1] < yc < y3[2]
    # brute force on the grid: the curve's minimum is where the global marker is
    for g, (sg, vg) in zip(data["curves"], data["global"]):
        assert g.min() >= vg - 1e-12 and abs(g.min() - vg) < 1e-3


def test_plot_overview_draws_and_checks_input(data):
    fig = wp.plot_overview(data)
    assert len(fig.axes) == 3
    with pytest.raises(TypeError, match="data"):
        wp.plot_overview([1, 2])
    bad = dict(data, F=data["F"][:-1])
    with pytest.raises(ValueError, match="data\\['F'\\]"):
        wp.plot_overview(bad)
