"""Packaging and house-keeping: lazy pyplot, one version, licenses, make help, ruff."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import wdlib

ROOT = Path(__file__).resolve().parents[1]


def test_import_wdlib_does_not_import_pyplot():
    code = ("import sys, wdlib; bad = [m for m in ('matplotlib', 'matplotlib.pyplot') "
            "if m in sys.modules]; assert not bad, bad; "
            "import wdlib.plotting; assert 'matplotlib.pyplot' in sys.modules; "
            "assert wdlib.plotting is sys.modules['wdlib.plotting']; "
            "assert callable(wdlib.plotting.new_figure)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr


def test_plotting_is_public_and_lazy():
    assert "plotting" in wdlib.__all__ and "plotting" in dir(wdlib)
    with pytest.raises(AttributeError, match="no_such_name"):
        wdlib.no_such_name  # noqa: B018


def test_version_is_single_sourced():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "wdlib.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", wdlib.__version__)
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(rf"^version: {re.escape(wdlib.__version__)}$", cff, re.M)


def test_metadata_licenses_and_typed():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] and meta["authors"]
    assert "MIT" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-TEXT").read_text()
    for name in ("CHANGELOG.md", "CONTRIBUTING.md", "CITATION.cff"):
        assert (ROOT / name).is_file(), name
    assert (ROOT / "wdlib" / "py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in data["package-data"]["wdlib"]


def test_make_help_lists_every_target():
    if not shutil.which("make"):
        pytest.skip("make missing")
    text = (ROOT / "Makefile").read_text()
    phony = set(" ".join(re.findall(r"^\.PHONY:((?:.*\\\n)*.*)$", text, re.M))
                .replace("\\", " ").split())
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):(?!=)", text, re.M))
    assert targets <= phony | {"help"}, targets - phony
    out = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"^make ([a-z0-9-]+)", out, re.M))
    listed |= set(re.findall(r"\b(nbtest2)\b", out))
    internal = {t for t in phony if t.endswith("-only")}  # called by other targets
    missing = phony - listed - internal - {"help"}
    assert not missing, f"make help does not list {sorted(missing)}"


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff missing")
    out = subprocess.run([ruff, "check", "wdlib", "tests", "tools", "_ext"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
