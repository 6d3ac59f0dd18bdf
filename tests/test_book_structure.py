"""The book's own rules, checked on every chapter notebook.

A chapter opens by saying what the reader will learn and what it assumes;
states its claims in labelled ``prf`` directives, each followed by a proof;
verifies them with asserts (SymPy and NumPy); shows figures only through
``glue`` and refers to every one of them, the first before the first theorem;
folds most of its code; closes with a summary, at least five exercises labelled
by kind (✍ pen and paper, ⌨ computational) and difficulty (★ to ★★★) with
dropdown solutions, two of which run and assert, and further reading; never
points readers to files they do not have; and is committed executed in order.
The rendered page is measured in ``tests/test_site.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))


def _toc_files():
    data = yaml.safe_load((ROOT / "_toc.yml").read_text())
    out = [data["root"]]
    for part in data.get("parts", []):
        out += [c["file"] for c in part.get("chapters", [])]
    return out


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    toc = _toc_files()
    for nb in CHAPTERS:
        assert f"book/{nb.stem}" in toc, f"{nb.name} is not in _toc.yml"
    for entry in toc:
        assert any((ROOT / f"{entry}{ext}").is_file() for ext in (".md", ".ipynb")), f"_toc.yml lists missing {entry}"


def _cells(nb):
    return json.loads(nb.read_text(encoding="utf-8"))["cells"]


def _md(cells):
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _code(cells):
    return [c for c in cells if c["cell_type"] == "code"]


@pytest.fixture(params=CHAPTERS, ids=[c.stem for c in CHAPTERS])
def chapter(request):
    cells = _cells(request.param)
    return request.param.stem, cells, _md(cells), _code(cells)


def test_executed_in_order(chapter):
    name, _, _, code = chapter
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{name}: re-execute it top to bottom (make notebooks NB=book/{name}.ipynb)"


def test_opens_with_what_it_teaches_and_assumes(chapter):
    name, _, md, _ = chapter
    head = md[:3000].lower()
    assert "learn" in head and "assume" in head, f"{name}: open with what the reader will learn and what it assumes"


def test_claims_are_labelled_proved_and_verified(chapter):
    name, _, md, code = chapter
    claims = re.findall(r"```\{prf:(theorem|lemma|proposition|corollary)\}[^\n]*\n:label: ([\w-]+)", md)
    assert claims, f"{name}: no labelled theorem, lemma, proposition or corollary"
    assert md.count("{prf:proof}") >= len(claims), f"{name}: a claim without a proof"
    src = "\n".join("".join(c["source"]) for c in code)
    assert re.search(r"assert\s+sp\.simplify|assert\s+sp\.|sp\.simplify\(.*\)\s*==\s*0", src), f"{name}: no SymPy assert"
    assert "assert_allclose" in src, f"{name}: no numerical assert_allclose"


def test_figures_are_glued_and_referenced(chapter):
    name, _, md, _ = chapter
    for label in re.findall(r"\{glue:figure\}\s+([\w-]+)", md):
        assert f"{{numref}}`{label}`" in md or re.search(r"\{numref\}`[^`]*<" + re.escape(label) + ">`", md), \
            f"{name}: figure {label} is never referenced from the text"


EXERCISE = re.compile(r"(`{3,}|:{3,})\{exercise\} *([^\n]*)\n:label: ([\w-]+)")
KIND = re.compile(r"^[✍⌨] (★☆☆|★★☆|★★★) \S")


def test_closes_with_summary_exercises_and_further_reading(chapter):
    name, cells, md, _ = chapter
    assert re.search(r"^## Summary", md, re.M), f"{name}: no '## Summary' section"
    assert re.search(r"^## Exercises", md, re.M), f"{name}: no '## Exercises' section"
    assert re.search(r"^## Further reading", md, re.M), f"{name}: no '## Further reading' section"
    found = EXERCISE.findall(md)
    exercises = [label for _, _, label in found]
    assert len(exercises) >= 5, f"{name}: {len(exercises)} exercises, at least 5 expected"
    for _, title, label in found:
        assert KIND.match(title), (f"{name}: exercise {label} title {title!r} must start with its kind "
                                   "and difficulty, e.g. '✍ ★★☆ Title' or '⌨ ★☆☆ Title'")
    assert sum(title.startswith("⌨") for _, title, _ in found) >= 2, f"{name}: fewer than 2 ⌨ exercises"
    for label in exercises:
        assert re.search(r"```\{solution-start\} " + re.escape(label) + r"\n:class: dropdown", md), \
            f"{name}: exercise {label} has no dropdown solution"
    # At least two solutions run code that asserts: a code cell between a
    # solution-start and its solution-end.
    inside, asserting = None, set()
    for c in cells:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown":
            if "{solution-start}" in src:
                tail = src.split("{solution-start}")[-1]
                inside = None if "{solution-end}" in tail else tail.split()[0]
            elif "{solution-end}" in src:
                inside = None
        elif inside and re.search(r"\bassert\b|assert_allclose", src):
            asserting.add(inside)
    assert len(asserting) >= 2, f"{name}: {len(asserting)} exercise solution(s) run code that asserts, 2 expected"


def test_a_picture_comes_before_the_first_theorem(chapter):
    name, _, md, _ = chapter
    first_claim = re.search(r"\{prf:(theorem|lemma|proposition|corollary|definition)\}", md)
    first_figure = re.search(r"\{glue:figure\}|!\[|\{figure\}|\{image\}", md)
    assert first_figure and (not first_claim or first_figure.start() < first_claim.start()), \
        f"{name}: show a picture before the first theorem"


def test_most_code_is_folded_and_fits_the_column(chapter):
    name, _, _, code = chapter
    folded = {"hide-input", "remove-input", "remove-cell"}
    lines = shown = 0
    for c in code:
        src = "".join(c["source"]).splitlines()
        lines += len(src)
        if not folded & set(c.get("metadata", {}).get("tags", [])):
            shown += len(src)
        for line in src:
            assert len(line) <= 88, f"{name}: code line wider than the column ({len(line)} > 88): {line[:60]}..."
    assert shown <= 0.25 * lines, f"{name}: {shown} of {lines} code lines are shown; fold the checks (hide-input)"


def test_reader_text_names_no_internal_files(chapter):
    name, cells, _, _ = chapter
    text = "\n".join("".join(c["source"]) for c in cells)
    for bad in ("MATH.md", "COURSE.md", "STYLE.md"):
        assert bad not in text, f"{name}: mentions {bad}, which readers do not have"
    assert not re.search(r"\bclaims? \d+\b", text, re.I), f"{name}: refers to a numbered claim; link the theorem"


def test_cites_its_sources(chapter):
    name, _, md, _ = chapter
    assert re.search(r"\{cite:[tp]\}", md), f"{name}: cites nothing"
