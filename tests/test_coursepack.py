"""The course pack (``make book`` puts it on the site): unpack, install, run a chapter.

``make test`` runs the quick form: the zip is unpacked into a temporary folder, a
fresh virtual environment is created there, the pack's ``wdlib`` wheel is
installed into it (offline, ``--no-deps``), and the third-party packages are
borrowed from this environment through a ``.pth`` line (so no download); the
quickest chapter is then executed by that environment's own kernel, which must
import ``wdlib`` from the fresh environment. ``make coursepack-test`` runs the
full form (``WDBOOK_COURSEPACK_FULL=1``): a fresh venv with its own pip, and
``pip install -r requirements.txt -c constraints.txt`` exactly as the pack's
README says (it downloads; minutes).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "_ext"))
import coursepack  # noqa: E402
from exec_table import notebook_timing  # noqa: E402

pytestmark = pytest.mark.slow  # subprocesses and kernels: scheduled early (conftest.py)

ZIP = coursepack.OUT / f"{coursepack.NAME}.zip"
FULL = os.environ.get("WDBOOK_COURSEPACK_FULL") == "1"

RUN_CHAPTER = r"""
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import wdlib; print(wdlib.__file__)"))
NotebookClient(nb, kernel_name="python3", timeout=600).execute()
print(nb.cells[-1].outputs[0]["text"].strip())
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    if not ZIP.is_file():
        coursepack.main()
    dest = tmp_path_factory.mktemp("coursepack")
    with zipfile.ZipFile(ZIP) as zf:
        zf.extractall(dest)
    return dest / coursepack.FOLDER


def test_contents(pack):
    names = {p.name for p in pack.iterdir()}
    chapters = {p.name for p in coursepack.toc_notebooks()}
    assert chapters and chapters <= names
    wheels = sorted(pack.glob("wdlib-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as whl:
        assert {"wdlib/__init__.py", "wdlib/py.typed", "wdlib/plotting/__init__.py"} <= set(
            whl.namelist())
    req = (pack / "requirements.txt").read_text().splitlines()
    assert f"./{wheels[0].name}" in req
    for name in ("numpy", "scipy", "sympy", "matplotlib", "myst-nb", "jupyterlab"):
        assert any(re.match(rf"{name}\b", line) for line in req), name
    readme = (pack / "README.md").read_text()
    assert "pip install -r requirements.txt" in readme and "jupyter lab" in readme
    assert (pack / "constraints.txt").read_text() == (ROOT / "constraints.txt").read_text()


def _fresh_env(pack: Path) -> Path:
    venv = pack / ".venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    if FULL:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "-r", "requirements.txt", "-c", "constraints.txt"],
                       cwd=pack, check=True, env=env, timeout=3000)
        return venv
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   env=env)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True,
                          env=env).stdout.strip()
    # the book's third-party packages, after the fresh site-packages on sys.path
    (Path(site) / "_book_packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    wheel = next(pack.glob("wdlib-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--quiet", "--no-deps", "--no-index", str(wheel)], check=True, env=env)
    return venv


def test_install_and_run_a_chapter(pack):
    venv = _fresh_env(pack)
    chapter = min(coursepack.toc_notebooks(), key=lambda p: notebook_timing(p)[2])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    out = subprocess.run([str(venv / "bin" / "python"), "-c", RUN_CHAPTER,
                          str(pack / chapter.name)], cwd=pack, env=env, capture_output=True,
                         text=True, timeout=1200)
    assert out.returncode == 0, out.stderr[-3000:]
    where = Path(out.stdout.strip().splitlines()[-1])
    assert venv.resolve() in where.resolve().parents, f"wdlib imported from {where}"
