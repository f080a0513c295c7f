"""Serialize a :class:`Feed` as RSS 2.0 and Atom with feedgen, byte-for-byte reproducibly.

feedgen 1.0 pitfalls handled here: ``add_entry`` prepends unless ``order="append"``; the RSS
channel ``<link>`` is the *last* link set, so ``rel="self"`` goes first and the alternate last;
``lastBuildDate``/``updated`` default to "now", so both come from the newest entry.

Escaping: every text is plain text and is escaped exactly once for its context. Readers render an
RSS ``<description>`` as HTML, so it gets the text HTML-escaped (lxml then escapes that for XML);
Atom summaries say ``type="text"``, so they carry the text itself, XML-escaped once.
"""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from kennisbank.config import Settings
from kennisbank.feeds.catalog import Feed
from kennisbank.sites import all_sites

# The tag URI's date is fixed: it names when the authority owned the domain, not an item's date,
# so an entry id never changes when an item's title or date is edited (RFC 4151).
TAG_YEAR = "2020"


def tag_uri(url: str, key: str) -> str:
    """``tag:<host of url>,2020:<key>``."""
    host = urlsplit(url).hostname or "localhost"
    return f"tag:{host},{TAG_YEAR}:{key}"


def entry_id(settings: Settings, key: str) -> str:
    """The permanent id of an entry: ``tag:<portal host>,2020:<item id>``, on every site. An item
    the portal and a thematic site both list is one entry (RFC 4287 §4.2.6: an entry keeps its
    id), so a reader following both feeds shows it once; its link stays on each site's own host."""
    return tag_uri(all_sites(settings).portal.url, key)


def feed_id(settings: Settings, name: str) -> str:
    """A feed's id: each site's feeds are feeds of their own, so the id is on the site's host."""
    return tag_uri(settings.site_url, f"feeds/{name}")


def moment(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def _generator(feed: Feed, settings: Settings, self_url: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed_id(settings, feed.name))
    fg.title(feed.title)
    fg.subtitle(feed.description)  # RSS <description>
    fg.language("nl")
    fg.author({"name": settings.site_name})
    fg.link(href=settings.absolute(self_url), rel="self")
    fg.link(href=settings.absolute(feed.page_url), rel="alternate")
    updated = moment(feed.updated)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.pubDate(updated)
    themes_url = settings.absolute("/themas/")
    for item in feed.entries:
        entry = fg.add_entry(order="append")
        entry.id(entry_id(settings, item.key))
        entry.guid(entry_id(settings, item.key), permalink=False)
        entry.title(item.title)
        entry.link(href=settings.absolute(item.url), rel="alternate")
        summary = item.summary or item.title
        entry.summary(summary, type="text")  # Atom <summary type="text">
        entry.description(html.escape(summary, quote=False))  # RSS <description> is read as HTML
        entry.published(moment(item.published))
        entry.updated(moment(item.published))
        for label in item.categories:
            entry.category(term=label, label=label, scheme=themes_url)
    return fg


def rss_bytes(feed: Feed, settings: Settings) -> bytes:
    rss: bytes = _generator(feed, settings, feed.rss_url).rss_str(pretty=True)
    return rss


def atom_bytes(feed: Feed, settings: Settings) -> bytes:
    atom: bytes = _generator(feed, settings, feed.atom_url).atom_str(pretty=True)
    return atom
