import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browser import CHROMIUM, DESKTOP, FLAGS, PHONE, recording_context

from lenet_nb.book.notebooks import ROOT


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` retrain the network (minutes): they run when LENET_NB_SLOW=1,
    as .ci/run sets it."""
    if os.environ.get("LENET_NB_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="retrains from scratch; set LENET_NB_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# --- the built book in headless Chromium (tests/test_browser*.py; helpers in tests/browser.py) ---


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    given = os.environ.get("LENET_NB_HTML")
    if given:
        path = Path(given)
        assert (path / "book" / "index.html").is_file(), f"LENET_NB_HTML={given} is not a build"
        return path
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--all", "--path-output", str(out)],
        check=True,
        capture_output=True,
    )
    return out / "_build" / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(html):
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a broken environment, not a reason to skip: requirements.txt pins it
        pytest.fail("the Python package playwright is missing (requirements.txt pins it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def fresh(chromium):
    """``fresh(**options)``: a new browser profile (desktop by default) that records its
    requests, so that a page's stored state reaches no other test; closed after the test, once
    checked that the page asked for nothing outside the book and that no request failed."""
    contexts = []

    def make(**options):
        contexts.append(recording_context(chromium, **(options or DESKTOP)))
        return contexts[-1]

    yield make
    for context in contexts:
        outside = ("http://127.0.0.1", "data:", "blob:")
        assert [u for u in context.requests if not u.startswith(outside)] == []
        assert context.failures == []
        context.close()


@pytest.fixture(scope="session")
def desktop(chromium):
    context = recording_context(chromium, **DESKTOP)
    yield context
    context.close()


@pytest.fixture(scope="session")
def phone(chromium):
    context = recording_context(chromium, **PHONE)
    yield context
    context.close()


@pytest.fixture(scope="session")
def dark(chromium):
    # The reader's system prefers dark; the theme's default mode, "auto", follows it.
    context = recording_context(chromium, color_scheme="dark", **DESKTOP)
    yield context
    context.close()
