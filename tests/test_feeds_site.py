"""Feeds and newsletter inside a real build of the sample site: every link lands on a built page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from site_helpers import built_sample, page_file, parse

from kennisbank.feeds import MATERIAL_SITEMAP


@pytest.fixture(scope="module")
def out(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root)


def built(site: Path, url: str, settings) -> bool:
    """Does the absolute or root-relative ``url`` resolve to a file of the built site?"""
    path = url.removeprefix(settings.site_url.rstrip("/")).split("#")[0].split("?")[0]
    if not path.startswith("/"):
        return False
    if path.endswith("/"):
        return page_file(site, path).is_file()
    return (site / path.lstrip("/")).is_file()


def test_every_feed_entry_links_to_a_built_page(out, settings):
    feeds = sorted(p for p in (out / "site" / "feeds").glob("*.xml") if p.name != MATERIAL_SITEMAP)
    assert len(feeds) > 40
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, path.name
        assert built(out / "site", parsed.feed.link, settings), (path.name, parsed.feed.link)
        for entry in parsed.entries:
            assert built(out / "site", entry.link, settings), (path.name, entry.link)


def test_opml_lists_built_feeds_and_pages(out, settings):
    tree = ET.parse(out / "site" / "feeds" / "feeds.opml")
    for outline in tree.iter("outline"):
        if outline.get("xmlUrl"):
            assert built(out / "site", outline.get("xmlUrl"), settings), outline.get("xmlUrl")
            assert built(out / "site", outline.get("htmlUrl"), settings), outline.get("htmlUrl")


def test_every_newsletter_link_points_at_a_page_the_build_produced(out, settings):
    issues = sorted((out / "newsletter").iterdir())
    assert issues and issues[0].name == "121"
    for folder in issues:
        html = (folder / "issue.html").read_text(encoding="utf-8")
        links = re.findall(r'(?:href|src)="([^"]+)"', html)
        assert len(links) > 10
        for link in links:
            if link.startswith("mailto:"):
                continue
            assert link.startswith(settings.site_url), (folder.name, link)
            assert built(out / "site", link, settings), (folder.name, link)
        text = (folder / "issue.txt").read_text(encoding="utf-8")
        for link in re.findall(r"https?://\S+", text):
            assert built(out / "site", link, settings), (folder.name, link)


def test_web_versions_archive_and_follow_page_are_built_with_working_links(out, repo, settings):
    site = out / "site"
    archive = parse(page_file(site, "/nieuwsbrief/"))
    numbers = sorted(p.name for p in (out / "newsletter").iterdir())
    for number in numbers:
        assert ("a", f"/nieuwsbrief/{number}/") in archive.links
    for url in ["/nieuwsbrief/", "/volg-ons/", *[f"/nieuwsbrief/{n}/" for n in numbers]]:
        page = parse(page_file(site, url))
        for tag, link in page.links:
            if tag in ("a", "link") and link.startswith("/") and not link.startswith("//"):
                assert built(site, link, settings), (url, link)


def _alternates(site: Path, url: str) -> list[str]:
    html = page_file(site, url).read_text(encoding="utf-8")
    head = html.split("</head>", 1)[0]
    return re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" title="[^"]+" href="([^"]+)"', head)


def test_pages_advertise_their_feeds_in_the_head(out, repo, settings):
    site = out / "site"
    news = repo.of_type("news")[0]
    theme = next(iter(repo.themes))
    expectations = {
        "/": [],
        news.url: ["/feeds/nieuws.xml", "/feeds/nieuws.atom.xml"],
        "/nieuws/": ["/feeds/nieuws.xml"],
        "/kerken/": ["/feeds/kerken.xml"],
        f"/themas/{theme}/": [f"/feeds/thema-{theme}.xml"],
        "/steden/gent/": ["/feeds/stad-gent.xml"],
        "/nieuwsbrief/": ["/feeds/nieuwsbrief.xml"],
        "/nieuwsbrief/121/": ["/feeds/nieuwsbrief.atom.xml"],
    }
    for url, wanted in expectations.items():
        found = _alternates(site, url)
        assert "/feeds/alles.xml" in found and "/feeds/alles.atom.xml" in found, url
        for href in wanted:
            assert href in found, (url, href)
        for href in found:
            assert built(site, href, settings), (url, href)
