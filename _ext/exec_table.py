"""The ``exec-times`` directive: a table of how long each chapter took to run.

Jupyter Book's ``{nb-exec-table}`` reports only notebooks that Jupyter Book
itself executed; this book is built from committed outputs (verified by nbval
in ``make test``), so the table is computed instead from the per-cell timing
metadata that ``make notebooks`` (nbclient) records in every committed
notebook: ``iopub.execute_input`` and ``shell.execute_reply`` of each cell.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.errors import NoUri
from sphinx.util.docutils import SphinxDirective


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def notebook_timing(path: Path) -> tuple[str, int, float]:
    """Title, number of code cells and summed execution seconds of a notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    title, cells, seconds = path.stem, 0, 0.0
    for cell in nb["cells"]:
        src = "".join(cell.get("source", ""))
        if cell["cell_type"] == "markdown" and title == path.stem:
            for line in src.splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                    break
        if cell["cell_type"] != "code":
            continue
        cells += 1
        meta = cell.get("metadata", {}).get("execution", {})
        start, end = meta.get("iopub.execute_input"), meta.get("shell.execute_reply")
        if start and end:
            seconds += (_stamp(end) - _stamp(start)).total_seconds()
    return title, cells, seconds


def toc_files(toc: Path) -> list[str]:
    """Every ``file:`` entry of a jb-book ``_toc.yml``, in reading order."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                out.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(data)
    return out


class ExecTimes(SphinxDirective):
    has_content = False

    def run(self):
        srcdir = Path(self.env.srcdir)
        toc = srcdir / "_toc.yml"
        self.env.note_dependency(str(toc))
        rows = []
        for name in toc_files(toc):
            path = srcdir / f"{name}.ipynb"
            if not path.is_file():
                continue
            self.env.note_dependency(str(path))
            rows.append((name, *notebook_timing(path)))
        table = nodes.table(classes=["exec-times"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (60, 15, 25):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        body = nodes.tbody()
        group += body

        def row(cells, target=None):
            r = nodes.row()
            for i, text in enumerate(cells):
                entry = nodes.entry()
                para = nodes.paragraph()
                uri = _uri(self.env, target) if i == 0 and target else None
                if uri is not None:
                    para += nodes.reference("", text, internal=True, refuri=uri)
                else:
                    para += nodes.Text(text)
                entry += para
                r += entry
            return r

        head += row(["Chapter", "Code cells", "Run time (s)"])
        total = 0.0
        for name, title, cells, seconds in rows:
            total += seconds
            body += row([title, str(cells), f"{seconds:.1f}"], target=name)
        body += row(["All chapters", str(sum(r[2] for r in rows)), f"{total:.1f}"])
        return [table]


def _uri(env, target):
    """The chapter's URI relative to this page, or None where the builder has none
    (latex: ``NoUri``; the table then names the chapters without links)."""
    try:
        return env.app.builder.get_relative_uri(env.docname, target)
    except NoUri:
        return None


def setup(app):
    app.add_directive("exec-times", ExecTimes)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
