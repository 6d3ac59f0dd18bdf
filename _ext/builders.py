"""Make the builders other than ``html`` work (``singlehtml`` for ``make pdf``, ``latex``).

sphinx-exercise registers node visitors under the builder name ``singlehtml``,
so Sphinx looks up *only* that table for the single-page builder and the
sphinx-proof nodes (registered for ``html``) have no visitor there
(``NotImplementedError: ... unknown node type: lemma_node``). Every ``html``
visitor missing from the ``singlehtml`` (and ``dirhtml``) table is copied into it
once all extensions are set up.
"""

from __future__ import annotations


def _share_html_visitors(app):
    handlers = app.registry.translation_handlers
    html = handlers.get("html", {})
    for name in ("singlehtml", "dirhtml"):
        if name in handlers:
            for node, visitors in html.items():
                handlers[name].setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", _share_html_visitors)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
