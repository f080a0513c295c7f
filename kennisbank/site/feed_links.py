"""Feed autodiscovery for staged pages: the feeds stage names the feeds each page advertises."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kennisbank.config import Settings
from kennisbank.content import Repository
from kennisbank.staging import PageContext, StagedPage

if TYPE_CHECKING:
    from kennisbank.feeds.catalog import FeedCatalog

FeedHook = Callable[[PageContext], Iterable[object]]


def feed_hooks(repo: Repository | None = None, settings: Settings | None = None,
               catalog: FeedCatalog | None = None) -> list[FeedHook]:
    """The functions asked for a page's feeds (the feeds stage's).

    With the repository and settings the feeds stage names each feed (e.g. the theme's title)."""
    from kennisbank.feeds import FeedCatalog, feeds_for_page

    if catalog is None and repo is not None and settings is not None:
        catalog = FeedCatalog(repo, settings)
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
