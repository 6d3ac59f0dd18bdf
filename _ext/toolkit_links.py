"""The reader's toolkit on every page: the course pack and the PDF, served by the site.

``make book`` builds the course pack (``tools/coursepack.py``) before the site;
``make pdf`` prints the book to ``_build/pdf/``. After an HTML build, this
extension copies both (the PDF only when it was built) into ``downloads/`` of
the site, and every page's footer links to them with a path relative to that
page. ``tests/test_coursepack.py`` and ``tests/test_pdf.py`` check the files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "coursepack": ROOT / "_build" / "coursepack" / "weight-decay-deep-linear-coursepack.zip",
    "pdf": ROOT / "_build" / "pdf" / "weight-decay-deep-linear.pdf",
}


def _available():
    return {key: path for key, path in FILES.items() if path.is_file()}


def _footer(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    files = _available()
    if not files:
        return
    pathto = context["pathto"]
    parts = []
    if "coursepack" in files:
        href = pathto(f"downloads/{files['coursepack'].name}", 1)
        parts.append(f'<a class="wdbook-coursepack" href="{href}">Download the course pack</a> '
                     "(every chapter as a notebook, the library <code>wdlib</code>, "
                     "and how to run them in Jupyter)")
    if "pdf" in files:
        href = pathto(f"downloads/{files['pdf'].name}", 1)
        parts.append(f'<a class="wdbook-pdf" href="{href}">the whole book as a PDF</a>')
    context["theme_extra_footer"] = "<p>" + " · ".join(parts) + ".</p>"


def _copy(app, exception):
    if exception is not None or app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    dest = Path(app.outdir) / "downloads"
    dest.mkdir(parents=True, exist_ok=True)
    for path in _available().values():
        shutil.copy2(path, dest / path.name)


def setup(app):
    app.connect("html-page-context", _footer)
    app.connect("build-finished", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
