"""`make lab`: JupyterLab and Notebook in the environment, and the book's kernel runs a chapter.

The kernel ``wdbook`` is installed into the environment by ``make`` (``ipykernel
install --sys-prefix``); chapters name it in their kernelspec. One chapter (the
quickest by its recorded run time) is executed here through that kernel name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KERNEL = "wdbook"
sys.path.insert(0, str(ROOT / "_ext"))
from exec_table import notebook_timing  # noqa: E402


@pytest.mark.parametrize("tool", ["jupyter-lab", "jupyter-notebook"])
def test_jupyter_interfaces_installed(tool):
    out = subprocess.run([str(BIN / tool), "--version"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()[0].isdigit()


def _spec():
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(KERNEL)


def test_book_kernel_installed_in_this_environment():
    spec = _spec()
    assert Path(spec.argv[0]).resolve().parent == BIN.resolve() or \
        Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert spec.language == "python"


def test_a_chapter_runs_through_the_book_kernel(tmp_path):
    from nbclient import NotebookClient

    chapters = sorted(ROOT.glob("book/*.ipynb"))
    fastest = min(chapters, key=lambda p: notebook_timing(p)[2])
    nb = nbformat.read(str(fastest), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=600,
                            resources={"metadata": {"path": str(ROOT / "book")}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{fastest.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    assert nb.cells[-1].outputs[0]["text"].strip() == sys.prefix  # this environment
