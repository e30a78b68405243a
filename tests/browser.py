"""What the browser tests share: where Chromium is, the screens they use, and how they open,
measure and check a page of the built book (tests/conftest.py holds the fixtures)."""

import os
import shutil
from pathlib import Path

from lenet_nb.book.notebooks import toc_notebooks

CHROMIUM = (
    os.environ.get("LENET_NB_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A phone: 390 CSS px wide (an iPhone 12-15), touch, mobile viewport rules.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SLACK_PX = 2  # sub-pixel rounding: "wider" means by more than this

PAGES = ["book/index.html"] + [f"book/{path.stem}.html" for path in toc_notebooks()]
# The pages with widgets, and the root element of each widget.
WIDGETS = {
    "book/04_c3.html": ".lenet-c3",
    "book/08_output.html": ".lenet-explorer",
    "book/09_training.html": ".lenet-trainer",
    "book/11_your_digits.html": ".lenet-pad",
    "book/12_distortions.html": ".lenet-distortions",
    "book/13_invariance.html": ".lenet-invariance",
    "book/14_strings.html": ".lenet-string-pad",
}


def recording_context(chromium, **options):
    """A fresh browser profile (no cache, no stored theme) that records every request, every
    failed request and every HTTP error response."""
    context = chromium.new_context(**options)
    context.requests, context.failures = [], []
    context.on("request", lambda request: context.requests.append(request.url))
    context.on("requestfailed", lambda request: context.failures.append(request.url))
    context.on(
        "response",
        lambda response: (
            context.failures.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return context


def open_page(context, server, path):
    """The page at ``path``, loaded, with its widgets drawn; ``page.errors`` collects uncaught
    exceptions and console errors from the start."""
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            page.errors.append(f"console error: {message.text} ({message.location.get('url')})")
            if message.type == "error"
            else None
        ),
    )
    page.goto(server + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    if path in WIDGETS:
        page.wait_for_selector(WIDGETS[path], timeout=30_000)
    return page


def screenshot(page, name):
    folder = os.environ.get("LENET_NB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def too_wide(page, selector):
    """The elements matching ``selector`` whose content is wider than their box: what the reader
    cannot see without scrolling (or cannot see at all, if they clip)."""
    return page.eval_on_selector_all(
        selector,
        f"""nodes => nodes
        .filter(n => n.scrollWidth > n.clientWidth + {SLACK_PX})
        .map(n => `${{n.tagName}}.${{n.className}} ${{n.scrollWidth}} > ${{n.clientWidth}} px: `
                  + n.textContent.trim().slice(0, 60))""",
    )


def axe_violations(page, context="document", rules=None):
    """axe-core's WCAG 2 A and AA violations in ``context`` (a CSS selector, or the document),
    as "rule: element" lines."""
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
    if rules:
        options = {"runOnly": {"type": "rule", "values": rules}}
    found = page.evaluate(
        """async ([context, options]) => {
        const where = context === "document" ? document : context;
        const result = await axe.run(where, options);
        return result.violations.flatMap(v => v.nodes.map(n =>
            `${v.id}: ${n.target.join(" ")} ${n.failureSummary.replace(/\\s+/g, " ")}`));
    }""",
        [context, options],
    )
    return found


def luminance(rgb):
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""

    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground, background):
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def over(top, bottom):
    """Colour ``top`` (r, g, b, alpha) composited over the opaque colour ``bottom``."""
    r, g, b, a = top
    return tuple(a * t + (1 - a) * u for t, u in zip((r, g, b), bottom[:3]))


def text_and_panel_colours(page, selector):
    """For each element matching ``selector``: its text colour and the opaque colour behind it,
    both as (r, g, b), with translucent backgrounds and opacity composited as painted."""
    layers = page.eval_on_selector_all(
        selector,
        """nodes => nodes.map(node => {
        const rgba = c => { const v = c.match(/[\\d.]+/g).map(Number); return v.length === 3 ?
                                                                     [...v, 1] : v; };
        const text = rgba(getComputedStyle(node).color);
        const backgrounds = [];  // from the element outwards, up to the first opaque one
        let opacity = 1;
        for (let e = node; e; e = e.parentElement) {
            const style = getComputedStyle(e);
            opacity *= Number(style.opacity);
            const bg = rgba(style.backgroundColor);
            if (bg[3] > 0) backgrounds.push(bg);
            if (bg[3] === 1) break;
        }
        return {label: node.textContent.trim().slice(0, 40), text, opacity, backgrounds};
    })""",
    )
    out = []
    for item in layers:
        panel = (255, 255, 255)  # the canvas, if nothing is opaque
        for bg in reversed(item["backgrounds"]):
            panel = over(bg, panel)
        r, g, b, a = item["text"]
        out.append((item["label"], over((r, g, b, a * item["opacity"]), panel), panel))
    return out
