"""RSS 2.0 and Atom feeds, the OPML list and the "Volg ons" page, written by ``kennisbank build``.

Public surface: :func:`stage_feeds` (build.py) and :func:`feeds_for_page` (the site asks it which
feeds a page advertises in its ``<head>``). The rest is internal: :mod:`.catalog` decides which
feeds exist and what they hold, :mod:`.writer` serializes them, :mod:`.opml` and :mod:`.page`
list them for people and feed readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kennisbank.feeds.catalog import NEWSLETTER as NEWSLETTER_FEED
from kennisbank.feeds.catalog import Feed, FeedCatalog, atom_href, rss_href
from kennisbank.feeds.links import FeedLink, feeds_for_page
from kennisbank.feeds.opml import OPML_PATH, opml_bytes
from kennisbank.feeds.page import follow_page
from kennisbank.feeds.writer import atom_bytes, rss_bytes
from kennisbank.staging import DOCS, StagedFiles

if TYPE_CHECKING:
    from kennisbank.context import BuildContext

__all__ = ["NEWSLETTER_FEED", "Feed", "FeedCatalog", "FeedLink", "atom_href", "feeds_for_page", "rss_href", "stage_feeds",
           "write_feeds"]


def write_feeds(catalog: FeedCatalog, files: StagedFiles) -> list[Path]:
    """Write every feed (RSS and Atom) and the OPML list under ``docs/feeds/``; return the paths."""
    written = []
    for feed in catalog.feeds.values():
        for url, data in ((feed.rss_url, rss_bytes(feed, catalog.settings)),
                          (feed.atom_url, atom_bytes(feed, catalog.settings))):
            written.append(files.write_bytes(f"{DOCS}{url}", data))
    written.append(files.write_bytes(f"{DOCS}{OPML_PATH}", opml_bytes(list(catalog.feeds.values()), catalog.settings)))
    return written


# Material's script fetches `sitemap.xml` beside every `<link rel="alternate">` (meant for
# language versions), so each page's feed links made it ask for /feeds/sitemap.xml and log a 404.
# An empty, valid sitemap there answers it; the site's real sitemap stays at /sitemap.xml.
MATERIAL_SITEMAP = "sitemap.xml"  # in feeds/, beside the feeds: not a feed itself
EMPTY_SITEMAP = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n'


def stage_feeds(context: BuildContext) -> None:
    """Build stage: feeds and OPML into ``<tmp>/docs/feeds/``, the "Volg ons" page into the docs."""
    write_feeds(context.feeds, context.files)
    context.files.write_text(f"{DOCS}/feeds/{MATERIAL_SITEMAP}", EMPTY_SITEMAP)
    context.files.page(follow_page(context.feeds))
