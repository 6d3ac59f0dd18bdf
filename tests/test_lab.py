"""`make lab`: JupyterLab and Notebook installed; the book's kernel runs the chapters.

The kernel ``wdbook`` is installed into the environment by ``make`` (``ipykernel
install --sys-prefix``); chapters name it in their kernelspec. nbval executes
every chapter through that kernel name (``--nbval-kernel-name=wdbook`` in the
pytest options of ``pyproject.toml``, checked here), so ``make test`` runs each
chapter through it, strictly; here the kernel is started by name and must run
in this environment.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # subprocesses and kernels: scheduled early (conftest.py)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KERNEL = "wdbook"


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


def test_nbval_runs_every_chapter_through_the_book_kernel():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    ini = meta["tool"]["pytest"]["ini_options"]
    assert "book" in ini["testpaths"]
    assert f"--nbval-kernel-name={KERNEL}" in ini["addopts"]


def test_the_book_kernel_runs_in_this_environment():
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys, wdlib; print(sys.prefix)")]
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=600,
                            resources={"metadata": {"path": str(ROOT / "book")}})
    client.execute()
    errors = [o for o in nb.cells[0].outputs if o.get("output_type") == "error"]
    assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}"
    assert nb.cells[0].outputs[0]["text"].strip() == sys.prefix  # this environment
