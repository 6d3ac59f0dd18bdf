"""The API reference page documents every public name of ``wdlib`` (and ``wdlib.plotting``).

The page is generated at build time from ``__all__`` (``_ext/wdlib_api.py``), so a
name added by a new module appears without editing ``book/api.md``; this test reads
the built page (``make test`` builds the site first) and fails when a public name
has no entry, or when the page is not in the table of contents.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

import wdlib
import wdlib.plotting

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "_build" / "html" / "book" / "api.html"
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
    if not PAGE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{PAGE} was not built")
        pytest.skip("site not built (make book)")
    ids = set(re.findall(r'<dt class="sig[^"]*" id="([^"]+)"', PAGE.read_text()))
    missing = [n for n in _expected() if n not in ids]
    assert not missing, f"public names missing from the API page: {missing}"
