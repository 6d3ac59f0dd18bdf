"""The built site, opened page by page in headless Chromium as a reader sees it.

Every page is loaded once; the checks of both browser tests run on that load.

``test_every_page_renders_offline``, for every page of ``_build/html``: MathJax
typeset every formula (no raw TeX left in the visible text, no MathJax error
nodes), every image loaded, no request left the machine, no console errors.
Screenshots of the intro and of a chapter are written to ``_build/screenshots/``.
``test_internal_links_resolve``: every internal link (with its ``#fragment``)
resolves.

``test_chapters_follow_the_course_rules``: every chapter page measured as a
student sees it, at 1400 px and at 420 px. The course rules of the book:

- no raw TeX or unprocessed MyST role (``\\frac``, ``$...$``, ``prf:ref``, ``{eq}``,
  ...) in the visible text outside rendered math and code (API signatures are code);
- no display formula wider than its column at 1400 px; at 420 px nothing makes the
  page itself scroll sideways (a wide display scrolls inside its own box);
- visible code input at most 15% of the chapter's height at 1400 px (verification
  cells are folded with ``hide-input``);
- a picture before the first theorem;
- at least five exercises;
- every raster figure has a natural width at least 1.5 times its shown width.

Screenshots of every page at both widths go to ``_build/screenshots/`` and the
measurements to ``_build/screenshots/metrics.json``. ``LAYOUT_PAGES=rescaling,intro``
measures only those pages (while writing a chapter); when only the layout test is
selected (``-k course_rules``), only the measured pages are opened.

Needs Debian's ``chromium`` and ``chromium-driver``. Under CI (``CI`` set) a
missing browser is a failure; elsewhere the browser tests are skipped with a reason.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from _built import ROOT, built_site

SHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_PAGES = {"intro": "book/intro.html", "chapter": "book/balancedness.html"}

CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
PAGES = CHAPTERS + sorted(p.stem for p in (ROOT / "book").glob("*.md"))
# e.g. LAYOUT_PAGES=rescaling,intro while writing a chapter
if os.environ.get("LAYOUT_PAGES"):
    PAGES = [p for p in PAGES if p in os.environ["LAYOUT_PAGES"].split(",")]
MAX_CODE_SHARE = 0.15
MIN_EXERCISES = 5
MIN_PIXEL_RATIO = 1.5
SHOT_HEIGHT = 1600  # px: the opening screen of each page, where the rules bite first

pytestmark = pytest.mark.browser


def _find(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def _pages(site):
    return sorted(p for p in site.rglob("*.html")
                  if "mathjax" not in p.relative_to(site).parts
                  and p.relative_to(site).parts[0]
                  not in ("_static", "_sources", "_images"))


@pytest.fixture(scope="module")
def site():
    """The built site (waits for the background build of ``make test``: _built.py)."""
    return built_site()


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


BLANK = "__blank__"  # an empty page served on the same origin (not a file of the site)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != f"/{BLANK}":
            return super().do_GET()
        body = b"<!DOCTYPE html><title>blank</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = _find("chromium", "chromium-browser")
    driver_path = _find("chromedriver")
    if not (chromium and driver_path):
        msg = ("headless Chromium not found: install Debian's chromium and "
               "chromium-driver")
        if os.environ.get("CI"):
            pytest.fail(msg + " (CI must run this test, see .ci/run)")
        pytest.skip(msg)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--window-size=1280,1600",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
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
    new Promise(r => {
      i.addEventListener('load', r); i.addEventListener('error', r); })));
const typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise)
  ? MathJax.startup.promise : Promise.resolve();
Promise.all([loaded, typeset]).then(() => done(true), e => done('error: ' + e));
"""

