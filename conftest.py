"""Root pytest configuration: how nbval compares the book's notebooks.

nbval (strict) skips plain ``image/png`` and ``image/jpeg`` outputs, whose bytes
depend on the platform, the BLAS thread count and the matplotlib build. A figure
stored by ``myst_nb.glue`` has the MIME type
``application/papermill.record/image/png``, which nbval would compare byte for
byte: skip it exactly as plain images are. The data behind every figure is
asserted or printed in the chapter, so nothing a reader sees goes unchecked.
"""

GLUED_IMAGES = (
    "application/papermill.record/image/png",
    "application/papermill.record/image/jpeg",
    "application/papermill.record/image/svg+xml",
)


def pytest_collectstart(collector):
    skip = getattr(collector, "skip_compare", None)
    if isinstance(skip, tuple) and "image/png" in skip:
        collector.skip_compare = skip + GLUED_IMAGES
