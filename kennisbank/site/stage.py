"""The site's build stage: every page as a Markdown file, the pictures, the stylesheet.

Words: a *stage* is one step of ``kennisbank build`` (:data:`kennisbank.build.STAGES`); a
*staged page* (:class:`~kennisbank.staging.StagedPage`) is a page handed to the MkDocs render.
:func:`site_pages` is pure (repository in, :class:`SitePages` out), so the preview server can
build the pages again after an edit and compare; :func:`stage_site` is the build stage that writes
them under ``<tmp>/docs``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kennisbank.clock import build_now
from kennisbank.config import Settings
from kennisbank.content import Item, Repository
from kennisbank.content.images import publishable_picture
from kennisbank.errors import KennisbankError
from kennisbank.sanitize import is_external, media_url
from kennisbank.site import agenda, maps, rendercache, views
from kennisbank.site.collection_filters import CollectionValues, collection_values, index_files
from kennisbank.site.feed_links import attach_feeds, feed_hooks
from kennisbank.site.related import related_items
from kennisbank.site.render import LOGO, NOT_CANONICAL
from kennisbank.site.rendercache import RenderCache
from kennisbank.site.searchpage import search_page
from kennisbank.sites import all_sites, current_site, whole_repository
from kennisbank.staging import DOCS, StagedPage

if TYPE_CHECKING:
    from kennisbank.context import BuildContext
    from kennisbank.feeds.catalog import FeedCatalog

ASSETS = Path(__file__).parent / "assets"
_BODY_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)


@dataclass
class SitePages:
    """Pages by docs path, plus static files to copy (docs path → source file) and generated
    files to write (docs path → bytes: the agenda's calendar files)."""

    pages: dict[str, StagedPage] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)

    def add(self, page: StagedPage) -> None:
        if page.path in self.pages:
            raise KennisbankError(f"two pages want the URL {page.url}: "
                                  f"{self.pages[page.path].title!r} and {page.title!r}; rename one of the files")
        self.pages[page.path] = page


def site_pages(repo: Repository, settings: Settings, catalog: FeedCatalog | None = None,
               cache: RenderCache | None = None) -> SitePages:
    """Every page of the site, with feeds attached; raises when two pages share a URL.

    ``cache`` carries rendered HTML from one run to the next (the preview's); a build passes none."""
    cache = cache or RenderCache()
    cache.start_run({item.id for item in repo.published})
    with rendercache.using(cache):
        return _site_pages(repo, settings, catalog)


def _site_pages(repo: Repository, settings: Settings, catalog: FeedCatalog | None) -> SitePages:
    site = SitePages()
    generation = repr((sorted(repo.registries.vocabularies.items()), sorted(repo.registries.cities.items())))
    related = related_items(_with_item_page(repo))
    elsewhere = cross_site_links(repo, settings)
    today = repo.today
    values = collection_values(repo)  # the listings' filter forms, fiches.json and the maps share them
    for page in _generated(repo, settings, today, values):
        site.add(page)
    for item in _with_item_page(repo):
        site.add(views.item_page(item, repo, settings, related.get(item.id, []), generation, today,
                                 elsewhere.get(item.id)))
    attach_canonicals(site.pages.values(), repo, settings)
    attach_feeds(site.pages.values(), feed_hooks(repo, settings, catalog))
    calendars = agenda.calendar_files(repo, settings, today, build_now()) \
        if current_site(settings).shows_type("event") else {}
    site.blobs = {**calendars, **index_files(repo, values)}
    site.files = media_files(repo)
    for asset in sorted(ASSETS.rglob("*")):
        if asset.is_file():
            site.files[f"assets/{asset.relative_to(ASSETS).as_posix()}"] = asset
    logo = current_site(settings).logo
    if logo is not None:
        site.files[LOGO + logo.suffix] = logo
    return site


def _with_item_page(repo: Repository) -> list[Item]:
    """The items that get a page of their own (themes get a richer page: views.theme_pages)."""
    return [i for i in repo.published if i.type.name not in views.NOT_STAGED and i.type.name != "theme"]