INSPECT = """
const clone = document.body.cloneNode(true);
clone.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, '
                       + 'textarea, .highlight')
     .forEach(n => n.remove());
const text = clone.textContent;
const math = Array.from(document.querySelectorAll('.math, span.math, div.math'));
return {
  raw: ['$$', '\\\\(', '\\\\[', '\\\\begin{'].filter(t => text.includes(t)),
  mathErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
  mathNodes: math.length,
  untypeset: math.filter(m => !m.querySelector('mjx-container'))
    .map(m => m.textContent.slice(0, 60)),
  mathjax: !!window.MathJax,
  brokenImages: Array.from(document.images)
    .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
};
"""

TEX_COMMANDS = ("frac|lambda|sum|mathrm|operatorname|begin|end|left|right|sigma|mu|top"
                "|cdots|norm|fro")
MEASURE = r"""
const art = document.querySelector('article.bd-article')
  || document.querySelector('main') || document.body;
// an element inside a closed <details> (a folded cell) keeps a layout box in Chromium
// but is not shown: count only what the reader sees without opening anything
const visible = el => el.offsetParent !== null && el.getBoundingClientRect().height > 0
  && !Array.from(document.querySelectorAll('details:not([open])'))
       .some(d => d.contains(el) && d !== el
             && !d.querySelector(':scope > summary').contains(el))
  && (!el.checkVisibility
      || el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}));
// visible text outside code, math and scripts
const clone = art.cloneNode(true);
clone.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, '
  + 'textarea, .highlight, .cell_output, .output, .MathJax, .math, dt.sig')
  .forEach(n => n.remove());
const text = clone.textContent;
const patterns = [
  [/\\(%TEX%)\b/, 'TeX command'],
  [/\$[^$\n]{1,80}\$/, '$...$'],
  [/\{(prf:[a-z]+|eq|numref|doc|ref|cite:[a-z]+|glue:[a-z]*|math)\}/, 'MyST role'],
  [/prf:ref|:label:/, 'unprocessed directive text'],
];
const raw = [];
for (const [re, what] of patterns) {
  const m = text.match(re);
  if (m) raw.push(what + ': '
    + text.slice(Math.max(0, m.index - 30), m.index + 40).replace(/\s+/g, ' '));
}
// displays wider than their box
const wide = [];
art.querySelectorAll('mjx-container[display="true"]').forEach(c => {
  const inner = c.querySelector('mjx-math');
  if (!inner) return;
  const box = c.getBoundingClientRect().width;
  const need = inner.getBoundingClientRect().width;
  if (need > box + 1) wide.push(Math.round(need) + '>' + Math.round(box) + ': '
    + (c.closest('.math') ? c.closest('.math').id || '' : '') + ' '
    + (c.querySelector('mjx-assistive-mml')
       ? c.querySelector('mjx-assistive-mml').textContent.slice(0, 40) : ''));
});
// visible code input
let code = 0;
art.querySelectorAll('.cell_input, div.highlight-ipython3, div.highlight-python')
  .forEach(el => {
    // counted with its cell
    if (el.closest('.cell_input') && el.closest('.cell_input') !== el) return;
    if (visible(el)) code += el.getBoundingClientRect().height;
  });
const height = art.getBoundingClientRect().height;
// the first picture and the first theorem-like directive
const pics = Array.from(art.querySelectorAll('figure img, img, svg.figure'))
  .filter(e => !e.closest('.bd-sidebar'));
const thms = Array.from(art.querySelectorAll(
    'div.proof, div.theorem, div.lemma, div.proposition, div.corollary'))
  .filter(e => !e.classList.contains('exercise'));
const before = (a, b) =>
  !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
const firstPic = pics.length ? pics[0] : null;
const firstThm = thms.length ? thms[0] : null;
const pictureFirst = !firstThm || (firstPic !== null && before(firstPic, firstThm));
// raster images: natural versus shown width
const lowres = [];
art.querySelectorAll('img').forEach(i => {
  if (!/\.(png|jpe?g)(\?|$)/i.test(i.currentSrc || i.src)) return;
  const shown = i.getBoundingClientRect().width;
  if (shown > 0 && i.naturalWidth < %RATIO% * shown)
    lowres.push((i.currentSrc || i.src).split('/').pop() + ' ' + i.naturalWidth + '/'
                + Math.round(shown));
});
return {
  raw: raw, wide: wide, code: code, height: height, pictureFirst: pictureFirst,
  exercises: art.querySelectorAll('div.exercise').length, lowres: lowres,
  pageWidth: document.documentElement.scrollWidth, viewWidth: window.innerWidth,
  fullHeight: document.documentElement.scrollHeight,
};
""".replace("%RATIO%", str(MIN_PIXEL_RATIO)).replace("%TEX%", TEX_COMMANDS)

