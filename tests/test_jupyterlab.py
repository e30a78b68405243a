"""The chapters in a real JupyterLab: their Markdown is rendered as MyST (jupyterlab-myst).

Starts ``jupyter lab`` from this environment on 127.0.0.1 (a free port, no token, no browser,
from the repository root, with settings and runtime files in a temporary folder), opens
``book/01_input.ipynb`` in headless Chromium and checks that the first Markdown cell is rendered
by jupyterlab-myst: its ``{cite}`` role becomes a citation, not the literal text ``{cite}``.
JupyterLab has no bibliography to resolve it against (the book's ``references.bib`` is
Sphinx's), so jupyterlab-myst renders the key, ``lecun1998gradient``, marked "Citation Not
Found"; plain JupyterLab would show ``{cite}lecun1998gradient``. Every wait is bounded; the
server is stopped with SIGTERM (a clean shutdown, its kernel included) whatever happens.

Chromium as in tests/test_browser.py: Debian's ``chromium`` (or ``LENET_NB_CHROMIUM``); the
test is skipped without it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import CHROMIUM

from lenet_nb.book.notebooks import ROOT

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium: apt-get install -y chromium (.ci/run does) or set LENET_NB_CHROMIUM",
)

SERVER_START_S = 90  # a cold start on a busy 2-core machine
RENDER_S = 120  # JupyterLab's bundle, the notebook, then MyST rendering


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """The URL of a JupyterLab server serving the repository, stopped after the module."""
    home = tmp_path_factory.mktemp("jupyter")
    port = free_port()
    # Our own settings, workspaces and runtime files: a reader's saved layout or a stale
    # server file must not change what opens. Extensions still come from the environment.
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
    )
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # fail rather than serve on another port
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        command.append("--allow-root")
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(server, url + "api/status", home / "server.log")
        yield url
    finally:
        server.send_signal(signal.SIGTERM)  # jupyter_server shuts down cleanly on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def wait_until_serving(server, status_url, log_path):
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited ({server.returncode}):\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(status_url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer in {SERVER_START_S} s:\n{log_path.read_text()}")


def test_jupyterlab_renders_the_chapters_markdown_as_myst(jupyterlab, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(jupyterlab + "lab/tree/book/01_input.ipynb")
        # The first cell, once rendered: by jupyterlab-myst a ".myst" block, by JupyterLab's own
        # Markdown renderer a ".jp-RenderedMarkdown" one.
        first = page.locator(".jp-Notebook .jp-MarkdownCell").first
        first.locator(".myst, .jp-RenderedMarkdown").first.wait_for(timeout=RENDER_S * 1000)
        rendered = first.locator(".myst")
        assert rendered.count() == 1, (
            "not rendered by jupyterlab-myst: "
            + first.locator(".jp-RenderedMarkdown").inner_text()[:120]
        )
        citation = rendered.locator("[title='Citation Not Found']")
        citation.wait_for(timeout=10_000)
        assert citation.inner_text().strip() == "lecun1998gradient"
        text = rendered.inner_text()
        assert "{cite}" not in text and "`" not in text
        assert "nothing else lecun1998gradient." in " ".join(text.split())
        assert rendered.locator("h1").inner_text() == "The input"
        assert errors == []
    finally:
        context.close()
