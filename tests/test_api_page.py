"""The API reference page documents every public name of wdlib and wdlib.plotting.

The page is generated at build time from ``__all__`` (``_ext/wdlib_api.py``), so a
name added by a new module appears without editing ``book/api.md``; this test reads
the built page (waiting for the build of ``make test``, or building the site; see
``_built.py``) and fails when a public name has no entry, or when the page is not
in the table of contents.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from _built import built_site

import wdlib
import wdlib.plotting

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import wdlib_api  # noqa: E402


def _expected():
    names = [f"wdlib.{n}" for n in wdlib.__all__ if n != "plotting"]
    return names + [f"wdlib.plotting.{n}" for n in wdlib.plotting.__all__]


def test_generator_covers_all():
    assert sorted(wdlib_api.public_names()) == sorted(_expected())


def test_api_page_in_toc():
    assert re.search(r"^\s*- file: book/api\s*$", (ROOT / "_toc.yml").read_text(), re.M)


def test_every_public_name_on_the_built_page():
    page = built_site() / "book" / "api.html"
    assert page.is_file(), f"{page} was not built"
    ids = set(re.findall(r'<dt class="sig[^"]*" id="([^"]+)"', page.read_text()))
    missing = [n for n in _expected() if n not in ids]
    assert not missing, f"public names missing from the API page: {missing}"
