"""Which feeds a page advertises in its ``<head>`` (``<link rel="alternate">`` autodiscovery).

Every page offers the "everything" feed; listing and item pages of a type or case collection
add that type's feed; theme and city pages their own; newsletter pages the newsletter feed.
Because every theme, city and type always has a feed (see :mod:`kennisbank.feeds.catalog`), the
answer follows from the page's kind and key alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from kennisbank.config import Settings
from kennisbank.feeds.catalog import ALL, FED_TYPES, NEWSLETTER, FeedCatalog, atom_href, city_feed_name, rss_href, theme_feed_name
from kennisbank.staging import PageKind

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
_FED_SECTIONS = {ctype.section: ctype.label_plural for ctype in FED_TYPES}


@dataclass(frozen=True)
class FeedLink:
    """One autodiscovery link: ``<link rel="alternate" type=... title=... href=...>``."""

    title: str
    href: str
    type: str


def feed_names_for_page(kind: PageKind, key: str) -> list[str]:
    """Feed names for a page context (:data:`kennisbank.staging.PageKind`), the everything feed
    first."""
    names = [ALL]
    section = key.split("/", 1)[0]
    if kind in ("item", "section", "year") and section in _FED_SECTIONS:
        names.append(section)
    elif kind == "theme" and key:
        names.append(theme_feed_name(key))
    elif kind == "city" and key:
        names.append(city_feed_name(key))
    elif kind == "newsletter" or (kind == "item" and section == NEWSLETTER):
        names.append(NEWSLETTER)
    return names


def feeds_for_page(kind: PageKind, key: str = "", catalog: FeedCatalog | None = None,
                   settings: Settings | None = None) -> list[FeedLink]:
    """RSS and Atom links for a page. With a ``catalog`` the titles name the theme or city and
    only feeds that exist are listed; with ``settings`` the hrefs are absolute, otherwise
    root-relative (``/feeds/...``, like every other link the site stages)."""
    links: list[FeedLink] = []
    for name in feed_names_for_page(kind, key):
        feed = catalog.feeds.get(name) if catalog else None
        if catalog is not None and feed is None:
            continue
        title = feed.title if feed else _FED_SECTIONS.get(name, {ALL: "Alles", NEWSLETTER: "Nieuwsbrief"}.get(name, name))
        for path, mime, label in ((rss_href(name), RSS_TYPE, "RSS"), (atom_href(name), ATOM_TYPE, "Atom")):
            links.append(FeedLink(f"{title} ({label})", settings.absolute(path) if settings else path, mime))
    return links
