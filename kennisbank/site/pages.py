"""A staged page: what the site stage hands to the renderer, one Markdown file per page.

Each page carries its *context* (which kind of page it is and about what), so that other stages
can attach things to it without knowing how pages are made: the feeds stage answers
``kennisbank.feeds.feeds_for_page(kind, key)`` with the feeds to advertise in the page's
``<head>`` (``<link rel="alternate">``). The answer goes into the page's front matter as
``feeds: [{title, href, type}]``; the theme override renders it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import json
import re

MARKER_KEY = "kb_kind"  # front-matter key only the site stage writes (holds the page's kind)

# The kinds of page context, and what their key is.
KINDS = {
    "home": "empty string",
    "item": "item id, e.g. nieuws/foo or kerken/bar",
    "section": "section name, e.g. nieuws, agenda, kerken (its listing pages)",
    "year": "section/year, e.g. nieuws/2020",
    "theme": "theme slug",
    "city": "city slug",
    "tag": "tag slug",
    "index": "overview name: themas, steden, tags",
    "search": "empty string (the /zoeken/ page)",
}


@dataclass(frozen=True)
class PageContext:
    """What a page is about: ``kind`` (one of :data:`KINDS`) and its ``key``."""

    kind: str
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


FeedHook = Callable[[PageContext], Iterable[object]]


def feed_hooks(repo=None, settings=None) -> list[FeedHook]:
    """The functions asked for a page's feeds: the feeds stage's, once it exists.

    With the repository and settings the feeds stage names each feed (e.g. the theme's title)."""
    try:
        from kennisbank.feeds import FeedCatalog, feeds_for_page  # type: ignore[attr-defined]
    except ImportError:
        return []
    catalog = FeedCatalog(repo, settings) if repo is not None and settings is not None else None
    return [lambda context: feeds_for_page(context.kind, context.key, catalog)]


def attach_feeds(pages: Iterable[StagedPage], hooks: list[FeedHook]) -> None:
    """Ask every hook for each page's feeds and keep them as ``{title, href, type}``."""
    for page in pages:
        found = []
        for hook in hooks:
            for feed in hook(page.context) or ():
                get = feed.get if isinstance(feed, dict) else (lambda name, f=feed: getattr(f, name, None))
                href = get("href")
                if href:
                    found.append({"title": str(get("title") or ""), "href": str(href),
                                  "type": str(get("type") or "application/rss+xml")})
        page.feeds = found
