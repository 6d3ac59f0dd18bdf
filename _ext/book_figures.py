"""Figures of the Markdown pages, drawn at build time by ``wdlib.plotting``.

Notebook chapters carry their figures as committed outputs (checked by nbval);
a Markdown page has no outputs, so the figures it shows are drawn here, from
data computed with ``wdlib``, into ``book/_generated/`` (not committed) before
Sphinx reads the sources. They are therefore never stale.
"""

from __future__ import annotations

from pathlib import Path

FIGURES = {
    # file name: (data function, plot function) in wdlib.plotting
    "overview.png": ("overview_data", "plot_overview"),
}


def _draw(app):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import wdlib.plotting as wp

    out = Path(app.srcdir) / "book" / "_generated"
    out.mkdir(parents=True, exist_ok=True)
    for name, (data_fn, plot_fn) in FIGURES.items():
        fig = getattr(wp, plot_fn)(getattr(wp, data_fn)())
        fig.savefig(out / name, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)


def setup(app):
    app.connect("builder-inited", _draw)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