NEXT_FRAME = ("const done = arguments[0]; requestAnimationFrame(() => "
              "requestAnimationFrame(() => done(true)));")


def _requests(drv):
    urls = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def _inspect(browser, server, rel, state):
    """The problems of test_every_page_renders_offline on the page just loaded."""
    problems = []
    if state is not True:
        problems.append(f"{rel}: page did not settle: {state}")
    info = browser.execute_script(INSPECT)
    if info["raw"]:
        problems.append(f"{rel}: raw TeX delimiters left in the visible text: "
                        f"{info['raw']}")
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
               if urlparse(u).scheme in ("http", "https", "ws", "wss", "ftp")
               and not u.startswith(server)]
    if outside:
        problems.append(f"{rel}: requests that left the machine: "
                        f"{sorted(set(outside))[:5]}")
    errors = [e["message"] for e in browser.get_log("browser")
              if e["level"] == "SEVERE"]
    if errors:
        problems.append(f"{rel}: console errors: {errors[:3]}")
    return problems


def _resize(browser, width):
    """The same page at another width (typeset math reflows; no reload)."""
    browser.set_window_size(width, 1200)
    browser.execute_async_script(NEXT_FRAME)
    return browser.execute_script(MEASURE)


def _shoot(browser, page, width):
    """The first screen of the page as the reader sees it (window width, 1600 px)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, SHOT_HEIGHT)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(SHOTS / f"{page}-{width}.png"))


def _site_screenshot(browser, name):
    """The whole page (up to 6000 px high) at 1280 px, for the site screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 1600)
    browser.execute_async_script(NEXT_FRAME)
    height = browser.execute_script("return Math.min(document.body.scrollHeight, 6000)")
    browser.set_window_size(1280, max(900, height))
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def _layout(page, wide, narrow):
    """The problems of test_chapters_follow_the_course_rules, and the page's metrics."""
    problems = []
    share = wide["code"] / wide["height"] if wide["height"] else 0.0
    metrics = {"height_1400": round(wide["height"]), "code_share": round(share, 3),
               "exercises": wide["exercises"], "height_420": round(narrow["height"])}
    if wide["raw"]:
        problems.append(f"{page}: raw TeX or unprocessed markup in the text: "
                        f"{wide['raw'][:2]}")
    if wide["wide"]:
        problems.append(f"{page}: {len(wide['wide'])} display(s) wider than the column "
                        f"at 1400 px: {wide['wide'][:3]}")
    if narrow["pageWidth"] > narrow["viewWidth"] + 1:
        problems.append(f"{page}: at 420 px the page scrolls sideways "
                        f"({narrow['pageWidth']} > {narrow['viewWidth']} px)")
    if wide["lowres"]:
        problems.append(f"{page}: raster figures below {MIN_PIXEL_RATIO}x their shown "
                        f"width: {wide['lowres'][:3]}")
    if page in CHAPTERS:
        if share > MAX_CODE_SHARE:
            problems.append(f"{page}: visible code is {share:.0%} of the page (at most "
                            f"{MAX_CODE_SHARE:.0%}); fold verification cells with "
                            "hide-input")
        if not wide["pictureFirst"]:
            problems.append(f"{page}: no picture before the first theorem")
        if wide["exercises"] < MIN_EXERCISES:
            problems.append(f"{page}: {wide['exercises']} exercises, "
                            f"at least {MIN_EXERCISES}")
    return problems, metrics


