"""Entry ids that survive edits, escaping, empty feeds, and the feeds each page advertises."""

from __future__ import annotations

import datetime as dt

import feedparser
from feeds_helpers import replace_in
from site_helpers import copy_repository

from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.feeds import FeedCatalog, feeds_for_page
from kennisbank.feeds.catalog import Feed, FeedEntry
from kennisbank.feeds.writer import atom_bytes, rss_bytes


def _ids_by_link(data: bytes) -> dict[str, str]:
    return {entry.link: entry.id for entry in feedparser.parse(data).entries}


def test_entry_id_survives_title_and_date_edits(tmp_path, sample_root):
    root = copy_repository(sample_root, tmp_path / "repo")
    settings = load_settings(root)
    news = sorted((root / "content" / "nieuws").rglob("*.md"))[-1]
    before_repo = load_repository(root)
    item = before_repo.by_id[f"nieuws/{news.stem}"]
    before = _ids_by_link(rss_bytes(FeedCatalog(before_repo, settings).feeds["nieuws"], settings))
    replace_in(news, f"title: {item.title}", "title: Een helemaal andere titel")
    replace_in(news, f"date: {item.date.isoformat()}", f"date: {(item.date + dt.timedelta(days=3)).isoformat()}")
    after_repo = load_repository(root)
    after_feed = FeedCatalog(after_repo, settings).feeds["nieuws"]
    after = _ids_by_link(rss_bytes(after_feed, settings))
    link = settings.absolute(item.url)
    assert after[link] == before[link] == f"tag:kennisbank.example.org,2020:nieuws/{news.stem}"
    edited = next(e for e in after_feed.entries if e.key == item.id)
    assert edited.title == "Een helemaal andere titel" and edited.published == item.date + dt.timedelta(days=3)


def _feed(entries: tuple[FeedEntry, ...]) -> Feed:
    return Feed("stad-test", "Test", "Test – KVS", "Nieuw over test.", "/steden/test/", "Steden", entries)


def test_empty_feed_is_still_valid_in_both_formats(sample_root):
    settings = load_settings(sample_root)
    for data, version in ((rss_bytes(_feed(()), settings), "rss20"), (atom_bytes(_feed(()), settings), "atom10")):
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0 and parsed.version == version and parsed.entries == []
        assert parsed.feed.language == "nl" and parsed.feed.updated_parsed[:3] == (2020, 1, 1)


def test_markup_in_titles_and_summaries_is_escaped_not_interpreted(sample_root):
    settings = load_settings(sample_root)
    nasty = FeedEntry("nieuws/x", "Wonen & werken <b>samen</b>", "/nieuws/x/", "Prijs < 5 € & \"citaat\" ]]>",
                      dt.date(2020, 5, 1), ("Stad & regio",))
    for data in (rss_bytes(_feed((nasty,)), settings), atom_bytes(_feed((nasty,)), settings)):
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0
        entry = parsed.entries[0]
        assert b"<b>" not in data
        assert entry.title == "Wonen & werken <b>samen</b>"  # feedparser unescapes the text
        assert entry.tags[0].term == "Stad & regio"


def test_pages_advertise_everything_plus_their_own_feed(repo, sample_root):
    catalog = FeedCatalog(repo, load_settings(sample_root))
    item = repo.of_type("news")[0]
    theme = next(iter(repo.themes))

    def names(kind, key):
        return [link.href.rsplit("/", 1)[1] for link in feeds_for_page(kind, key, catalog)]

    assert names("home", "") == ["alles.xml", "alles.atom.xml"]
    assert names("tag", "energie") == ["alles.xml", "alles.atom.xml"]
    assert names("item", item.id)[2:] == ["nieuws.xml", "nieuws.atom.xml"]
    assert names("section", "kerken")[2:] == ["kerken.xml", "kerken.atom.xml"]
    assert names("year", "nieuws/2020")[2:] == ["nieuws.xml", "nieuws.atom.xml"]
    assert names("theme", theme)[2:] == [f"thema-{theme}.xml", f"thema-{theme}.atom.xml"]
    assert names("city", "gent")[2:] == ["stad-gent.xml", "stad-gent.atom.xml"]
    assert names("newsletter", "121")[2:] == ["nieuwsbrief.xml", "nieuwsbrief.atom.xml"]
    assert names("city", "nergensdorp") == ["alles.xml", "alles.atom.xml"]  # no such feed: not advertised
    links = feeds_for_page("theme", theme, catalog)
    assert links[2].title.startswith(f"Thema {repo.themes[theme].title}") and links[2].href.startswith("/feeds/")
    absolute = feeds_for_page("theme", theme, catalog, catalog.settings)
    assert absolute[2].href == f"https://kennisbank.example.org/feeds/thema-{theme}.xml"
    assert {link.type for link in links} == {"application/rss+xml", "application/atom+xml"}


def test_page_hook_without_a_catalog_gives_root_relative_links():
    links = feeds_for_page("section", "agenda")
    assert [link.href for link in links] == ["/feeds/alles.xml", "/feeds/alles.atom.xml",
                                             "/feeds/agenda.xml", "/feeds/agenda.atom.xml"]
