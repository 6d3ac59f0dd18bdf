"""Build the course pack: one .zip a reader unpacks, installs and opens in Jupyter.

    python tools/coursepack.py           -> _build/coursepack/<NAME>.zip

Contents (under one folder ``weight-decay-deep-linear/``): every chapter notebook
of the table of contents (with its committed outputs), a wheel of ``wdlib`` built
here from this checkout (offline, no build isolation), a reader's
``requirements.txt`` (the wheel, the chapters' imports and Jupyter, with the
ranges of the book's requirements) and the book's exact ``constraints.txt``, a
README, and the licenses. The zip is reproducible (fixed timestamps and order).
``make book`` builds it first; the site serves it (``_ext/toolkit_links.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "coursepack"
NAME = "weight-decay-deep-linear-coursepack"
FOLDER = "weight-decay-deep-linear"
# What the chapters import, and Jupyter; ranges taken from the book's requirements.
PACKAGES = ["numpy", "scipy", "sympy", "matplotlib", "ipykernel", "myst-nb",
            "jupyterlab", "notebook"]
FALLBACK = {"myst-nb": "myst-nb>=1.1,<2"}  # comes with jupyter-book in the book's env

README = """\
# Weight Decay in Deep Linear Networks — course pack

Every chapter of the book as a Jupyter notebook (with its outputs), and the
book's library `wdlib` as a wheel. With Python 3.10 or newer:

```bash
cd {folder}
python -m venv .venv
source .venv/bin/activate          # Windows: .venv\\Scripts\\activate
pip install -r requirements.txt -c constraints.txt
jupyter lab                        # or: jupyter notebook
```

Then open a chapter (`rescaling.ipynb` is the first) and run its cells
(*Run > Run All Cells*). `constraints.txt` pins the exact versions the book's
outputs were made with; drop `-c constraints.txt` to take the newest versions
within the ranges of `requirements.txt` (numbers may then differ in the last
printed digits). If a chapter stops at its first cell with "wdlib is missing",
the kernel is not the environment above: choose it in *Kernel > Change Kernel*
or run `python -m ipykernel install --user --name wdbook` inside it.

wdlib {version}. Code (wdlib and the code cells): MIT, see LICENSE. Text and
figures: CC BY 4.0, see LICENSE-TEXT.
"""


def toc_notebooks() -> list[Path]:
    sys.path.insert(0, str(ROOT / "_ext"))
    from exec_table import toc_files

    files = [ROOT / f"{f}.ipynb" for f in toc_files(ROOT / "_toc.yml")]
    return [f for f in files if f.is_file()]


def reader_requirements(wheel: str) -> str:
    ranges = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        spec = line.split("#")[0].strip()
        m = re.match(r"([A-Za-z0-9_.-]+)", spec)
        if m:
            ranges[m.group(1).lower()] = spec
    lines = ["# The course pack's environment: pip install -r requirements.txt -c constraints.txt",
             f"./{wheel}"]
    lines += [ranges.get(p, FALLBACK.get(p, p)) for p in PACKAGES]
    return "\n".join(lines) + "\n"


def build_wheel(dest: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
            "_build", ".venv", ".git", "build", "*.egg-info", "__pycache__", "book",
            "tests", "benchmarks", ".hypothesis"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--no-build-isolation", "--no-index", "-w", str(dest), str(src)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})
    return next(dest.glob("wdlib-*.whl"))


def main() -> Path:
    import wdlib

    OUT.mkdir(parents=True, exist_ok=True)
    wheels = OUT / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    wheel = build_wheel(wheels)
    members: list[tuple[str, bytes]] = []
    for nb in toc_notebooks():
        members.append((nb.name, nb.read_bytes()))
    members += [
        (wheel.name, wheel.read_bytes()),
        ("requirements.txt", reader_requirements(wheel.name).encode()),
        ("constraints.txt", (ROOT / "constraints.txt").read_bytes()),
        ("README.md", README.format(folder=FOLDER, version=wdlib.__version__).encode()),
        ("LICENSE", (ROOT / "LICENSE").read_bytes()),
        ("LICENSE-TEXT", (ROOT / "LICENSE-TEXT").read_bytes()),
    ]
    target = OUT / f"{NAME}.zip"
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp.replace(target)
    print(f"course pack: {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")
    return target


if __name__ == "__main__":
    main()
