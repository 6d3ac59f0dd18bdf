"""The API reference, generated from ``wdlib.__all__`` at build time.

The directive ``{wdlib-api}`` emits one section per module of ``wdlib`` (in the
order of :data:`TOPICS`, then any module not listed there, so a new module added
to ``wdlib.__all__`` appears without editing the page) with an ``autodoc`` entry
for every public name, documented under its public path ``wdlib.NAME`` (and
``wdlib.plotting.NAME`` for the plotting helpers). ``tests/test_api_page.py``
checks that the built page has an entry for every public name.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

# Preferred order and titles of the topics (modules); others follow, titled by
# the first line of their module docstring.
TOPICS = [
    ("wdlib.model", "The network and its objective"),
    ("wdlib.balance", "Balancedness and balanced factors"),
    ("wdlib.scalar", "The scalar problem and its thresholds"),
    ("wdlib.solve", "The global minimizer"),
    ("wdlib.factorization", "Minimum-norm factorizations"),
    ("wdlib.spectrum", "Spectra"),
    ("wdlib.hessian", "The Hessian"),
    ("wdlib.critical", "Critical points"),
    ("wdlib.landscape", "The landscape"),
    ("wdlib.phase", "The critical threshold, staircases and hysteresis"),
    ("wdlib.training", "Gradient descent"),
    ("wdlib.dynamics", "Dynamics"),
    ("wdlib.denoising", "Noisy targets and the optimal regularization"),
    ("wdlib.relu", "A two-layer ReLU network"),
]

_ROLE = re.compile(r":[a-z:]+:`([^`]*)`")


def _summary(module) -> str:
    doc = inspect.getdoc(module) or module.__name__
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    line = paragraph.split(". ")[0].rstrip(".")
    return _ROLE.sub(r"\1", line).replace("*", "")


def public_entries(package: str = "wdlib"):
    """``[(module name, [(public path, kind), ...]), ...]`` for ``package.__all__``."""
    pkg = importlib.import_module(package)
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in pkg.__all__:
        obj = getattr(pkg, name)
        if inspect.ismodule(obj):
            continue  # a subpackage gets its own section
        if inspect.isclass(obj):
            kind = "autoexception" if issubclass(obj, BaseException) else "autoclass"
            module = obj.__module__
        elif callable(obj):
            kind, module = "autofunction", getattr(obj, "__module__", package)
        else:
            kind, module = "autodata", package
        if (module == package or not module.startswith(package + ".")
                or module.startswith(package + "._")):
            module = package
        groups.setdefault(module, []).append((f"{package}.{name}", kind))
    order = [m for m, _ in TOPICS]
    return sorted(groups.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order
                                                  else len(order), kv[0]))


def public_names() -> list[str]:
    """Every public path the page documents (used by the test of the page)."""
    names = []
    for package in ("wdlib", "wdlib.plotting"):
        for _, entries in public_entries(package):
            names += [path for path, _ in entries]
    return names


def _data_entry(path: str) -> list[str]:
    """A ``py:data`` entry documented by the ``#:`` comment where it is defined."""
    package, name = path.rsplit(".", 1)
    obj = getattr(importlib.import_module(package), name)
    doc = [f"A constant of type ``{type(obj).__name__}``."]
    for modname in sorted(sys.modules):
        if not modname.startswith("wdlib"):
            continue
        if getattr(sys.modules[modname], name, None) is not obj:
            continue
        try:
            found = ModuleAnalyzer.for_module(modname).find_attr_docs().get(("", name))
        except Exception:  # noqa: BLE001 - no source: keep the fallback text
            found = None
        if found:
            doc = [line for line in found if line.strip()]
            break
    value = repr(obj)
    lines = [f".. py:data:: {path}"]
    if len(value) <= 60:
        lines.append(f"   :value: {value}")
    lines.append("")
    return lines + [f"   {line}" for line in doc] + [""]


class WdlibApi(SphinxDirective):
    has_content = False
    option_spec = {}

    def run(self):
        titles = dict(TOPICS)
        lines: list[str] = []

        def section(title, char):
            lines.extend([title, char * len(title), ""])

        for package, char in (("wdlib", "-"), ("wdlib.plotting", "-")):
            for module, entries in public_entries(package):
                mod = importlib.import_module(module)
                if module == "wdlib":
                    title = "Constants"
                elif module == "wdlib.plotting":
                    title = "Figure style"
                else:
                    title = titles.get(module) or _summary(mod)
                section(f"{title} (``{module}``)", char)
                for path, kind in entries:
                    if kind == "autodata":
                        lines += _data_entry(path)
                        continue
                    lines += [f".. {kind}:: {path}", ""]
                    if kind == "autoclass":
                        lines += ["   :members:", ""]
        # The page is MyST Markdown: autodoc's docstrings must be parsed as
        # reStructuredText, so the generated text goes through {eval-rst}.
        text = ["```{eval-rst}", *lines, "```"]
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(text, source="wdlib-api"), node)
        return node.children


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.napoleon")
    app.add_directive("wdlib-api", WdlibApi)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
