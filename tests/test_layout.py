"""Every chapter page measured as a student sees it, at 1400 px and at 420 px.

The course rules of the book, checked in headless Chromium on the built site:

- no raw TeX or unprocessed MyST role (``\\frac``, ``$...$``, ``prf:ref``, ``{eq}``, ...)
  in the visible text outside rendered math and code (API signatures are code);
- no display formula wider than its column at 1400 px; at 420 px nothing makes the
  page itself scroll sideways (a wide display scrolls inside its own box);
- visible code input at most 15% of the chapter's height at 1400 px (verification
  cells are folded with ``hide-input``);
- a picture before the first theorem;
- at least five exercises;
- every raster figure has a natural width at least 1.5 times its shown width.

Screenshots of every page at both widths go to ``_build/screenshots/`` and the
measurements to ``_build/screenshots/metrics.json``.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urljoin

import pytest

from test_site import ROOT, SHOTS, WAIT_FOR_PAGE, browser, server, site  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
PAGES = CHAPTERS + sorted(p.stem for p in (ROOT / "book").glob("*.md"))
if os.environ.get("LAYOUT_PAGES"):  # e.g. LAYOUT_PAGES=rescaling,intro while writing a chapter
    PAGES = [p for p in PAGES if p in os.environ["LAYOUT_PAGES"].split(",")]
MAX_CODE_SHARE = 0.15
MIN_EXERCISES = 5
MIN_PIXEL_RATIO = 1.5
SHOT_HEIGHT = 1600  # px: the opening screen of each page, where the rules bite first

MEASURE = r"""
const art = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
// an element inside a closed <details> (a folded cell) keeps a layout box in Chromium
// but is not shown: count only what the reader sees without opening anything
const visible = el => el.offsetParent !== null && el.getBoundingClientRect().height > 0
  && !Array.from(document.querySelectorAll('details:not([open])')).some(d => d.contains(el) && d !== el
       && !d.querySelector(':scope > summary').contains(el))
  && (!el.checkVisibility || el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}));
// visible text outside code, math and scripts
const clone = art.cloneNode(true);
clone.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, textarea, '
  + '.highlight, .cell_output, .output, .MathJax, .math, dt.sig').forEach(n => n.remove());
const text = clone.textContent;
const patterns = [
  [/\\(frac|lambda|sum|mathrm|operatorname|begin|end|left|right|sigma|mu|top|cdots|norm|fro)\b/, 'TeX command'],
  [/\$[^$\n]{1,80}\$/, '$...$'],
  [/\{(prf:[a-z]+|eq|numref|doc|ref|cite:[a-z]+|glue:[a-z]*|math)\}/, 'MyST role'],
  [/prf:ref|:label:/, 'unprocessed directive text'],
];
const raw = [];
for (const [re, what] of patterns) {
  const m = text.match(re);
  if (m) raw.push(what + ': ' + text.slice(Math.max(0, m.index - 30), m.index + 40).replace(/\s+/g, ' '));
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
    + (c.querySelector('mjx-assistive-mml') ? c.querySelector('mjx-assistive-mml').textContent.slice(0, 40) : ''));
});
// visible code input
let code = 0;
art.querySelectorAll('.cell_input, div.highlight-ipython3, div.highlight-python').forEach(el => {
  if (el.closest('.cell_input') && el.closest('.cell_input') !== el) return;  // counted with its cell
  if (visible(el)) code += el.getBoundingClientRect().height;
});
const height = art.getBoundingClientRect().height;
// the first picture and the first theorem-like directive
const pics = Array.from(art.querySelectorAll('figure img, img, svg.figure')).filter(e => !e.closest('.bd-sidebar'));
const thms = Array.from(art.querySelectorAll('div.proof, div.theorem, div.lemma, div.proposition, div.corollary'))
  .filter(e => !e.classList.contains('exercise'));
