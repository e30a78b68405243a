"""The built HTML book in a real browser, with no kernel and no network.

Serves the built book (``_build/html``) on 127.0.0.1, opens every page in headless Chromium,
clicks in both widgets and checks that the view changes as Table I and the stored data say it
should, that the math is typeset, and that no page asks for anything outside 127.0.0.1.

The build: ``LENET_NB_HTML`` names an already built ``_build/html`` (``.ci/run`` builds the book
once and passes it); without it the test builds the book into a temporary folder. Chromium is
Debian's ``chromium`` package (``.ci/run`` installs it), driven by Playwright's Python package
with ``executable_path``, so no browser is downloaded. Set ``LENET_NB_SCREENSHOTS`` to a folder
to keep a full-page screenshot of each page.
"""
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lenet_nb import C3_TABLE
from lenet_nb.book import ROOT, toc_notebooks

CHROMIUM = os.environ.get("LENET_NB_CHROMIUM") or shutil.which("chromium") or \
    shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium: apt-get install -y chromium (.ci/run does) or set LENET_NB_CHROMIUM")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
# Pre-existing and harmless: sphinx-thebe declares this constant in two inline scripts on every
# page (the second declaration throws); thebe itself is switched off in _config.yml.
KNOWN_PAGE_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    given = os.environ.get("LENET_NB_HTML")
    if given:
        path = Path(given)
        assert (path / "book" / "index.html").is_file(), f"LENET_NB_HTML={given} is not a build"
        return path
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jupyter_book), "build", str(ROOT), "--all", "--path-output", str(out)],
                   check=True, capture_output=True)
    return out / "_build" / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(html):
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a broken environment, not a reason to skip: requirements.txt pins it
        pytest.fail("the Python package playwright is missing (requirements.txt pins it)")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        context.requests = []
        context.failures = []
        context.on("request", lambda request: context.requests.append(request.url))
        context.on("requestfailed", lambda request: context.failures.append(request.url))
        context.on("response", lambda response: context.failures.append(
            f"{response.status} {response.url}") if response.status >= 400 else None)
        yield context
        context.close()


