"""`make pdf`: the whole book as one PDF, offline: _build/pdf/weight-decay-deep-linear.pdf.

Why Chromium and not LaTeX: the site already typesets its math with the MathJax
copy it serves (offline), its figures are PNGs, and Debian's headless Chromium is
already needed by the site test; a TeX Live able to build this book (xelatex,
amsmath, the sphinx and jupyterbook-latex styles, fonts) is several hundred MB of
packages and a second rendering path for every formula. So:

1. ``jupyter-book build --builder singlehtml`` (strict, like the site), with the
   node visitors that builder lacked (``_ext/builders.py``);
2. a print copy of the single page at the root of that build (where its
   relative links resolve) with print CSS (no navigation, a page break before
   each chapter); it opens with the title and the table of contents;
3. Chromium's print-to-PDF after MathJax has typeset every formula
   (``--virtual-time-budget``), with the PDF outline (bookmarks) from the headings.

Theorems, figures and equations keep the numbers of the site.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
OUT = ROOT / "_build" / "pdf"
PDF = OUT / "weight-decay-deep-linear.pdf"

PRINT_CSS = """
<style id="wdbook-print">
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: #fff !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article,
.bd-footer, .bd-footer-article, .bd-footer-content, .prev-next-area, .headerlink,
#pst-back-to-top, .header-article-items, .search-button-field, .pst-scrollable-table-container::after,
.bd-search, .skip-link, .toggle-hidden, button.toggle-button, .copybtn,
.extra_footer, footer { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container,
.bd-container__inner, .bd-article { max-width: 100% !important; width: 100% !important;
  margin: 0 !important; padding: 0 !important; }
.wdbook-chapter { break-before: page; }
h2, h3, .proof, figure, .admonition { break-inside: avoid-page; }
h2, h3 { break-after: avoid-page; }
img { max-width: 100% !important; }
</style>
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("make pdf needs Chromium (Debian: apt-get install chromium)")


def build_single() -> Path:
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jb), "build", str(ROOT), "--builder", "singlehtml",
                    "-W", "-n", "--keep-going"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    import yaml

    root = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]
    return SINGLE / f"{root}.html"  # the single page (the root document)


def toc_entries() -> list[str]:
    """Chapters and appendices in reading order (the root document is the title page)."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from exec_table import toc_files

    import yaml

    root = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]
    return [f for f in toc_files(ROOT / "_toc.yml") if f != root]


def _plain(fragment: str) -> str:
    text = re.sub(r"<[^>]+>", "", fragment)
    return " ".join(html.unescape(text).split())


def print_copy(page: Path, title: str) -> Path:
    """The single page at the build's root, with print CSS and a page break per chapter.

    The single page opens with the book's title and its table of contents (the
    root document's toctree, with the parts' captions); ``title`` is unused.
    """
    text = page.read_text(encoding="utf-8")
    entries, missing = [], []
    for doc in toc_entries():
        anchor = f'<span id="document-{doc}"></span><section class="'
        at = text.find(anchor)
        heading = re.search(r"<h2>(.*?)</h2>", text[at:at + 5000], re.S) if at >= 0 else None
        if heading is None:
            missing.append(doc)
            continue
        at += len(anchor)
        text = text[:at] + "wdbook-chapter " + text[at:]
        entries.append((f"document-{doc}", _plain(heading.group(1)).rstrip("#").strip()))
    text = text.replace("</head>", PRINT_CSS + "</head>", 1)
    # links of the single page are relative to the build's root: print from there
    out = SINGLE / "print.html"
    out.write_text(text, encoding="utf-8")
    if missing:
        print(f"warning: no chapter found in the single page for {missing}", file=sys.stderr)
    return out


def print_pdf(page: Path, budget_ms: int = 120_000) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = PDF.with_suffix(".tmp.pdf")
    tmp.unlink(missing_ok=True)
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-pdf-header-footer",
                    "--generate-pdf-document-outline", "--run-all-compositor-stages-before-draw",
                    f"--virtual-time-budget={budget_ms}", f"--print-to-pdf={tmp}",
                    page.as_uri()], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=900)
    if not tmp.is_file() or tmp.stat().st_size == 0:
        sys.exit("Chromium wrote no PDF")
    tmp.replace(PDF)


def main() -> None:
    import yaml

    t0 = time.perf_counter()
    title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    page = build_single()
    print_pdf(print_copy(page, title))
    pages = "?"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True).stdout
        pages = re.search(r"Pages:\s+(\d+)", info).group(1)
    print(f"The PDF: {PDF.relative_to(ROOT)} ({pages} pages, "
          f"{PDF.stat().st_size // 1024} KiB, {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
