"""Shared fixtures: the repository's own sample content is the test fixture."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_root() -> Path:
    """The repository root, whose content/ and cases/ hold the sample content."""
    return ROOT


@pytest.fixture(scope="session")
def repo(sample_root):
    """The sample content, loaded and validated once per test session."""
    from kennisbank.content import load_repository

    return load_repository(sample_root)


@pytest.fixture(scope="session")
def settings(sample_root):
    """The sample repository's settings (mkdocs.yml)."""
    from kennisbank.config import load_settings

    return load_settings(sample_root)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_site(site: Path) -> Iterator[str]:
    """The module's built ``site`` folder over real HTTP on loopback (a static file server)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright
    from site_helpers import launch_chromium

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()
