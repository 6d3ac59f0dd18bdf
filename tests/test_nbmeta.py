"""tools/nbmeta.py: stale-output stamps, the book's kernelspec, the wdlib guard cell."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbmeta  # noqa: E402

pytestmark = pytest.mark.slow  # subprocesses and kernels: scheduled early (conftest.py)

CHAPTER = sorted(ROOT.glob("book/*.ipynb"))[0]


def _copy(tmp_path):
    """A copy of the repository's wdlib sources and of one chapter, without its stamp."""
    shutil.copytree(ROOT / "wdlib", tmp_path / "wdlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "book").mkdir()
    nb = nbformat.read(str(CHAPTER), 4)
    nb.metadata.pop(nbmeta.KEY, None)
    path = tmp_path / "book" / CHAPTER.name
    nbformat.write(nb, str(path))
    return path


def _reason(path, root):
    return nbmeta.stale_reason(nbformat.read(str(path), 4), nbmeta.wdlib_hash(root))


def test_stamp_then_stale_after_a_wdlib_or_code_edit(tmp_path, capsys):
    nb_path = _copy(tmp_path)
    assert "no record" in _reason(nb_path, tmp_path)
    before = nbformat.read(str(nb_path), 4)
    nbmeta.cmd_stamp([nb_path], root=tmp_path)
    after = nbformat.read(str(nb_path), 4)
    assert _reason(nb_path, tmp_path) is None
    # the stamp touches the metadata only
    assert [c.source for c in after.cells] == [c.source for c in before.cells]
    assert [c.get("outputs") for c in after.cells] == [c.get("outputs") for c in before.cells]
    # a wdlib edit makes it stale; make book's check names the chapter but passes
    model = tmp_path / "wdlib" / "model.py"
    model.write_text(model.read_text() + "\n# an edit\n")
    assert _reason(nb_path, tmp_path) == "wdlib changed since it was executed"
    assert nbmeta.cmd_check([nb_path], root=tmp_path) == 0
    assert CHAPTER.name in capsys.readouterr().err
    assert nbmeta.cmd_check([nb_path], strict=True, root=tmp_path) == 1
    # so does a code edit, even with wdlib restamped
    nbmeta.cmd_stamp([nb_path], root=tmp_path)
    nb = nbformat.read(str(nb_path), 4)
    next(c for c in nb.cells if c.cell_type == "code").source += "\nx = 1"
    nbformat.write(nb, str(nb_path))
    assert _reason(nb_path, tmp_path) == "its code cells changed since it was executed"


def test_kernelspec_and_guard_are_idempotent(tmp_path):
    nb_path = _copy(tmp_path)
    for _ in range(2):
        nbmeta.cmd_kernel([nb_path])
        nbmeta.cmd_guard([nb_path])
    nb = nbformat.read(str(nb_path), 4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec["name"] == "wdbook"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].id == nbmeta.GUARD_ID and code[0].metadata["tags"] == ["remove-cell"]
    assert sum(c.get("id") == nbmeta.GUARD_ID for c in nb.cells) == 1


@pytest.mark.parametrize("broken", [False, True])
def test_guard_cell_message_when_wdlib_is_missing(tmp_path, broken):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(nbmeta.GUARD)]
    env_path = tmp_path / "site"
    if broken:  # a wdlib that cannot be imported shadows the real one
        (env_path / "wdlib").mkdir(parents=True)
        (env_path / "wdlib" / "__init__.py").write_text("raise ImportError('simulated')\n")
    import os

    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(env_path), old) if p)
    try:
        client = NotebookClient(nb, kernel_name="python3", timeout=120)
        if broken:
            with pytest.raises(CellExecutionError) as err:
                client.execute()
            assert "SystemExit" in str(err.value)
            out = next(o for o in nb.cells[0].outputs if o.output_type == "error")
            assert out.ename == "SystemExit"
            assert out.evalue.startswith("wdlib is missing: unzip the course pack")
            assert "\n" not in out.evalue
        else:
            client.execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old


def test_cli_check_runs():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "nbmeta.py"), "check",
                          str(CHAPTER)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
