"""A staged page: what every stage hands to the site renderer, one Markdown file per page.

The contract between the outputs that add pages to the site (site, feeds' "Volg ons", the
newsletter's web versions, the search page) and the renderer, kept outside `site/` so that no
output stage imports another's internals.

Each page carries its *context* (which kind of page it is and about what), so that other stages
can attach things to it without knowing how pages are made: the feeds stage answers
``kennisbank.feeds.feeds_for_page(kind, key)`` with the feeds to advertise in the page's
``<head>`` (``<link rel="alternate">``). The answer goes into the page's front matter as
``feeds: [{title, href, type}]``; the theme override renders it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kennisbank.errors import KennisbankError

DOCS = "docs"  # the staged Markdown tree inside a build's output folder
MARKER_KEY = "kb_kind"  # front-matter key only the site stage writes (holds the page's kind)

PageKind = Literal["home", "item", "section", "year", "theme", "city", "tag", "index", "search", "newsletter",
                   "placeholder"]
"""What a page is about; its :class:`PageContext` key is then:

* ``home``, ``search``: empty
* ``item``: the item id, e.g. ``nieuws/foo`` or ``kerken/bar``
* ``section``: the section, e.g. ``nieuws`` (its listing pages); ``year``: ``nieuws/2020``
* ``theme``, ``city``, ``tag``: the slug
* ``index``: the overview, e.g. ``themas``, ``steden``, ``tags``, ``cases``, ``volg-ons``
* ``newsletter``: the issue number, or empty for the archive
* ``placeholder``: a section whose own page another stage writes later (the preview keeps it)
"""


@dataclass(frozen=True)
class PageContext:
    """What a page is about: its ``kind`` and its ``key`` (see :data:`PageKind`)."""

    kind: PageKind
    key: str = ""


@dataclass
class StagedPage:
    """One page of the site before rendering: its docs-relative Markdown path and clean HTML body."""

    path: str  # e.g. "nieuws/foo.md" → /nieuws/foo/
    title: str
    html: str  # already safe: built from autoescaped templates and sanitised bodies
    context: PageContext
    description: str = ""
    feeds: list[dict[str, str]] = field(default_factory=list)
    hide: tuple[str, ...] = ()  # Material's `hide` front matter, e.g. ("toc",)
    canonical: str = ""  # absolute URL of the page's canonical copy when that is on another site

    @property
    def url(self) -> str:
        stem = self.path[:-3]
        if stem == "index":
            return "/"
        return "/" + stem.removesuffix("/index") + "/"

    def markdown(self) -> str:
        """Front matter (values HTML-escaped: Material prints some of them raw) + one HTML block."""
        meta: dict[str, object] = {"title": html.escape(self.title), MARKER_KEY: self.context.kind}
        if self.description:
            meta["description"] = html.escape(self.description)
        if self.hide:
            meta["hide"] = list(self.hide)
        if self.canonical:
            meta["canonical"] = html.escape(self.canonical)
        if self.feeds:
            meta["feeds"] = [{k: html.escape(str(v)) for k, v in feed.items()} for feed in self.feeds]
        head = "".join(f"{key}: {_flow(value)}\n" for key, value in sorted(meta.items()))
        return f"---\n{head}---\n\n{self.html.strip()}\n"


_PLAIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][\w .,'’()/\-–]*(?<! )$")
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}


def _flow(value: object) -> str:
    """A YAML value: plain when that is unambiguous (readable), else JSON, which is valid YAML
    and ~10× faster to write than PyYAML."""
    if isinstance(value, str) and _PLAIN.match(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class StagedFiles:
    """The one writer of a build's output folder: every stage writes its files through it, and a
    path written twice (two stages claiming one URL, or a stage repeating itself) is refused
    instead of silently keeping the last writer's bytes. ``stage`` names who writes, for that
    message; :func:`kennisbank.build.build` sets it before each stage runs."""

    def __init__(self, root: Path):
        self.root = root
        self.stage = "build"
        self._owners: dict[str, str] = {}

    def claim(self, relative: str) -> Path:
        """The absolute path of ``relative`` (a file, or a folder the stage fills itself)."""
        key = relative.strip("/")
        owner = self._owners.get(key)
        if owner is not None:
            raise KennisbankError(f"{key} is written twice (by {owner}, then by {self.stage}); "
                                  "two outputs claim the same URL")
        self._owners[key] = self.stage
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def written(self, relative: str) -> bool:
        return relative.strip("/") in self._owners

    def write_bytes(self, relative: str, data: bytes) -> Path:
        target = self.claim(relative)
        target.write_bytes(data)
        return target

    def write_text(self, relative: str, text: str) -> Path:
        return self.write_bytes(relative, text.encode("utf-8"))

    def copy(self, relative: str, source: Path) -> Path:
        target = self.claim(relative)
        shutil.copy2(source, target)  # keeps the mtime: the preview compares it
        return target

    def page(self, page: StagedPage) -> Path:
        """A staged page as its Markdown file under ``docs/``."""
        return self.write_text(f"{DOCS}/{page.path}", page.markdown())
