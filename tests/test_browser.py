"""The built HTML book in a real browser, with no kernel and no network.

Serves the built book (``_build/html``) on 127.0.0.1 and opens every page in headless Chromium:

* every page loads without a page error or a console error, and asks for nothing outside
  127.0.0.1;
* at 1280 px no output block is wider than the column, and display math fits or scrolls visibly;
* axe-core (vendored in tests/vendor/) finds no WCAG 2 A or AA violation, every figure has a text
  alternative and every canvas a name;
* on a 390 px touch screen no page scrolls sideways and no widget is wider than the screen; every
  figure opens at full size; the distortion explorer's picture goes below its controls, and the
  C3 table says when it scrolls;
* in dark mode each widget's captions keep a contrast of at least 4.5:1 on its panel;
* both kernel-free widgets respond to clicks as Table I and the stored data say they should.

The build: ``LENET_NB_HTML`` names an already built ``_build/html`` (``.ci/run`` builds the book
once and passes it); without it the test builds the book into a temporary folder. Chromium is
Debian's ``chromium`` package (``.ci/run`` installs it), driven by Playwright's Python package
with ``executable_path``, so no browser is downloaded. Set ``LENET_NB_SCREENSHOTS`` to a folder
to keep full-page screenshots: every page at 1280 px, and the widget pages at 390 px and in dark
mode.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import (
    CHROMIUM,
    PAGES,
    SLACK_PX,
    WIDGETS,
    axe_violations,
    contrast,
    luminance,
    open_page,
    screenshot,
    text_and_panel_colours,
    too_wide,
)

from lenet_nb import C3_TABLE

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium: apt-get install -y chromium (.ci/run does) or set LENET_NB_CHROMIUM",
)


# ------------------------------------------------------------------------- every page, 1280 px


def test_every_page_is_clean_and_stays_on_this_machine(desktop, server):
    """No page throws or logs an error, and none requests anything but the local server."""
    start = len(desktop.requests)
    for path in PAGES:
        page = open_page(desktop, server, path)
        page.wait_for_timeout(500)  # late requests and errors: fonts, MathJax's extensions
        assert page.errors == [], path
        screenshot(page, Path(path).stem)
        page.close()
    requested = desktop.requests[start:]
    assert requested, "no request recorded"
    external = sorted(
        {
            url
            for url in requested
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        }
    )
    assert external == []
    assert desktop.failures == [], "missing local files (a vendored file not copied?)"


@pytest.mark.parametrize("path", PAGES)
def test_no_output_is_cut_off_at_1280_px(desktop, server, path):
    """Printed text and tables in cell outputs wrap within the column instead of hiding their
    ends; display math wider than the column scrolls in a box that shows it can."""
    page = open_page(desktop, server, path)
    page.wait_for_function("() => !document.querySelector('div.math:not(:has(mjx-container))')")
    blocks = ".cell_output, .cell_output > .output, .cell_output pre, .cell_output .highlight"
    assert too_wide(page, blocks) == []
    # Display math wider than the column must scroll, and show it: headless Chromium hides
    # scrollbars, so what is checked is the edge shadow static/lenet-book.css draws.
    for math in page.query_selector_all("div.math mjx-container[display='true']"):
        box = math.evaluate(
            """m => ({wide: m.scrollWidth > m.clientWidth + %d,
            overflow: getComputedStyle(m).overflowX,
            shadow: getComputedStyle(m).backgroundImage.includes("radial-gradient"),
            tex: m.textContent.slice(0, 50)})"""
            % SLACK_PX
        )
        if box["wide"]:
            assert box["overflow"] in ("auto", "scroll") and box["shadow"], box
    # So must a table: it fits the column, or scrolls inside a box that shows it (the same
    # edge shadows, static/lenet-book.css), with rows that let the shadows through.
    for table in page.query_selector_all(".pst-scrollable-table-container"):
        box = table.evaluate(
            """t => ({wide: t.scrollWidth > t.clientWidth + %d,
            overflow: getComputedStyle(t).overflowX,
            shadow: getComputedStyle(t).backgroundImage.includes("radial-gradient"),
            opaque_rows: [...t.querySelectorAll("tr")].some(r =>
                !["rgba(0, 0, 0, 0)", "transparent"].includes(getComputedStyle(r).backgroundColor)),
            head: t.textContent.trim().slice(0, 50)})"""
            % SLACK_PX
        )
        if box["wide"]:
            assert box["overflow"] in ("auto", "scroll") and box["shadow"], box
            assert not box["opaque_rows"], box
    page.close()


@pytest.mark.parametrize("path", ["book/09_training.html"])
def test_the_training_tables_fit_the_column_at_1280_px(desktop, server, path):
    """The Training chapter's tables are built narrow enough to need no scrolling."""
    page = open_page(desktop, server, path)
    widths = page.eval_on_selector_all(
        ".pst-scrollable-table-container",
        "ts => ts.map(t => [t.scrollWidth, t.clientWidth, t.textContent.trim().slice(0, 40)])",
    )
    assert widths and [w for w in widths if w[0] > w[1] + SLACK_PX] == []
    page.close()


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_violation(desktop, server, path):
    """axe-core's WCAG 2 A/AA rules pass: names for every control, text alternatives, colour
    contrast, valid ARIA, focusable scrolling regions..."""
    page = open_page(desktop, server, path)
    assert axe_violations(page) == []
    page.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_figure_and_map_is_described(desktop, server, path):
    """axe accepts any alt text, even the file name docutils falls back to: every image must say
    what it shows, and every canvas a widget draws a map on must be named."""
    page = open_page(desktop, server, path)
    undescribed = page.eval_on_selector_all(
        "article img",
        """images => images
        .filter(i => !i.alt.trim() || /(^|\\/)[\\w.-]+\\.(png|jpe?g|svg|gif)$/.test(i.alt.trim()))
        .map(i => i.getAttribute("src"))""",
    )
    assert undescribed == [], "images without a text alternative (alt is empty or a file name)"
    unnamed = page.eval_on_selector_all(
        "article canvas",
        """canvases => canvases
        .filter(c => c.getAttribute("role") !== "img" || !c.getAttribute("aria-label"))
        .map(c => c.outerHTML.slice(0, 80))""",
    )
    assert unnamed == []
    page.close()


