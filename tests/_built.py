"""The built site, ``_build/html``, for the tests that read it.

``make test`` runs the strict build in the background while pytest runs the tests
that do not need it, and writes the build's exit status to the file named by
``WDBOOK_BUILD_RC`` when it ends: :func:`built_site` waits for that file and fails
when the build failed. Without ``WDBOOK_BUILD_RC`` (pytest run by hand), the site
is built here, strictly, when it is missing or older than its sources.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
WAIT = 1800  # s: longest wait for the background build of `make test`


def _wait_for_build(rc_file: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not rc_file.is_file() or not rc_file.read_text().strip():
        if time.monotonic() > deadline:
            pytest.fail(f"the build of `make test` did not end in {WAIT} s ({rc_file})")
        time.sleep(0.5)
    rc = rc_file.read_text().strip()
    if rc != "0":
        log = rc_file.with_suffix(".log")
        pytest.fail(f"the strict build failed (exit status {rc}); see {log}")


def built_site() -> Path:
    """``_build/html`` once built: waits for ``make test``'s build, or builds."""
    rc_file = os.environ.get("WDBOOK_BUILD_RC")
    if rc_file:
        _wait_for_build(Path(rc_file))
        return SITE
    # searchindex.js is rewritten by every build (the root index.html is a redirect
    # that jupyter-book leaves untouched when it has not changed)
    index = SITE / "searchindex.js"
    sources = [*ROOT.glob("book/*"), *ROOT.glob("_ext/*.py"), ROOT / "_config.yml",
               ROOT / "_toc.yml", ROOT / "references.bib"]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not index.is_file() or index.stat().st_mtime < newest:
        jb = Path(sys.executable).with_name("jupyter-book")
        subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going",
                        "--all"], check=True, cwd=ROOT)
    return SITE
