"""Every feed of the sample site, read back by a real feed parser (feedparser 6)."""

from __future__ import annotations

import calendar
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from kennisbank.config import load_settings
from kennisbank.context import BuildContext
from kennisbank.feeds import MATERIAL_SITEMAP, FeedCatalog, stage_feeds
from kennisbank.newsletter import published_issues


@pytest.fixture(scope="module")
def staged(repo, settings, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("feeds")
    stage_feeds(BuildContext(repo, settings, tmp))
    return tmp / "docs"


def _feed_files(docs: Path) -> list[Path]:
    return sorted(p for p in (docs / "feeds").iterdir() if p.name.endswith(".xml") and p.name != MATERIAL_SITEMAP)


def _parse(path: Path):
    return feedparser.parse(path.read_bytes())


def test_every_type_theme_and_centre_city_has_rss_and_atom(staged, repo):
    names = {p.name for p in _feed_files(staged)}
    expected = ["alles", "nieuws", "studies", "agenda", "kerken", "stadsprojecten", "tijdelijk-gebruik",
                "woonbeleid", "nieuwsbrief"]
    expected += [f"thema-{slug}" for slug in repo.themes]
    expected += [f"stad-{slug}" for slug, city in repo.registries.cities.items() if city.centre_city]
    for name in expected:
        assert f"{name}.xml" in names and f"{name}.atom.xml" in names, name


def test_every_feed_parses_cleanly_with_required_fields(staged, settings):
    files = _feed_files(staged)
    assert len(files) > 40
    for path in files:
        parsed = _parse(path)
        assert parsed.bozo == 0, (path.name, parsed.get("bozo_exception"))
        assert parsed.version == ("atom10" if path.name.endswith(".atom.xml") else "rss20"), path.name
        assert parsed.feed.language == "nl", path.name
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [settings.absolute(f"/feeds/{path.name}")], path.name
        assert parsed.feed.link.startswith(settings.site_url), path.name  # the alternate (HTML) page
        ids = [entry.id for entry in parsed.entries]
        assert len(ids) == len(set(ids)), path.name
        for entry in parsed.entries:
            assert entry.title and entry.id.startswith("tag:kennisbank.example.org,2020:"), path.name
            assert entry.link.startswith(settings.site_url), (path.name, entry.link)
            assert entry.published_parsed is not None, (path.name, entry.title)


def test_entries_link_to_pages_the_site_builds_newest_first(staged, repo, settings):
    pages = {item.url for item in repo.published} | {issue.url for issue in published_issues(repo, settings)}
    for path in _feed_files(staged):
        parsed = _parse(path)
        times = [calendar.timegm(entry.published_parsed) for entry in parsed.entries]
        assert times == sorted(times, reverse=True), path.name
        for entry in parsed.entries:
            assert "/" + entry.link.removeprefix(settings.site_url) in pages, (path.name, entry.link)


def test_last_build_date_is_the_newest_entry_and_output_is_reproducible(staged, repo, settings, tmp_path):
    parsed = _parse(staged / "feeds" / "nieuws.xml")
    newest = max(item.date for item in repo.of_type("news"))
    assert parsed.feed.updated_parsed[:3] == newest.timetuple()[:3]
    stage_feeds(BuildContext(repo, settings, tmp_path))
    for path in [*_feed_files(staged), staged / "feeds" / "feeds.opml", staged / "volg-ons" / "index.md"]:
        again = tmp_path / "docs" / path.relative_to(staged)
        assert again.read_bytes() == path.read_bytes(), path.name


def test_everything_feed_is_capped_at_feed_limit_and_excludes_themes_and_pages(staged, repo, settings):
    parsed = _parse(staged / "feeds" / "alles.xml")
    dated = [i for i in repo.published if i.date and i.type.name not in ("theme", "page", "newsletter")]
    assert len(parsed.entries) == min(settings.feed_limit, len(dated))
    assert not any("/themas/" in e.link or "/paginas/" in e.link for e in parsed.entries)


def test_small_feed_limit_caps_every_feed_to_the_newest_entries(repo, settings):
    small = settings.model_copy(update={"feed_limit": 3})
    catalog = FeedCatalog(repo, small)
    news = sorted(repo.of_type("news"), key=lambda i: i.sort_key)
    assert [e.key for e in catalog.feeds["nieuws"].entries] == [i.id for i in news[:3]]
    assert max(len(feed.entries) for feed in catalog.feeds.values()) == 3


def test_themes_are_categories_and_theme_feeds_include_sub_programmes(staged, repo):
    child = next(t for t in repo.themes.values() if getattr(t.meta, "parent", None)
                 and any(t.slug in i.themes for i in repo.published))
    parent = repo.themes[child.meta.parent]
    tagged = next(i for i in repo.published if child.slug in i.themes and i.date)
    parent_feed = _parse(staged / "feeds" / f"thema-{parent.slug}.xml")
    entry = next(e for e in parent_feed.entries if e.link.endswith(tagged.url))
    assert child.title in {tag.term for tag in entry.tags}


def test_draft_items_are_in_no_feed(tmp_path, sample_root):
    from feeds_helpers import replace_in
    from site_helpers import copy_repository

    from kennisbank.content import load_repository

    root = copy_repository(sample_root, tmp_path / "repo")
    news = sorted((root / "content" / "nieuws").rglob("*.md"))[0]
    replace_in(news, "\ntitle:", "\ndraft: true\ntitle:")
    repo = load_repository(root)
    catalog = FeedCatalog(repo, load_settings(root))
    key = f"nieuws/{news.stem}"
    assert all(key not in {e.key for e in feed.entries} for feed in catalog.feeds.values())


def test_opml_lists_every_feed_once_with_absolute_urls(staged, settings):
    tree = ET.parse(staged / "feeds" / "feeds.opml")
    urls = [o.get("xmlUrl") for o in tree.iter("outline") if o.get("xmlUrl")]
    rss = [settings.absolute(f"/feeds/{p.name}") for p in _feed_files(staged) if not p.name.endswith(".atom.xml")]
    assert sorted(urls) == sorted(rss)
    assert all(o.get("htmlUrl", "").startswith(settings.site_url) for o in tree.iter("outline") if o.get("xmlUrl"))


def test_follow_page_links_every_feed(staged):
    page = (staged / "volg-ons" / "index.md").read_text(encoding="utf-8")
    assert page.startswith("---\n") and "title: Volg ons" in page
    for path in _feed_files(staged):
        empty = "<item>" not in (text := path.read_text(encoding="utf-8")) and "<entry>" not in text
        if empty and path.name.startswith(("thema-", "stad-")):  # written, so its URL works, but not advertised
            assert f'href="/feeds/{path.name}"' not in page, path.name
        else:
            assert f'href="/feeds/{path.name}"' in page, path.name
    assert 'href="/feeds/feeds.opml"' in page