@pytest.fixture(scope="module")
def visits(request, site, server, browser):
    """Open each page once; record the problems and measurements of both browser tests.

    A page is loaded at 1400 x 1200 px and settled (images loaded, MathJax done);
    then it is inspected for test_every_page_renders_offline, and a chapter page is
    measured and shot at 1400 px, then at 420 px, for the course rules.
    """
    selected = {item.originalname for item in request.session.items
                if item.path == request.path}
    check_site = "test_every_page_renders_offline" in selected
    check_layout = "test_chapters_follow_the_course_rules" in selected
    layout_pages = {f"book/{p}.html": p for p in PAGES
                    if check_layout and (site / "book" / f"{p}.html").is_file()}
    site_pages = ([p.relative_to(site).as_posix() for p in _pages(site)]
                  if check_site else [])
    out = {"pages": len(site_pages), "site": [], "layout": [], "metrics": {}}
    for rel in sorted(set(site_pages) | set(layout_pages)):
        # leave the last page before resizing (resizing it would cost a reflow) for an
        # empty page of the same origin (about:blank would swap the renderer process)
        browser.get(urljoin(server, BLANK))
        browser.set_window_size(1400, 1200)
        browser.get_log("performance")
        browser.get_log("browser")
        browser.get(urljoin(server, rel))
        state = browser.execute_async_script(WAIT_FOR_PAGE)
        if rel in site_pages:
            out["site"] += _inspect(browser, server, rel, state)
        if rel in layout_pages:
            page = layout_pages[rel]
            if state is not True:
                out["layout"].append(f"{page}: page did not settle at 1400 px: {state}")
            else:
                wide = browser.execute_script(MEASURE)
                _shoot(browser, page, 1400)
                narrow = _resize(browser, 420)
                _shoot(browser, page, 420)
                problems, out["metrics"][page] = _layout(page, wide, narrow)
                out["layout"] += problems
        if rel in site_pages:
            for name, target in SCREENSHOT_PAGES.items():
                if rel == target:
                    _site_screenshot(browser, name)
    return out


def test_every_page_renders_offline(site, visits):
    assert visits["pages"] >= 4, (f"expected a built book in {site}, "
                                  f"found {visits['pages']} pages")
    assert not visits["site"], "\n".join(visits["site"])
    for name in SCREENSHOT_PAGES:
        if (site / SCREENSHOT_PAGES[name]).is_file():
            assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_chapters_follow_the_course_rules(visits):
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "metrics.json").write_text(
        json.dumps(visits["metrics"], indent=1, sort_keys=True) + "\n")
    assert visits["metrics"], "no chapter page was built"
    assert not visits["layout"], "\n".join(visits["layout"])


HREF = re.compile(r'<a\s[^>]*href="([^"]+)"', re.I)
IDS = re.compile(r'\sid="([^"]+)"')


def test_internal_links_resolve(site):
    ids: dict[Path, set[str]] = {}

    def ids_of(path):
        if path not in ids:
            text = path.read_text(encoding="utf-8", errors="replace")
            ids[path] = set(IDS.findall(text))
        return ids[path]

    broken = []
    for page in _pages(site):
        html = page.read_text(encoding="utf-8", errors="replace")
        for href in HREF.findall(html):
            url = urlparse(href.replace("&amp;", "&"))
            if url.scheme or href.startswith(("mailto:", "javascript:", "//")):
                continue
            target = (page if not url.path
                      else (page.parent / unquote(url.path)).resolve())
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {href} (no such file)")
                continue
            if (url.fragment and target.suffix == ".html"
                    and unquote(url.fragment) not in ids_of(target)):
                broken.append(f"{page.relative_to(site)}: {href} "
                              f"(no id {url.fragment!r})")
    assert not broken, "\n".join(broken[:30])
