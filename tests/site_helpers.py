"""Helpers for the site tests: one build of the sample site per test worker, repository copies."""

from __future__ import annotations

import shutil
from pathlib import Path

from kennisbank.site.linkcheck import parse_page as parse  # noqa: F401  (the site tests' page parser)

COPIED = ("content", "cases", "search", "mkdocs.yml")


def built_sample(tmp_path_factory, sample_root: Path) -> Path:
    """``<out>`` of a build of the sample site, built once per worker session."""
    out = tmp_path_factory.getbasetemp() / "site-sample-build"
    if not (out / "site" / "index.html").is_file():
        from kennisbank.build import build

        build(sample_root, out)
    return out


def copy_repository(sample_root: Path, target: Path) -> Path:
    """A writable copy of the sample repository (content, cases, search settings, mkdocs.yml)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = sample_root / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


def page_file(site: Path, url: str) -> Path:
    return site / url.strip("/") / "index.html" if url.strip("/") else site / "index.html"


CHROMIUM = "/usr/bin/chromium"  # Debian's; never a browser Playwright downloads
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def launch_chromium(playwright):
    """Debian's headless Chromium with the flags every browser test uses."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