# ------------------------------------------------------------------------ a phone, 390 px, touch


@pytest.mark.parametrize("path", PAGES)
def test_nothing_scrolls_sideways_on_a_phone(phone, server, path):
    page = open_page(phone, server, path)
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + SLACK_PX
    widgets = page.eval_on_selector_all(
        ".lenet-widget, .widget-subarea",
        """nodes => nodes
        .map(n => n.getBoundingClientRect())
        .map(box => ({left: box.left, right: box.right}))""",
    )
    assert all(w["left"] >= -SLACK_PX and w["right"] <= width + SLACK_PX for w in widgets), widgets
    assert page.errors == []
    if path in WIDGETS:
        screenshot(page, f"{Path(path).stem}-390px")
    page.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_figure_opens_at_full_size_on_a_phone(phone, server, path):
    """The phone's column shows a figure smaller than drawn; a tap on it opens its own image file,
    at its natural size."""
    page = open_page(phone, server, path)
    figures = page.eval_on_selector_all(
        "article .cell_output img",
        """images => images.map(i => ({
            src: i.src, shown: i.getBoundingClientRect().width, natural: i.naturalWidth,
            link: i.closest("a.full-size") ? i.closest("a.full-size").href : null}))""",
    )
    unlinked = [f["src"] for f in figures if f["link"] != f["src"]]
    assert unlinked == []
    assert all(f["natural"] >= f["shown"] - SLACK_PX for f in figures), figures
    if figures:
        opened = page.context.new_page()
        assert opened.goto(figures[0]["link"]).ok
        opened.close()
    page.close()


def test_distortion_explorer_reflows_on_a_phone(phone, server):
    page = open_page(phone, server, "book/12_distortions.html")
    controls = page.locator(".lenet-distortions .lenet-controls").bounding_box()
    picture = page.locator(".lenet-distortions .lenet-live-pictures").bounding_box()
    assert picture["y"] >= controls["y"] + controls["height"], "the picture is not below"
    # Every slider keeps a usable length, and is tall enough to hit with a finger.
    for box in (s.bounding_box() for s in page.locator(".lenet-distortions input").all()):
        assert box["width"] >= 150 and box["height"] >= 24, box
    page.close()


