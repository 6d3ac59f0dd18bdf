"""The ``>>>`` examples of wdlib's docstrings run as tests (they are shown on the API page)."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import wdlib

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(wdlib.__path__, prefix="wdlib.")
) + ["wdlib"]

#: Functions whose docstring must carry a runnable example.
MAIN = [
    "minimizer", "scalar_minimizers", "balanced_factors", "gradient_descent",
    "hessian", "hvp", "hessian_spectrum", "hessian_trace_at_minimizer",
    "critical_lambda",
]


def _tests(modname):
    module = importlib.import_module(modname)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [t for t in finder.find(module, modname) if t.examples]


CASES = [t for name in MODULES for t in _tests(name)]


@pytest.mark.parametrize("test", CASES, ids=lambda t: t.name)
def test_docstring_example(test):
    failures: list[str] = []
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    with np.printoptions(legacy=False):
        runner.run(test, out=lambda s: failures.append(s))
    assert runner.failures == 0, "".join(failures)


@pytest.mark.parametrize("name", MAIN)
def test_main_functions_have_an_example(name):
    doc = getattr(wdlib, name).__doc__ or ""
    assert ">>>" in doc, f"wdlib.{name} has no >>> example in its docstring"
    names = {t.name.rsplit(".", 1)[-1] for t in CASES}
    assert name in names