def open_page(browser, server, path):
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(server + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page


def screenshot(page, name):
    folder = os.environ.get("LENET_NB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def unexpected_errors(page):
    return [e for e in page.errors if not any(known in e for known in KNOWN_PAGE_ERRORS)]


PAGES = ["book/index.html"] + [f"book/{path.stem}.html" for path in toc_notebooks()]


def test_every_page_stays_on_this_machine(browser, server):
    """No page of the book, widgets and math included, requests anything but the local server."""
    start = len(browser.requests)
    for path in PAGES:
        page = open_page(browser, server, path)
        page.wait_for_timeout(500)  # late requests: fonts, MathJax's extensions
        assert unexpected_errors(page) == [], path
        screenshot(page, Path(path).stem)
        page.close()
    requested = browser.requests[start:]
    assert requested, "no request recorded"
    external = sorted({url for url in requested
                       if urlsplit(url).scheme not in ("data", "blob")
                       and urlsplit(url).hostname != "127.0.0.1"})
    assert external == []
    assert browser.failures == [], "missing local files (a vendored file not copied?)"


@pytest.mark.parametrize("path", ["book/01_input.html", "book/07_f6.html",
                                  "book/08_output.html"])
def test_math_is_typeset_from_the_local_mathjax(browser, server, path):
    page = open_page(browser, server, path)
    page.wait_for_selector("mjx-container", timeout=30_000)
    scripts = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
    assert any("/_static/mathjax/tex-chtml.js" in src for src in scripts)
    page.close()


def canvas_pixels(page, selector):
    return page.eval_on_selector(selector, "canvas => canvas.toDataURL()")


def texts(page, selector):
    return page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.dataset.c3 ?? n.dataset.s2)")


def test_c3_table_responds_without_a_kernel(browser, server):
    page = open_page(browser, server, "book/04_c3.html")
    root = page.wait_for_selector(".lenet-c3", timeout=30_000)
    # The starting view, as the chapter builds it: C3 map 12 and its four S2 maps.
    assert root.get_attribute("data-selected") == "C3:12"
    assert [int(i) for i in texts(page, "th.lenet-s2-head.lenet-lit")] == list(C3_TABLE[12])

    # Click S2 map 2's row head (while C3 map 12 is selected): the C3 maps it feeds light up.
    fed = [j for j, inputs in enumerate(C3_TABLE) if 2 in inputs]
    page.click(".lenet-c3 th.lenet-s2-head[data-s2='2']")
    assert root.get_attribute("data-selected") == "S2:2"
    assert [int(j) for j in texts(page, "th.lenet-c3-head.lenet-lit")] == fed
    assert [int(i) for i in texts(page, "th.lenet-s2-head.lenet-selected")] == [2]
    assert page.text_content(".lenet-c3 .lenet-status") == (
        f"S2 map 2 feeds C3 maps {', '.join(map(str, fed))}")
    detail = page.locator(".lenet-c3 .lenet-detail figcaption").all_text_contents()
    assert detail == ["S2 map 2"] + [f"C3 map {j}" for j in fed]

    # Click C3 map 5's column head: its S2 maps light up, its feature map is shown.
    page.click(".lenet-c3 th.lenet-c3-head[data-c3='5']")
    assert root.get_attribute("data-selected") == "C3:5"
    assert [int(i) for i in texts(page, "th.lenet-s2-head.lenet-lit")] == list(C3_TABLE[5])
    assert [int(j) for j in texts(page, "th.lenet-c3-head.lenet-selected")] == [5]
    hits = page.eval_on_selector_all(".lenet-c3 td.lenet-hit",
                                     "nodes => nodes.map(n => [+n.dataset.s2, +n.dataset.c3])")
    assert sorted(map(tuple, hits)) == [(i, 5) for i in C3_TABLE[5]]
    status = page.text_content(".lenet-c3 .lenet-status")
    assert status.startswith("C3 map 5 combines S2 maps 0, 1, 5")
    detail = page.locator(".lenet-c3 .lenet-detail figcaption").all_text_contents()
    assert detail == ["S2 map 0, kernel", "S2 map 1, kernel", "S2 map 5, kernel", "C3 map 5"]

    # A click on any cell selects that cell's C3 map.
    page.click(".lenet-c3 td[data-s2='3'][data-c3='14']")
    assert root.get_attribute("data-selected") == "C3:14"

    # Another digit: every map redrawn from that digit's stored data, the detail panel too.
    head = ".lenet-c3 th.lenet-c3-head[data-c3='0'] canvas"
    shown = ".lenet-c3 .lenet-detail canvas"
    before = canvas_pixels(page, head), canvas_pixels(page, shown)
    page.click(".lenet-c3 .lenet-thumb[data-digit='3']")
    assert root.get_attribute("data-digit") == "3"
    assert root.get_attribute("data-selected") == "C3:14"
    after = canvas_pixels(page, head), canvas_pixels(page, shown)
    assert after[0] != before[0] and after[1] != before[1]
    assert unexpected_errors(page) == []
    screenshot(page, "04_c3-after-clicks")
    page.close()


def test_feature_map_explorer_responds_without_a_kernel(browser, server):
    page = open_page(browser, server, "book/08_output.html")
    root = page.wait_for_selector(".lenet-explorer", timeout=30_000)
    assert root.get_attribute("data-index") == "0"
    assert page.locator(".lenet-explorer .lenet-thumb").count() == 30
    stages = page.eval_on_selector_all(".lenet-explorer .lenet-stage",
                                       "nodes => nodes.map(n => n.dataset.layer)")
    assert stages == ["input", "C1", "S2", "C3", "S4", "C5", "F6", "output"]
    assert page.locator(".lenet-explorer [data-layer='C1'] canvas").count() == 6
    assert page.locator(".lenet-explorer [data-layer='C3'] canvas").count() == 16
    status = page.text_content(".lenet-explorer .lenet-status")
    assert ": label 0, predicted" in status  # the chapter's digits: three 0s, three 1s, ...
    c1 = canvas_pixels(page, ".lenet-explorer [data-layer='C1'] canvas")
    f6 = canvas_pixels(page, ".lenet-explorer [data-layer='F6'] canvas")

    # Pick the 14th digit, the second 4: every stage is redrawn and the penalties change.
    page.click(".lenet-explorer .lenet-thumb[data-digit='13']")
    assert root.get_attribute("data-index") == "13"
    assert page.get_attribute(".lenet-explorer .lenet-thumb[data-digit='13']",
                              "class").split().count("lenet-selected") == 1
    status = page.text_content(".lenet-explorer .lenet-status")
    assert ": label 4, predicted" in status
    assert canvas_pixels(page, ".lenet-explorer [data-layer='C1'] canvas") != c1
    assert canvas_pixels(page, ".lenet-explorer [data-layer='F6'] canvas") != f6
    winner = page.text_content(".lenet-explorer .lenet-winner .lenet-bar-label")
    assert status.endswith(f"predicted {winner}") or f"predicted {winner} (wrong)" in status
    assert page.text_content(".lenet-explorer [data-layer='F6'] figcaption").endswith(
        f"prototype of {winner}")
    assert unexpected_errors(page) == []
    screenshot(page, "08_output-after-click")
    page.close()