def test_c3_table_says_it_scrolls_sideways_on_a_phone(phone, desktop, server):
    """On a phone the table is wider than the column: it scrolls in its own box, and a line
    under it names the C3 maps out of view, until the reader has scrolled to them. On a desktop
    the table fits and the line is hidden."""
    page = open_page(phone, server, "book/04_c3.html")
    scroller = page.locator(".lenet-c3 .lenet-scroll")
    hint = page.locator(".lenet-c3 .lenet-scroll-hint")
    assert scroller.evaluate("s => s.scrollWidth > s.clientWidth")
    assert (
        hint.is_visible()
        and hint.text_content().startswith("Scroll the table sideways for C3 maps ")
        and hint.text_content().endswith("15")
    )
    scroller.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
    page.wait_for_function(
        "() => !document.querySelector('.lenet-c3 .lenet-scroll-hint').textContent.endsWith('15')"
    )
    assert hint.text_content().startswith("Scroll the table sideways for C3 maps 0")
    page.close()
    page = open_page(desktop, server, "book/04_c3.html")
    assert page.locator(".lenet-c3 .lenet-scroll-hint").is_hidden()
    page.close()


# ------------------------------------------------------------------------------------ dark mode


@pytest.mark.parametrize("path", sorted(WIDGETS))
def test_widgets_follow_dark_mode(dark, server, path):
    """In dark mode a widget's panel is dark, and its captions, status and labels stay readable
    (WCAG AA: contrast of at least 4.5:1 against the panel)."""
    page = open_page(dark, server, path)
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    root = WIDGETS[path]
    text = ", ".join(
        f"{root} {part}"
        for part in (
            "figcaption",
            ".lenet-status",
            ".lenet-control-name",
            ".lenet-readout",
            ".lenet-bar-value",
            ".lenet-scroll-hint",
            "td.lenet-x",
            "th span",
        )
    )
    [(_, _, panel)] = text_and_panel_colours(page, root)
    assert luminance(panel) < 0.2, f"a light panel {panel} behind {root}"
    colours = text_and_panel_colours(page, text)
    assert colours, f"no caption found in {root}"
    for label, foreground, background in colours:
        assert contrast(foreground, background) >= 4.5, (label, foreground, background)
    assert axe_violations(page, root, rules=["color-contrast"]) == []
    screenshot(page, f"{Path(path).stem}-dark")
    page.close()


# -------------------------------------------------------------------- widgets without a kernel


def canvas_pixels(page, selector):
    return page.eval_on_selector(selector, "canvas => canvas.toDataURL()")


def texts(page, selector):
    return page.eval_on_selector_all(
        selector, "nodes => nodes.map(n => n.dataset.c3 ?? n.dataset.s2)"
    )


def test_math_is_typeset_from_the_local_mathjax(desktop, server):
    for path in ["book/01_input.html", "book/07_f6.html", "book/08_output.html"]:
        page = open_page(desktop, server, path)
        page.wait_for_selector("mjx-container", timeout=30_000)
        scripts = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
        assert any("/_static/mathjax/tex-chtml.js" in src for src in scripts), path
        page.close()


