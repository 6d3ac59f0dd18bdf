"""Serve MathJax 3 from the built site itself, so that no page needs a CDN.

MathJax comes from the ``django-static-mathjax`` wheel on PyPI (a plain copy
of MathJax 3.2.2's ``es5`` build with no Django dependency at import time).
At ``builder-inited`` the needed part of it is copied to ``<outdir>/mathjax``
(outside ``_static``, so Jupyter Book does not inject every MathJax component
into every page) and ``mathjax_path`` points there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ENTRY = "tex-chtml-full.js"
#: What MathJax loads on demand from beside the entry script.
PARTS = ["input", "output/chtml", "ui", "a11y", "adaptors", "sre", ENTRY]


def mathjax_source() -> Path:
    try:
        import mathjax  # the django-static-mathjax wheel
    except ImportError as exc:  # pragma: no cover
        raise ExtensionError("offline_mathjax needs the django-static-mathjax package (see requirements.txt)") from exc
    root = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (root / ENTRY).is_file():  # pragma: no cover
        raise ExtensionError(f"offline_mathjax: {root / ENTRY} not found")
    return root


def copy_mathjax(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    src = mathjax_source()
    dst = Path(app.outdir) / "mathjax"
    for part in PARTS:
        s, d = src / part, dst / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def setup(app: Sphinx):
    # Relative mathjax_path values are resolved under _static/ by Sphinx.
    app.config.mathjax_path = f"../mathjax/{ENTRY}"
    app.connect("builder-inited", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