const before = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
const firstPic = pics.length ? pics[0] : null;
const firstThm = thms.length ? thms[0] : null;
const pictureFirst = !firstThm || (firstPic !== null && before(firstPic, firstThm));
// raster images: natural versus shown width
const lowres = [];
art.querySelectorAll('img').forEach(i => {
  if (!/\.(png|jpe?g)(\?|$)/i.test(i.currentSrc || i.src)) return;
  const shown = i.getBoundingClientRect().width;
  if (shown > 0 && i.naturalWidth < %RATIO% * shown)
    lowres.push((i.currentSrc || i.src).split('/').pop() + ' ' + i.naturalWidth + '/' + Math.round(shown));
});
return {
  raw: raw, wide: wide, code: code, height: height, pictureFirst: pictureFirst,
  exercises: art.querySelectorAll('div.exercise').length, lowres: lowres,
  pageWidth: document.documentElement.scrollWidth, viewWidth: window.innerWidth,
  fullHeight: document.documentElement.scrollHeight,
};
""".replace("%RATIO%", str(MIN_PIXEL_RATIO))


def _open(browser, server, page, width):  # noqa: F811
    browser.set_window_size(width, 1200)
    browser.get(urljoin(server, f"book/{page}.html"))
    state = browser.execute_async_script(WAIT_FOR_PAGE)
    assert state is True, f"{page}: page did not settle at {width} px: {state}"
    return browser.execute_script(MEASURE)


def _resize(browser, width):  # noqa: F811
    """The same page at another width (typeset math reflows with the page; no reload)."""
    browser.set_window_size(width, 1200)
    browser.execute_async_script("const done = arguments[0]; requestAnimationFrame(() => "
                                 "requestAnimationFrame(() => done(true)));")
    return browser.execute_script(MEASURE)


def _shoot(browser, page, width):  # noqa: F811
    """The first screen of the page as the reader sees it (window width, 1600 px high)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(width, SHOT_HEIGHT)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(SHOTS / f"{page}-{width}.png"))


def test_chapters_follow_the_course_rules(site, server, browser):  # noqa: F811
    problems, metrics = [], {}
    for page in PAGES:
        if not (site / "book" / f"{page}.html").is_file():
            continue
        wide = _open(browser, server, page, 1400)
        _shoot(browser, page, 1400)
        narrow = _resize(browser, 420)
        _shoot(browser, page, 420)
        share = wide["code"] / wide["height"] if wide["height"] else 0.0
        metrics[page] = {"height_1400": round(wide["height"]), "code_share": round(share, 3),
                         "exercises": wide["exercises"], "height_420": round(narrow["height"])}
        if wide["raw"]:
            problems.append(f"{page}: raw TeX or unprocessed markup in the text: {wide['raw'][:2]}")
        if wide["wide"]:
            problems.append(f"{page}: {len(wide['wide'])} display(s) wider than the column at 1400 px: "
                            f"{wide['wide'][:3]}")
        if narrow["pageWidth"] > narrow["viewWidth"] + 1:
            problems.append(f"{page}: at 420 px the page scrolls sideways "
                            f"({narrow['pageWidth']} > {narrow['viewWidth']} px)")
        if wide["lowres"]:
            problems.append(f"{page}: raster figures below {MIN_PIXEL_RATIO}x their shown width: "
                            f"{wide['lowres'][:3]}")
        if page in CHAPTERS:
            if share > MAX_CODE_SHARE:
                problems.append(f"{page}: visible code is {share:.0%} of the page (at most "
                                f"{MAX_CODE_SHARE:.0%}); fold verification cells with hide-input")
            if not wide["pictureFirst"]:
                problems.append(f"{page}: no picture before the first theorem")
            if wide["exercises"] < MIN_EXERCISES:
                problems.append(f"{page}: {wide['exercises']} exercises, at least {MIN_EXERCISES}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "metrics.json").write_text(json.dumps(metrics, indent=1, sort_keys=True) + "\n")
    assert metrics, "no chapter page was built"
    assert not problems, "\n".join(problems)
