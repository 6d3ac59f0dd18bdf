"""Root pytest configuration: how nbval compares the book's notebooks.

nbval (strict) skips plain ``image/png`` and ``image/jpeg`` outputs, whose bytes
depend on the platform, the BLAS thread count and the matplotlib build. A figure
stored by ``myst_nb.glue`` has the MIME type
``application/papermill.record/image/png``, which nbval would compare byte for
byte: skip it exactly as plain images are. The data behind every figure is
asserted or printed in the chapter, so nothing a reader sees goes unchecked.

``WDBOOK_KERNEL_BLAS_THREADS=n`` (``make test`` sets it) starts every chapter's
kernel with ``n`` BLAS threads, while pytest and the unit tests keep the thread
count of their own environment (one, under ``make``). The committed outputs are
made with one thread (``make notebooks``), so nbval then checks in one pass that
a chapter reproduces its page and that its printed numbers do not depend on the
thread count. The kernel's environment is read back from ``/proc`` (Linux), so
that a change in how nbval starts kernels cannot silently drop the thread count.
"""

import os
import sys
from pathlib import Path

import pytest

GLUED_IMAGES = (
    "application/papermill.record/image/png",
    "application/papermill.record/image/jpeg",
    "application/papermill.record/image/svg+xml",
)
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
KERNEL_THREADS = os.environ.get("WDBOOK_KERNEL_BLAS_THREADS", "")


def _schedule_rank(item) -> int:
    """Longest first: the browser tests (which wait for the build of ``make test``),
    the modules marked slow, the chapters, then the rest (many short tests)."""
    if item.get_closest_marker("browser"):
        return 0
    if item.get_closest_marker("slow"):
        return 1
    return 2 if item.path.suffix == ".ipynb" else 3


def pytest_collection_modifyitems(items):
    # pytest-xdist hands out whole files in this order (make test passes
    # --no-loadscope-reorder), so that its two workers end at about the same time.
    # Mark whole modules (pytestmark): a module's tests stay together.
    items.sort(key=_schedule_rank)


def pytest_collectstart(collector):
    skip = getattr(collector, "skip_compare", None)
    if isinstance(skip, tuple) and "image/png" in skip:
        collector.skip_compare = skip + GLUED_IMAGES


def _kernel_environ(notebook) -> dict[str, str] | None:
    """The environment the notebook's kernel process was started with (Linux)."""
    pid = getattr(getattr(notebook.kernel.km, "provisioner", None), "pid", None)
    environ = Path(f"/proc/{pid}/environ")
    if pid is None or not sys.platform.startswith("linux") or not environ.is_file():
        return None
    text = environ.read_bytes().decode(errors="replace")
    return dict(e.split("=", 1) for e in text.split("\0") if "=" in e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    notebook = item.parent
    starts_kernel = (KERNEL_THREADS and item.path.suffix == ".ipynb"
                     and getattr(notebook, "kernel", False) is None)
    if not starts_kernel:
        return (yield)
    saved = {k: os.environ.get(k) for k in BLAS_THREAD_VARS}
    os.environ.update(dict.fromkeys(BLAS_THREAD_VARS, KERNEL_THREADS))
    try:
        result = yield  # the first cell's setup starts the notebook's kernel
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    env = _kernel_environ(notebook)
    if env is not None:
        got = {k: env.get(k) for k in BLAS_THREAD_VARS}
        assert got == dict.fromkeys(BLAS_THREAD_VARS, KERNEL_THREADS), (
            f"{item.path.name}: kernel started with {got}, "
            f"not WDBOOK_KERNEL_BLAS_THREADS={KERNEL_THREADS}")
    return result