def test_c3_table_responds_without_a_kernel(desktop, server):
    page = open_page(desktop, server, "book/04_c3.html")
    root = page.locator(".lenet-c3")
    # The starting view, as the chapter builds it: C3 map 12 and its four S2 maps.
    assert root.get_attribute("data-selected") == "C3:12"
    assert [int(i) for i in texts(page, "th.lenet-s2-head.lenet-lit")] == list(C3_TABLE[12])

    # Click S2 map 2's row head (while C3 map 12 is selected): the C3 maps it feeds light up.
    fed = [j for j, inputs in enumerate(C3_TABLE) if 2 in inputs]
    page.click(".lenet-c3 th.lenet-s2-head[data-s2='2']")
    assert root.get_attribute("data-selected") == "S2:2"
    assert [int(j) for j in texts(page, "th.lenet-c3-head.lenet-lit")] == fed
    assert [int(i) for i in texts(page, "th.lenet-s2-head.lenet-selected")] == [2]
    assert page.get_attribute(".lenet-c3 th[data-s2='2'] button", "aria-pressed") == "true"
    assert page.text_content(".lenet-c3 .lenet-status") == (
        f"S2 map 2 feeds C3 maps {', '.join(map(str, fed))}"
    )
    detail = page.locator(".lenet-c3 .lenet-detail figcaption").all_text_contents()
    assert detail == ["S2 map 2"] + [f"C3 map {j}" for j in fed]

    # Choose C3 map 5 from the keyboard (its head is a button): its S2 maps light up.
    page.focus(".lenet-c3 th.lenet-c3-head[data-c3='5'] button")
    page.keyboard.press("Enter")
    assert root.get_attribute("data-selected") == "C3:5"
    assert [int(i) for i in texts(page, "th.lenet-s2-head.lenet-lit")] == list(C3_TABLE[5])
    assert [int(j) for j in texts(page, "th.lenet-c3-head.lenet-selected")] == [5]
    hits = page.eval_on_selector_all(
        ".lenet-c3 td.lenet-hit", "nodes => nodes.map(n => [+n.dataset.s2, +n.dataset.c3])"
    )
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
    assert page.errors == []
    screenshot(page, "04_c3-after-clicks")
    page.close()


def test_feature_map_explorer_responds_without_a_kernel(desktop, server):
    page = open_page(desktop, server, "book/08_output.html")
    root = page.locator(".lenet-explorer")
    assert root.get_attribute("data-index") == "0"
    assert page.locator(".lenet-explorer .lenet-thumb").count() == 30
    stages = page.eval_on_selector_all(
        ".lenet-explorer .lenet-stage", "nodes => nodes.map(n => n.dataset.layer)"
    )
    assert stages == ["input", "C1", "S2", "C3", "S4", "C5", "F6", "output"]
    assert page.locator(".lenet-explorer [data-layer='C1'] canvas").count() == 6
    assert page.locator(".lenet-explorer [data-layer='C3'] canvas").count() == 16
    status = page.text_content(".lenet-explorer .lenet-status")
    assert ": label 0, predicted" in status  # the chapter's digits: three 0s, three 1s, ...
    c1 = canvas_pixels(page, ".lenet-explorer [data-layer='C1'] canvas")
    f6 = canvas_pixels(page, ".lenet-explorer [data-layer='F6'] canvas")
    # F6 and the prototype as the paper's 7x12 bitmaps, 7 wide and 12 tall (as the pad draws
    # them: stages.js, tests/test_stages_js.py)
    shapes = page.eval_on_selector_all(
        ".lenet-explorer [data-layer='F6'] canvas", "cs => cs.map(c => [c.width, c.height])"
    )
    assert shapes == [[7, 12], [7, 12]]

    # Pick the 14th digit, the second 4: every stage is redrawn and the penalties change.
    page.click(".lenet-explorer .lenet-thumb[data-digit='13']")
    assert root.get_attribute("data-index") == "13"
    assert (
        page.get_attribute(".lenet-explorer .lenet-thumb[data-digit='13']", "class")
        .split()
        .count("lenet-selected")
        == 1
    )
    assert (
        page.get_attribute(".lenet-explorer .lenet-thumb[data-digit='13']", "aria-pressed")
        == "true"
    )
    status = page.text_content(".lenet-explorer .lenet-status")
    assert ": label 4, predicted" in status
    assert canvas_pixels(page, ".lenet-explorer [data-layer='C1'] canvas") != c1
    assert canvas_pixels(page, ".lenet-explorer [data-layer='F6'] canvas") != f6
    winner = page.text_content(".lenet-explorer .lenet-winner .lenet-bar-label")
    assert status.endswith(f"predicted {winner}") or f"predicted {winner} (wrong)" in status
    assert page.text_content(".lenet-explorer [data-layer='F6'] figcaption").endswith(
        f"prototype of {winner}"
    )
    assert page.errors == []
    screenshot(page, "08_output-after-click")
    page.close()
