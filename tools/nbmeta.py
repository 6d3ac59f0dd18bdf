"""Notebook housekeeping for the book's chapters (run with the book's Python).

    python tools/nbmeta.py stamp  book/x.ipynb ...   record the hashes (after executing)
    python tools/nbmeta.py check  book/*.ipynb       warn, naming stale chapters
    python tools/nbmeta.py check --strict ...        the same, exit 1 when any is stale
    python tools/nbmeta.py kernel book/*.ipynb       set the kernelspec to the book's kernel
    python tools/nbmeta.py guard  book/*.ipynb       first code cell: a one-line message
                                                     when wdlib cannot be imported

``stamp`` writes ``metadata.wdbook`` = {"wdlib_sha256", "code_sha256"}: a hash of
every ``wdlib/**/*.py`` source and one of the notebook's own code cells. A chapter
is *stale* when either no longer matches: its committed outputs may then differ
from a fresh run (``make test`` re-executes and fails on any difference; ``make
book`` only warns). ``make notebooks`` executes and stamps.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KEY = "wdbook"
KERNEL = {"name": "wdbook", "display_name": "Python 3 (Weight Decay book)", "language": "python"}
GUARD_ID = "wdlib-guard"
GUARD = """\
# This chapter runs on the book's library wdlib (see the README of the course pack).
try:
    import wdlib  # noqa: F401
except ImportError:
    raise SystemExit(
        "wdlib is missing: unzip the course pack and run "
        "`pip install -r requirements.txt` in its folder, then restart the kernel."
    ) from None"""


def wdlib_hash(root: Path = ROOT) -> str:
    h = hashlib.sha256()
    for path in sorted((root / "wdlib").rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return h.hexdigest()


def code_hash(nb) -> str:
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode() + b"\0")
    return h.hexdigest()


def stale_reason(nb, lib: str) -> str | None:
    """Why the committed outputs may be out of date, or None when they match."""
    rec = nb.metadata.get(KEY)
    if not rec:
        return "no record of the run (execute it with make notebooks)"
    if rec.get("code_sha256") != code_hash(nb):
        return "its code cells changed since it was executed"
    if rec.get("wdlib_sha256") != lib:
        return "wdlib changed since it was executed"
    return None


def _write(nb, path: Path) -> None:
    nbformat.write(nb, str(path))


def cmd_stamp(paths, root: Path = ROOT) -> int:
    lib = wdlib_hash(root)
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        nb.metadata[KEY] = {"wdlib_sha256": lib, "code_sha256": code_hash(nb)}
        _write(nb, path)
    return 0


def cmd_check(paths, strict: bool = False, root: Path = ROOT) -> int:
    lib = wdlib_hash(root)
    stale = []
    for path in paths:
        reason = stale_reason(nbformat.read(str(path), as_version=4), lib)
        if reason:
            stale.append(f"{os.path.relpath(path)}: {reason}")
    if stale:
        print("WARNING: stale outputs in %d chapter(s); re-execute them with "
              "`make notebooks NB=...`:" % len(stale), file=sys.stderr)
        for line in stale:
            print("  " + line, file=sys.stderr)
    return 1 if (stale and strict) else 0


def cmd_kernel(paths) -> int:
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        nb.metadata["kernelspec"] = dict(KERNEL)
        _write(nb, path)
    return 0


def cmd_guard(paths) -> int:
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        cell = nbformat.v4.new_code_cell(GUARD, metadata={"tags": ["remove-cell"]})
        cell.id = GUARD_ID
        old = [i for i, c in enumerate(nb.cells) if c.get("id") == GUARD_ID]
        if old:
            nb.cells[old[0]] = cell
        else:
            first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"),
                         len(nb.cells))
            nb.cells.insert(first, cell)
        _write(nb, path)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["stamp", "check", "kernel", "guard"])
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "book").glob("*.ipynb"))
    if args.command == "check":
        return cmd_check(paths, args.strict)
    return {"stamp": cmd_stamp, "kernel": cmd_kernel, "guard": cmd_guard}[args.command](paths)


if __name__ == "__main__":
    sys.exit(main())
