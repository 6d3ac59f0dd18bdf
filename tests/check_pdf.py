"""The PDF of `make pdf`: every chapter in it, typeset math, a plausible page count.

``make pdf`` builds ``_build/pdf/weight-decay-deep-linear.pdf`` and then runs this
file (named ``check_*`` so that the default ``pytest`` run, ``make test``, does not
collect it: printing the whole book takes minutes, and a test that is skipped
there would pass without checking anything).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "weight-decay-deep-linear.pdf"
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "_ext"))



@pytest.fixture(autouse=True, scope="module")
def _built():
    assert PDF.is_file(), f"no PDF at {PDF}: run make pdf"


def _titles():
    from exec_table import notebook_timing

    import pdf

    out = []
    for doc in pdf.toc_entries():
        nb, md = ROOT / f"{doc}.ipynb", ROOT / f"{doc}.md"
        if nb.is_file():
            out.append(notebook_timing(nb)[0])
        else:
            m = re.search(r"^# (.+)$", md.read_text(encoding="utf-8"), re.M)
            out.append(m.group(1))
    return [re.sub(r"[`*]", "", t) for t in out]


@pytest.fixture(scope="module")
def text():
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) missing")
    out = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out


def _squash(s):
    return " ".join(s.split())


def test_page_count():
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    chapters = len(_titles())
    assert 5 * chapters <= pages <= 1500, pages


def test_every_chapter_title_is_in_the_pdf(text):
    flat = _squash(text)
    missing = [t for t in _titles() if _squash(t) not in flat]
    assert not missing, f"chapters missing from the PDF: {missing}"
    assert "Contents" in flat


def test_no_raw_tex(text):
    # MathJax delimiters or environments left in the text mean a formula was not
    # typeset (TeX inside code cells, e.g. plot labels, is code and stays).
    raw = re.findall(r"\\\(|\\\)|\\\[|\\\]|\\begin\{|\\end\{|\$\$", text)
    assert not raw, f"untypeset TeX in the PDF: {raw[:5]}"


def test_theorems_are_numbered(text):
    assert re.search(r"Theorem \d+\.\d+", text)
