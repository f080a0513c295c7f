"""Helpers for the site tests: one build of the sample site per test worker, repository copies."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

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


class Links(HTMLParser):
    """Collects hrefs/srcs and ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for attr in ("href", "src"):
            if values.get(attr) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append((tag, values[attr]))


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_file(site: Path, url: str) -> Path:
    return site / url.strip("/") / "index.html" if url.strip("/") else site / "index.html"
