"""The "Volg ons" page: every feed, grouped, with its RSS and Atom address and the OPML list."""

from __future__ import annotations

from pathlib import Path

import jinja2

from kennisbank.feeds.catalog import Feed, FeedCatalog
from kennisbank.feeds.links import feeds_for_page
from kennisbank.feeds.opml import OPML_PATH
from kennisbank.sites import all_sites, current_site
from kennisbank.staging import PageContext, StagedPage
from kennisbank.subscribers.form import subscribe_form

PAGE_PATH = "volg-ons/index.md"
QUIET_WHEN_EMPTY = ("Thema's", "Steden")  # an empty theme or city feed exists (its URL works) but is not advertised
_GROUP_ANCHORS = {"Alles": "alles", "Rubrieken": "rubrieken", "Cases": "cases", "Thema's": "themas",
                  "Steden": "steden", "Nieuwsbrief": "nieuwsbrief"}

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def follow_page(catalog: FeedCatalog) -> StagedPage:
    groups: dict[str, list[dict[str, object]]] = {}
    for feed in catalog.feeds.values():
        if feed.entries or feed.group not in QUIET_WHEN_EMPTY:
            groups.setdefault(feed.group, []).append(_row(feed))
    html = _env.get_template("volg-ons.html").render(
        site_name=catalog.settings.site_name, newsletter_url=_newsletter_url(catalog), limit=catalog.settings.feed_limit,
        opml_url=OPML_PATH, subscribe_form=subscribe_form(catalog.settings, "volg-ons", level=3),
        groups=[({"title": name, "anchor": _GROUP_ANCHORS.get(name, "feeds")}, rows) for name, rows in groups.items()])
    return StagedPage(path=PAGE_PATH, title="Volg ons", html=html, context=PageContext("index", "volg-ons"),
                      description="Volg het Kenniscentrum met RSS- of Atom-feeds of met de maandelijkse nieuwsbrief.",
                      feeds=[vars(link) for link in feeds_for_page("index", "volg-ons", catalog)])


def _row(feed: Feed) -> dict[str, object]:
    return {"label": feed.label, "page_url": feed.page_url, "rss_url": feed.rss_url, "atom_url": feed.atom_url,
            "count": len(feed.entries)}


def _newsletter_url(catalog: FeedCatalog) -> str:
    """The newsletter archive: on this site, or on the portal for a site without one."""
    if current_site(catalog.settings).shows_type("newsletter"):
        return "/nieuwsbrief/"
    return all_sites(catalog.settings).portal.absolute("/nieuwsbrief/")
