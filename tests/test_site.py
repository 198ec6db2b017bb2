"""The rendered course (`python3 course.py site`, issue 13): built from the stored notebooks, served on
loopback and opened in headless Chromium. Every lesson page shows all its figures (each image loaded,
with alt text) and its tables; the index lists every lesson; every page links to its lesson on Binder;
no internal link is broken (the page exists and so does the anchor)."""
import functools
import http.server
import re
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs"))
import build_site  # noqa: E402

LESSONS = build_site.lessons()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built into a temp folder, served over HTTP on loopback; yields (folder, base URL)."""
    out = tmp_path_factory.mktemp("site") / "site"
    build_site.build(out)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def stored_alts(notebook):
    """The alt text stored with each PNG figure of the notebook (None where a figure has none)."""
    nb = nbformat.read(notebook, as_version=4)
    return [output.get("metadata", {}).get("image/png", {}).get("alt") for cell in nb.cells
            if cell.cell_type == "code" for output in cell.outputs if "image/png" in output.get("data", {})]


def stored_figures(notebook):
    """How many PNG figures the stored notebook holds."""
    return len(stored_alts(notebook))


def markdown_tables(notebook):
    """How many tables the lesson's prose holds (a header row followed by a |---| row)."""
    nb = nbformat.read(notebook, as_version=4)
    return sum(len(re.findall(r"^\|.*\|\s*\n\|[\s:|-]+\|\s*$", cell.source, re.M))
               for cell in nb.cells if cell.cell_type == "markdown")


IMAGES = """() => [...document.querySelectorAll('img')].map(img => ({
  src: img.src.slice(0, 40), complete: img.complete, width: img.naturalWidth, alt: img.getAttribute('alt') || ''}))"""
LINKS = """() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"""


def test_the_built_site_is_git_ignored():
    assert LESSONS, "no lessons found"
    assert "site/" in (ROOT / ".gitignore").read_text().split(), "site/ (python3 course.py site) must be git-ignored"


@pytest.mark.parametrize("notebook", LESSONS, ids=[path.name[:2] for path in LESSONS])
def test_lesson_page_shows_its_figures_and_tables(site, browser, notebook):
    out, base = site
    page = browser.new_page()
    try:
        response = page.goto(f"{base}/{notebook.stem}.html")
        assert response.ok, f"{notebook.stem}.html: HTTP {response.status}"
        page.wait_for_load_state("load")
        images = page.evaluate(IMAGES)
        assert len(images) == stored_figures(notebook), \
            f"{notebook.name}: {len(images)} images on the page, {stored_figures(notebook)} figures in the notebook"
        broken = [image for image in images if not image["complete"] or image["width"] == 0]
        assert not broken, f"{notebook.name}: images that did not load: {broken}"
        assert all(image["alt"].strip() for image in images), f"{notebook.name}: an image has no alt text"
        for image, alt in zip(images, stored_alts(notebook)):
            assert alt is None or image["alt"] == alt, f"{notebook.name}: the page's alt {image['alt']!r} is not the " \
                                                       f"figure's stored alt text {alt!r}"
        tables = page.locator("table").count()
        assert tables >= markdown_tables(notebook), f"{notebook.name}: {tables} tables shown, " \
                                                    f"{markdown_tables(notebook)} in the lesson"
        title = build_site.summary(nbformat.read(notebook, as_version=4))[0]
        assert page.locator("h1").first.inner_text().strip().rstrip("¶").strip() == title
        binder = page.locator("a.gl-binder").first.get_attribute("href")
        assert binder == build_site.BINDER.format(notebook.name), f"{notebook.name}: Binder link {binder}"
    finally:
        page.close()


def test_index_lists_every_lesson_with_its_binder_link(site, browser):
    out, base = site
    page = browser.new_page()
    try:
        assert page.goto(f"{base}/index.html").ok
        links = page.evaluate(LINKS)
        for notebook in LESSONS:
            assert f"{notebook.stem}.html" in links, f"the index does not link to {notebook.stem}.html"
            assert build_site.BINDER.format(notebook.name) in links, f"the index has no Binder link for {notebook.name}"
    finally:
        page.close()


def test_no_internal_link_is_broken(site, browser):
    out, base = site
    page = browser.new_page()
    broken = []
    try:
        for built in sorted(out.glob("*.html")):
            assert page.goto(f"{base}/{built.name}").ok
            for href in page.evaluate(LINKS):
                if re.match(r"[a-z]+:", href):          # http(s), mailto: outside the site
                    continue
                target, _, anchor = href.partition("#")
                target = target or built.name
                if not (out / target).is_file():
                    broken.append(f"{built.name} → {href} (no page)")
                elif anchor:
                    html = (out / target).read_text(encoding="utf-8")
                    if f'id="{unquote(anchor)}"' not in html and f'id="{anchor}"' not in html:
                        broken.append(f"{built.name} → {href} (no anchor)")
    finally:
        page.close()
    assert not broken, "broken internal links:\n" + "\n".join(broken)
