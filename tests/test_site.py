"""The built site, opened page by page in headless Chromium as a reader sees it.

For every page of ``_build/html``: MathJax typeset every formula (no raw TeX
left in the visible text, no MathJax error nodes), every image loaded, no
request left the machine, no console errors; and every internal link (with its
``#fragment``) resolves. Screenshots of the intro and of a chapter are written
to ``_build/screenshots/``.

Needs Debian's ``chromium`` and ``chromium-driver``. Under CI (``CI`` set) a
missing browser is a failure; elsewhere the test is skipped with a reason.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_PAGES = {"intro": "book/intro.html", "chapter": "book/balancedness.html"}

pytestmark = pytest.mark.browser


def _find(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def _pages():
    return sorted(p for p in SITE.rglob("*.html") if "mathjax" not in p.relative_to(SITE).parts
                  and p.relative_to(SITE).parts[0] not in ("_static", "_sources", "_images"))


@pytest.fixture(scope="module")
def site():
    """The built site; (re)built here, strictly, if missing or older than its sources."""
    # searchindex.js is rewritten by every build (the root index.html is a redirect
    # that jupyter-book leaves untouched when it has not changed)
    index = SITE / "searchindex.js"
    sources = [*ROOT.glob("book/*"), *ROOT.glob("_ext/*.py"), ROOT / "_config.yml", ROOT / "_toc.yml", ROOT / "references.bib"]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not index.is_file() or index.stat().st_mtime < newest:
        jb = Path(sys.executable).with_name("jupyter-book")
        subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--all"], check=True, cwd=ROOT)
    return SITE


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = _find("chromium", "chromium-browser")
    driver_path = _find("chromedriver")
    if not (chromium and driver_path):
        msg = "headless Chromium not found: install Debian's chromium and chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(msg + " (CI must run this test, see .ci/run)")
        pytest.skip(msg)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--window-size=1280,1600", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.set_page_load_timeout(60)
    drv.set_script_timeout(60)
    yield drv
    drv.quit()


WAIT_FOR_PAGE = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
imgs.forEach(i => { i.loading = 'eager'; });
const loaded = Promise.all(imgs.map(i => i.complete ? null :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
const typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise) ? MathJax.startup.promise : Promise.resolve();
Promise.all([loaded, typeset]).then(() => done(true), e => done('error: ' + e));
"""

INSPECT = """
const clone = document.body.cloneNode(true);
clone.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, textarea, .highlight')
     .forEach(n => n.remove());
const text = clone.textContent;
const math = Array.from(document.querySelectorAll('.math, span.math, div.math'));
return {
  raw: ['$$', '\\\\(', '\\\\[', '\\\\begin{'].filter(t => text.includes(t)),
  mathErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
  mathNodes: math.length,
  untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
  mathjax: !!window.MathJax,
  brokenImages: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
};
"""


def _requests(drv):
    import json

    urls = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def test_every_page_renders_offline(site, server, browser):
    pages = _pages()
    assert len(pages) >= 4, f"expected a built book in {site}, found {len(pages)} pages"
    problems = []
    for page in pages:
        rel = page.relative_to(site).as_posix()
        browser.get_log("performance")
        browser.get_log("browser")
        browser.get(urljoin(server, rel))
        state = browser.execute_async_script(WAIT_FOR_PAGE)
        if state is not True:
            problems.append(f"{rel}: page did not settle: {state}")
        info = browser.execute_script(INSPECT)
        if info["raw"]:
            problems.append(f"{rel}: raw TeX delimiters left in the visible text: {info['raw']}")
        if info["mathErrors"]:
            problems.append(f"{rel}: {info['mathErrors']} MathJax error node(s)")
        if info["untypeset"]:
            problems.append(f"{rel}: math not typeset: {info['untypeset'][:3]}")
        if info["mathNodes"] and not info["mathjax"]:
            problems.append(f"{rel}: has math but MathJax did not load")
        if info["brokenImages"]:
            problems.append(f"{rel}: images that did not load: {info['brokenImages']}")
        # chrome:// and the like are the browser's own pages, not network requests.
        outside = [u for u in _requests(browser)
                   if urlparse(u).scheme in ("http", "https", "ws", "wss", "ftp") and not u.startswith(server)]
        if outside:
            problems.append(f"{rel}: requests that left the machine: {sorted(set(outside))[:5]}")
        errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        if errors:
            problems.append(f"{rel}: console errors: {errors[:3]}")
        for name, target in SCREENSHOT_PAGES.items():
            if rel == target:
                SHOTS.mkdir(parents=True, exist_ok=True)
                height = browser.execute_script("return Math.min(document.body.scrollHeight, 6000)")
                browser.set_window_size(1280, max(900, height))
                browser.save_screenshot(str(SHOTS / f"{name}.png"))
                browser.set_window_size(1280, 1600)
    assert not problems, "\n".join(problems)
    for name in SCREENSHOT_PAGES:
        if (site / SCREENSHOT_PAGES[name]).is_file():
            assert (SHOTS / f"{name}.png").stat().st_size > 10_000


HREF = re.compile(r'<a\s[^>]*href="([^"]+)"', re.I)
IDS = re.compile(r'\sid="([^"]+)"')


def test_internal_links_resolve(site):
    ids: dict[Path, set[str]] = {}

    def ids_of(path):
        if path not in ids:
            ids[path] = set(IDS.findall(path.read_text(encoding="utf-8", errors="replace")))
        return ids[path]

    broken = []
    for page in _pages():
        html = page.read_text(encoding="utf-8", errors="replace")
        for href in HREF.findall(html):
            url = urlparse(href.replace("&amp;", "&"))
            if url.scheme or href.startswith(("mailto:", "javascript:", "//")):
                continue
            target = page if not url.path else (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {href} (no such file)")
                continue
            if url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids_of(target):
                broken.append(f"{page.relative_to(site)}: {href} (no id {url.fragment!r})")
    assert not broken, "\n".join(broken[:30])