def cross_site_links(repo: Repository, settings: Settings) -> dict[str, views.CrossSite]:
    """For each item: the site it belongs to when that is another one, and related items that
    this site does not show, linked on the site they belong to."""
    sites, site = all_sites(settings), current_site(settings)
    if len(sites.all) == 1:
        return {}
    whole = whole_repository(repo)
    related = related_items(_with_item_page(whole)) if whole is not repo else {}
    links = {}
    for item in _with_item_page(repo):
        home = sites.home(item)
        others = tuple(views.SiteLink(other.title, sites.canonical(other), sites.home(other).title)
                       for other in related.get(item.id, []) if not site.shows(other))
        if home is not site or others:
            at_home = views.SiteLink(item.title, home.absolute(item.url), home.title) if home is not site else None
            links[item.id] = views.CrossSite(at_home, others)
    return links


def attach_canonicals(pages: Iterable[StagedPage], repo: Repository, settings: Settings) -> None:
    """An item page whose item belongs to another site names that site's copy as canonical."""
    sites, site = all_sites(settings), current_site(settings)
    for page in pages:
        if page.context.kind == "item" and page.context.key in repo.by_id:
            home = sites.home(repo.by_id[page.context.key])
            if home is not site:
                page.canonical = home.absolute(page.url)


def _generated(repo: Repository, settings: Settings, today: dt.date, values: CollectionValues) -> Iterator[StagedPage]:
    site = current_site(settings)
    yield views.home_page(repo, settings, today=today)
    for type_name in views.LISTED_TYPES:
        if site.shows_type(type_name):
            yield from views.section_listing(repo, settings, type_name, values, today)
    yield from maps.map_pages(repo, settings, values)
    yield from views.news_years(repo, settings)
    yield from views.theme_pages(repo, settings.page_size)
    yield from views.city_pages(repo, settings.page_size)
    yield from views.tag_pages(repo, settings.page_size)
    yield views.cases_page(repo, site)
    yield search_page(settings)


def media_files(repo: Repository) -> dict[str, Path]:
    """Pictures the pages use (photos, news images, images in bodies), by their /media/ path."""
    found: dict[str, Path] = {}
    for item in repo.published:
        sources = [p.src for p in getattr(item.meta, "photos", ()) or ()]
        image = getattr(item.meta, "image", None)
        if image is not None:
            sources.append(image.src)
        if "![" in item.body or "<img" in item.body.lower():
            sources.extend(a or b for a, b in _BODY_IMAGE.findall(item.body))
        for src in sources:
            if not is_external(src) and (source := publishable_picture(repo.root, item.path, src)) is not None:
                found[media_url(item.path, src).lstrip("/")] = source
    return found


def page_texts(site: SitePages, cache: RenderCache) -> dict[str, str]:
    """Every page's Markdown by docs path. The preview compares them after each save; most pages
    are unchanged objects from the view caches, so their text is reused instead of rebuilt."""
    texts = {}
    for path, page in site.pages.items():
        key = (page.title, page.html, page.context, page.description, page.hide, page.canonical,
               tuple(tuple(feed.items()) for feed in page.feeds))
        texts[path] = rendercache.made_from(cache.texts, path, key, page.markdown)
    cache.texts.keep_only(set(texts))
    return texts


def stage_site(context: BuildContext) -> SitePages:
    """Write every page and file of the site under ``<tmp>/docs`` (the build's first stage)."""
    site = site_pages(context.repo, context.settings, context.feeds)
    for page in site.pages.values():
        context.files.page(page)
    for relative, source in site.files.items():
        context.files.copy(f"{DOCS}/{relative}", source)
    for relative, data in site.blobs.items():
        context.files.write_bytes(f"{DOCS}/{relative}", data)
    elsewhere = sorted(page.url for page in site.pages.values() if page.canonical)
    if elsewhere:  # render_site leaves them out of the sitemap: it lists canonical URLs only
        context.files.write_text(NOT_CANONICAL, "".join(f"{url}\n" for url in elsewhere))
    return site
