"""Small fixes that keep every page free of browser console errors.

- sphinx-thebe registers its configuration script once per read phase, and
  Jupyter Book 1.x triggers it twice, so ``const THEBE_JS_URL`` was declared
  twice on every page (a SyntaxError in the console). Identical script entries
  are dropped here, keeping the first.
"""

from __future__ import annotations


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # The same inline script is registered once with filename None and once with "".
        key = (str(getattr(js, "filename", js) or ""), str(getattr(js, "attributes", {}).get("body", "")))
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
