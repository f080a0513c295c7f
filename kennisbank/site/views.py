"""The pages of the site, one function per kind: items, listings, years, themes, cities, tags, home.

Every function returns :class:`StagedPage` objects with HTML built from the autoescaped
templates in ``templates/``; nothing here knows about MkDocs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TypeVar

import jinja2
from markupsafe import Markup

from kennisbank import dutch
from kennisbank.config import Settings
from kennisbank.content import CONTENT_TYPES, Item, Repository
from kennisbank.content.fields import Link
from kennisbank.content.models import Event, Fiche, HousingInstrument, News, Theme
from kennisbank.content.slugs import slugify
from kennisbank.sanitize import body_html, is_external, media_url, safe_url
from kennisbank.site import agenda, maps, rendercache
from kennisbank.site.collection_filters import CollectionValues, listing_filters
from kennisbank.site.facts import Fact, Value, facts
from kennisbank.sites import Site, all_sites, current_site
from kennisbank.staging import PageContext, StagedPage

HOME = {"title": "Home", "url": "/"}
LISTED_TYPES = ("news", "study", "event", "churches", "city-projects", "temporary-use", "housing-instruments")
NOT_STAGED = ("newsletter",)  # the newsletter stage publishes its issues' web versions
GROUP_ORDER = {name: n for n, name in enumerate((*LISTED_TYPES, "theme", "page"))}


@dataclass(frozen=True)
class Group:
    """One type's items on a theme, city or tag page; long groups link to their full listing."""

    title: str
    anchor: str
    items: list[Item]
    total: int = 0
    more: str | None = None


@dataclass(frozen=True)
class SiteLink:
    """A link to a page on another of the centre's websites."""

    title: str
    url: str  # absolute
    site: str  # the site's title


@dataclass(frozen=True)
class CrossSite:
    """What an item page shows about the other sites: the site the item belongs to (when it is
    another one) and related items that only the other sites show."""

    home: SiteLink | None
    related: tuple[SiteLink, ...] = ()


PAGER_WINDOW = 2  # page links either side of the current page


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    pages: list[tuple[int, str]]

    @property
    def previous(self) -> str | None:
        return self.pages[self.number - 2][1] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.pages[self.number][1] if self.number < self.count else None

    @property
    def links(self) -> list[tuple[int, str] | None]:
        """The page links to show: the first, the last and those within ``PAGER_WINDOW`` of the
        current page; ``None`` marks a gap. Linking every page from every page would make the
        listings of a large corpus grow quadratically (250 news pages, 250 links on each)."""
        keep = {1, self.count, *range(self.number - PAGER_WINDOW, self.number + PAGER_WINDOW + 1)}
        keep |= {n for n in range(2, self.count) if n - 1 in keep and n + 1 in keep}  # no gap of one page
        shown: list[tuple[int, str] | None] = []
        for number, url in self.pages:
            if number in keep:
                if shown and shown[-1] is not None and number - shown[-1][0] > 1:
                    shown.append(None)
                shown.append((number, url))
        return shown


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, auto_reload=False, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.globals["describe_when"] = describe_when
    env.globals["card_html"] = card_html
    env.globals["long_date"] = dutch.long_date
    env.globals["month_abbr"] = dutch.month_abbr
    return env


@cache
def _template(name: str) -> jinja2.Template:
    return templates().get_template(name)


def render(template: str, **values: object) -> str:
    return _template(template).render(**values)


T = TypeVar("T")

# Templates that show items only through card_html(): their output is a function of the cards'
# inputs and the other values, so the preview re-renders only the listings an edit touched.
CARD_ONLY_TEMPLATES = ("listing.html", "grouped.html")

def render_cards(template: str, **values: object) -> str:
    """:func:`render` for :data:`CARD_ONLY_TEMPLATES`, reusing the HTML while nothing shown changed."""
    key = (template, _frozen(values))
    listings = rendercache.active().listings
    try:
        html = listings.get(key)
    except TypeError:  # a value that cannot be a key: render without the cache
        return render(template, **values)
    if html is None:
        html = listings.put(key, render(template, **values))
    return html


_SCALARS = (str, int, bool, type(None))


def _frozen(value: object) -> object:
    """A hashable stand-in for a template value; an item stands for what its card shows."""
    if isinstance(value, str):
        return value
    if isinstance(value, Item):
        return _card_inputs(value)
    if isinstance(value, dict):
        return tuple((k, v if isinstance(v, str) else _frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if isinstance(value, tuple) and all(type(v) in _SCALARS for v in value):
            return value  # e.g. a pager's (number, url) pairs: already a fine key
        return tuple(_frozen(v) for v in value)
    if isinstance(value, (Group, Pager)):
        return (type(value).__name__, *(_frozen(getattr(value, f)) for f in value.__dataclass_fields__))
    return value


def card_html(item: Item, show_type: bool = True) -> Markup:
    """An item's card; the same item appears on many listings (and the preview re-stages after
    every save), so a card is rendered again only when something it shows changed."""
    key = (_card_inputs(item), show_type)
    cards = rendercache.active().cards
    html = cards.get(key)
    if html is None:
        html = cards.put(key, Markup(render("card.html", item=item, show_type=show_type).strip()))
    return html


def _card_inputs(item: Item) -> tuple[object, ...]:
    """Everything a card shows; an item appears on many listings, so it is worked out once per
    staging run (:meth:`~kennisbank.site.rendercache.RenderCache.start_run` starts a run)."""
    card_keys = rendercache.active().card_keys
    inputs = card_keys.get(id(item))
    if inputs is None or inputs[0] is not item:
        meta = item.meta
        event = (meta.start, meta.end, meta.location) if isinstance(meta, Event) else None
        inputs = card_keys[id(item)] = (item, (item.url, item.title, item.summary, item.type.name, item.date, event,
                                                item.scheduled))
    return inputs[1]


def describe_when(item: Item) -> dict[str, str] | None:
    """The date a card shows: an event's date range, otherwise the publication date."""
    if isinstance(item.meta, Event):
        return {"text": dutch.when(item.meta.start, item.meta.end), "iso": dutch.iso(item.meta.start)}
    if item.date is None:
        return None
    return {"text": dutch.long_date(item.date), "iso": dutch.iso(item.date)}


def event_order(items: list[Item]) -> list[Item]:
    """Events newest first by their start (not their publication date)."""
    return sorted(items, key=lambda i: (-_ordinal(i.meta_as(Event).start), i.id))


def _ordinal(value: dt.date | dt.datetime) -> int:
    return (value.date() if isinstance(value, dt.datetime) else value).toordinal()


@cache
def _cached_body(text: str, path: str) -> str:
    """Bodies are the slow part of staging; the preview server re-stages often, so keep them."""
    return body_html(text, path)


def tag_slug(tag: str) -> str:
    return slugify(tag) or "tag"


# ---------------------------------------------------------------- item pages

def item_page(item: Item, repo: Repository, settings: Settings, related: list[Item], generation: object = None,
              today: dt.date | None = None, cross: CrossSite | None = None) -> StagedPage:
    """An item's page. The preview re-stages every page after each save, so the HTML is reused
    while nothing it shows changed (``generation`` stands for the registries' labels; ``today``
    decides whether an event still invites registrations; ``cross`` links the other sites)."""
    today = today or repo.today
    upcoming = item.type.name == "event" and agenda.is_upcoming(item, today)
    inputs = (generation, upcoming, maps.tiles(settings), item.path, item.meta, item.body, item.scheduled,
              tuple(_card_inputs(r) for r in related),
              tuple((t, repo.themes[t].title, repo.themes[t].meta_as(Theme).parent) for t in item.themes if t in repo.themes),
              cross)
    html = rendercache.made_from(rendercache.active().item_pages, item.id, inputs,
                                 lambda: _item_html(item, repo, settings, related, upcoming, cross))
    return StagedPage(f"{item.type.section}/{item.slug}.md", item.title, html,
                      PageContext("item", item.id), description=item.summary)


def _item_html(item: Item, repo: Repository, settings: Settings, related: list[Item], upcoming: bool,
               cross: CrossSite | None = None) -> str:
    crumbs = [HOME, *_section_crumbs(item, repo), {"title": item.title, "url": item.url}]
    meta = item.meta
    image = getattr(meta, "image", None)
    photos = [
        {"src": p.src if is_external(p.src) else media_url(item.path, p.src), "external": is_external(p.src),
         "alt": p.alt, "credit": p.credit}
        for p in getattr(meta, "photos", ()) or ()
    ]
    image_view = None
    if image is not None:
        if is_external(image.src):
            photos.insert(0, {"src": image.src, "external": True, "alt": image.alt, "credit": image.credit})
        else:
            image_view = {"src": media_url(item.path, image.src), "alt": image.alt, "credit": image.credit}
    contacts = list(meta.contacts) if isinstance(meta, Fiche) else []
    if isinstance(meta, HousingInstrument) and meta.contact is not None:
        contacts.append(meta.contact)
    return render(
        "item.html", item=item, crumbs=crumbs, facts=_safe_facts(facts(item, repo)), image=image_view,
        body=_cached_body(item.body, item.path) if item.body.strip() else "",
        photos=[p for p in photos if not p["external"] or safe_url(p["src"])],
        contacts=contacts, links=_safe_links(getattr(meta, "links", ()) or ()),
        themes=[{"title": repo.themes[t].title, "url": repo.themes[t].url} for t in item.themes if t in repo.themes],
        cities=[{"title": repo.city(c).label, "url": f"/steden/{c}/"} for c in item.cities],
        tags=[{"title": t, "url": f"/tags/{tag_slug(t)}/"} for t in item.tags],
        related=related, event=_event_actions(item, upcoming), minimap=maps.minimap(item, settings),
        category=repo.label("news_categories", item.meta.category) if isinstance(item.meta, News) else None,
        cross=cross,
    )


def _event_actions(item: Item, upcoming: bool) -> dict[str, object] | None:
    """An event's calendar download, and its registration link while it is upcoming."""
    if item.type.name != "event":
        return None
    registration = item.meta_as(Event).registration if upcoming else None
    return {"ics": agenda.ics_href(item), "registration": str(registration) if registration else None,
            "ends": agenda.ends_at(item), "upcoming": upcoming}


def _section_crumbs(item: Item, repo: Repository) -> list[dict[str, str]]:
    if item.type.name == "page":
        return []
    if item.type.name == "theme":
        crumbs = [{"title": "Thema's", "url": "/themas/"}]
        parent = getattr(item.meta, "parent", None)
        if parent and parent in repo.themes:
            crumbs.append({"title": repo.themes[parent].title, "url": repo.themes[parent].url})
        return crumbs
    crumbs = [{"title": item.type.label_plural, "url": f"/{item.type.section}/"}]
    if item.type.is_case:
        crumbs.insert(0, {"title": "Cases", "url": "/cases/"})
    return crumbs


def _safe_links(links: Iterable[Link]) -> list[dict[str, str]]:
    return [{"title": link.title, "url": url} for link in links if (url := safe_url(link.url))]


def _safe_facts(rows: list[Fact]) -> list[Fact]:
    """Drop any link in a fact whose URL is not safe (check normally guarantees http(s))."""
    return [Fact(row.label, [v if v.href is None or safe_url(v.href) else Value(v.text) for v in row.values])
            for row in rows]


# ---------------------------------------------------------------- listings

def paginate(items: list[T], size: int, base: str) -> Iterator[tuple[list[T], Pager, str]]:
    """Pages of ``size`` items: (items, pager, docs path). Page 1 is ``base``, others ``base/pagina/N``."""
    count = max(1, math.ceil(len(items) / size))
    urls = [(n, f"/{base}/" if n == 1 else f"/{base}/pagina/{n}/") for n in range(1, count + 1)]
    for number in range(1, count + 1):
        path = f"{base}/index.md" if number == 1 else f"{base}/pagina/{number}.md"
        yield items[(number - 1) * size: number * size], Pager(number, count, urls), path


def section_listing(repo: Repository, settings: Settings, type_name: str, values: CollectionValues,
                    today: dt.date | None = None) -> list[StagedPage]:
    if type_name == "event":
        return agenda.agenda_pages(repo, settings, today or repo.today)
    ctype = next(t for t in CONTENT_TYPES if t.name == type_name)
    items = repo.of_type(type_name)
    crumbs = [HOME, *([{"title": "Cases", "url": "/cases/"}] if ctype.is_case else [])]
    years = _news_years(repo) if type_name == "news" else []
    has_map = type_name in maps.MAPPED_TYPES and bool(maps.located(items))
    filters = listing_filters(repo, values, type_name, maps.map_url(ctype.section) if has_map else "")
    return listing_pages(items, settings.page_size, ctype.section, ctype.label_plural, crumbs,
                         PageContext("section", ctype.section), years, filters)


def listing_pages(items: list[Item], size: int, base: str, title: str, crumbs: list[dict[str, str]],
                  context: PageContext, years: list[tuple[int, str]] | None = None,
                  filters: dict[str, object] | None = None) -> list[StagedPage]:
    """A paginated listing of ``items`` at ``/<base>/`` (section, news year, or a long group of
    a theme, city or tag page); ``years`` (links to the news years) show on its first page;
    ``filters`` (a case collection's, :mod:`.collection_filters`) on every page."""
    pages = []
    for chunk, pager, path in paginate(items, size, base):
        page_title = title + (f" (pagina {pager.number})" if pager.number > 1 else "")
        html = render_cards("listing.html", title=page_title,
                            crumbs=[*crumbs, {"title": page_title, "url": pager.pages[pager.number - 1][1]}],
                            intro="", items=chunk, pager=pager, total=len(items), show_type=False,
                            years=years if years and pager.number == 1 else [], filters=filters)
        pages.append(StagedPage(path, page_title, html, context))
    return pages


def _news_years(repo: Repository) -> list[tuple[int, str]]:
    years = sorted({i.year for i in repo.of_type("news") if i.year}, reverse=True)
    return [(year, f"/nieuws/{year}/") for year in years]


def news_years(repo: Repository, settings: Settings) -> list[StagedPage]:
    by_year: dict[int, list[Item]] = defaultdict(list)
    for item in repo.of_type("news"):
        if item.year is not None:
            by_year[item.year].append(item)
    years = _news_years(repo)
    crumbs = [HOME, {"title": "Nieuws", "url": "/nieuws/"}]
    pages = []
    for year in sorted(by_year, reverse=True):
        pages.extend(listing_pages(by_year[year], settings.page_size, f"nieuws/{year}", f"Nieuws uit {year}", crumbs,
                                   PageContext("year", f"nieuws/{year}"), years))
    return pages


def grouped(items: list[Item]) -> list[Group]:
    """Items grouped by type in a fixed order; events by start, everything else newest first."""
    by_type: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.type.name not in NOT_STAGED:
            by_type[item.type.name].append(item)
    groups = []
    for name in sorted(by_type, key=lambda n: GROUP_ORDER.get(n, 99)):
        members = by_type[name]
        members = event_order(members) if name == "event" else sorted(members, key=lambda i: i.sort_key)
        groups.append(Group(members[0].type.label_plural, f"kb-{members[0].type.section}", members, len(members)))
    return groups


def subject_groups(items: list[Item], base: str, subject: str, crumbs: list[dict[str, str]], context: PageContext,
                   size: int) -> tuple[list[Group], list[StagedPage]]:
    """Groups for a theme, city or tag page, each cut to ``size`` items; a longer group gets its
    own paginated listing at ``/<base>/<section>/``. Keeps those pages small, so a large corpus
    neither bloats them nor makes re-rendering one of them slow."""
    groups, pages = [], []
    for group in grouped(items):
        if group.total <= size:
            groups.append(group)
            continue
        section = group.anchor.removeprefix("kb-")
        groups.append(Group(group.title, group.anchor, group.items[:size], group.total, f"/{base}/{section}/"))
        pages.extend(listing_pages(group.items, size, f"{base}/{section}", f"{group.title}: {subject}", crumbs, context))
    return groups, pages


# ---------------------------------------------------------------- themes, cities, tags

def theme_pages(repo: Repository, size: int) -> list[StagedPage]:
    tagged: dict[str, list[Item]] = defaultdict(list)
    for item in repo.published:
        for slug in item.themes:
            tagged[slug].append(item)
    children: dict[str, list[Item]] = defaultdict(list)
    for theme in repo.themes.values():
        parent = theme.meta_as(Theme).parent
        if parent:
            children[parent].append(theme)
    pages = []
    for slug, theme in repo.themes.items():
        crumbs = [HOME, *_section_crumbs(theme, repo), {"title": theme.title, "url": theme.url}]
        groups, more = subject_groups(tagged[slug], f"themas/{slug}", theme.title, crumbs, PageContext("theme", slug), size)
        pages.extend(more)
        period = getattr(theme.meta, "period", None)
        html = render_cards("grouped.html", title=theme.title, crumbs=crumbs, summary=theme.summary,
                      facts=[("Periode", period)] if period else [],
                      body=_cached_body(theme.body, theme.path) if theme.body.strip() else "",
                      children=[{"title": c.title, "url": c.url} for c in children[slug]], groups=groups)
        pages.append(StagedPage(f"themas/{slug}.md", theme.title, html, PageContext("theme", slug),
                                description=theme.summary))
    top = [t for t in repo.themes.values() if t.meta_as(Theme).parent not in repo.themes]
    entries = [{"title": t.title, "url": t.url, "summary": t.summary, "count": len(tagged[t.slug]),
                "children": [{"title": c.title, "url": c.url, "count": len(tagged[c.slug])} for c in children[t.slug]]}
               for t in top]
    html = render("overview.html", title="Thema's", crumbs=[HOME, {"title": "Thema's", "url": "/themas/"}],
                  intro="De programma's en thema's waarrond het Kenniscentrum werkt.",
                  sections=[{"title": "", "anchor": "", "entries": entries}])
    pages.append(StagedPage("themas/index.md", "Thema's", html, PageContext("index", "themas")))
    return pages


def city_pages(repo: Repository, size: int) -> list[StagedPage]:
    about: dict[str, list[Item]] = defaultdict(list)
    for item in repo.published:
        for slug in item.cities:
            about[slug].append(item)
    cities = repo.registries.cities
    shown = sorted((s for s in cities if about[s] or cities[s].centre_city), key=lambda s: (cities[s].label.lower(), s))
    pages = []
    for slug in shown:
        city = cities[slug]
        facts = [("Provincie", city.province)] if city.province else []
        facts.append(("Land", repo.label("countries", city.country)))
        crumbs = [HOME, {"title": "Steden", "url": "/steden/"}, {"title": city.label, "url": f"/steden/{slug}/"}]
        title = city.name if city.short is None else f"{city.name} ({city.short})"
        groups, more = subject_groups(about[slug], f"steden/{slug}", city.label, crumbs, PageContext("city", slug), size)
        pages.extend(more)
        html = render_cards("grouped.html", title=title, crumbs=crumbs, summary="", facts=facts, body="",
                      children=[], groups=groups)
        pages.append(StagedPage(f"steden/{slug}.md", title, html, PageContext("city", slug),
                                description=f"Nieuws, studies, activiteiten en cases over {city.label}."))
    sections = []
    for centre, heading in ((True, "Centrumsteden en de VGC"), (False, "Andere steden en gemeenten")):
        entries = [{"title": cities[s].label, "url": f"/steden/{s}/", "summary": "", "count": len(about[s]), "children": []}
                   for s in shown if cities[s].centre_city is centre]
        if entries:
            sections.append({"title": heading, "anchor": "kb-centrumsteden" if centre else "kb-andere", "entries": entries})
    html = render("overview.html", title="Steden", crumbs=[HOME, {"title": "Steden", "url": "/steden/"}],
                  intro="Alles over een stad: nieuws, studies, activiteiten en cases.", sections=sections)
    pages.append(StagedPage("steden/index.md", "Steden", html, PageContext("index", "steden")))
    return pages


def tag_pages(repo: Repository, size: int) -> list[StagedPage]:
    tagged: dict[str, list[Item]] = defaultdict(list)
    labels: dict[str, str] = {}
    for item in sorted(repo.published, key=lambda i: i.id):
        for tag in item.tags:
            slug = tag_slug(tag)
            if not tagged[slug] or tagged[slug][-1] is not item:  # "LIFE" and "life" share a slug
                tagged[slug].append(item)
            labels.setdefault(slug, tag)
    pages = []
    for slug in sorted(tagged):
        title = f"Tag: {labels[slug]}"
        crumbs = [HOME, {"title": "Tags", "url": "/tags/"}, {"title": labels[slug], "url": f"/tags/{slug}/"}]
        groups, more = subject_groups(tagged[slug], f"tags/{slug}", labels[slug], crumbs, PageContext("tag", slug), size)
        pages.extend(more)
        html = render_cards("grouped.html", title=title, crumbs=crumbs, summary="", facts=[], body="", children=[],
                      groups=groups)
        pages.append(StagedPage(f"tags/{slug}.md", title, html, PageContext("tag", slug)))
    entries = [{"title": labels[s], "url": f"/tags/{s}/", "summary": "", "count": len(tagged[s]), "children": []}
               for s in sorted(tagged, key=lambda s: (labels[s].lower(), s))]
    letters: dict[str, list[dict[str, object]]] = defaultdict(list)
    for entry in entries:
        initial = slugify(str(entry["title"]))[:1].upper()
        letters[initial if initial.isalpha() else "#"].append(entry)
    html = render("tagindex.html", title="Tags", crumbs=[HOME, {"title": "Tags", "url": "/tags/"}],
                  total=len(entries), letters=sorted(letters.items()))
    pages.append(StagedPage("tags/index.md", "Tags", html, PageContext("index", "tags")))
    return pages


def cases_page(repo: Repository, site: Site | None = None) -> StagedPage:
    entries = [{"title": c["title"], "url": c["url"], "summary": "", "count": c["count"],
                "children": [{"title": "Op de kaart", "url": c["map"], "count": None}] if c["map"] else []}
               for c in collection_entries(repo, site)]
    html = render("overview.html", title="Cases", crumbs=[HOME, {"title": "Cases", "url": "/cases/"}],
                  intro="Praktijkvoorbeelden uit de steden, per collectie.",
                  sections=[{"title": "", "anchor": "", "entries": entries}])
    return StagedPage("cases/index.md", "Cases", html, PageContext("index", "cases"))


# ---------------------------------------------------------------- home

def home_page(repo: Repository, settings: Settings, latest: int = 4, today: dt.date | None = None) -> StagedPage:
    """The portal: what the centre is with the search box, the programmes, the case collections,
    the latest news, the study of the week, upcoming events and how to stay informed. A thematic
    site gets its own home (:func:`site_home_page`)."""
    site = current_site(settings)
    if not site.default:
        return site_home_page(repo, settings, site)
    upcoming, _ = agenda.split_events(repo.of_type("event"), today or repo.today)
    studies = repo.of_type("study")
    html = render(
        "home.html", heading=settings.home_heading, intro=settings.home_intro or settings.description,
        themes=_home_themes(repo), collections=collection_entries(repo),
        news=repo.of_type("news")[:latest], study=studies[0] if studies else None,
        events=upcoming[:latest], ends_at=agenda.ends_at,
    )
    return StagedPage("index.md", settings.site_name, html, PageContext("home"), description=settings.description,
                      hide=("navigation", "toc"))


SITE_HOME_LATEST = 6


def site_home_page(repo: Repository, settings: Settings, site: Site) -> StagedPage:
    """A thematic site's home, built from the portal's parts: its own statement with a search box
    scoped to the site, its collections (picture, count, map), its newest fiches, the themes they
    are about, and the way back to the portal and to the other sites."""
    sites = all_sites(settings)
    shown = sorted((i for i in repo.published if site.shows_type(i.type.name) and i.type.name not in ("theme", "page")),
                   key=lambda i: i.sort_key)
    html = render(
        "site-home.html", heading=site.title, intro=" ".join(site.intro.split()), items=shown[:SITE_HOME_LATEST],
        collections=collection_entries(repo, site), themes=_home_themes(repo),
        portal={"title": sites.portal.title, "url": sites.portal.url,
                "newsletter": sites.portal.absolute("/nieuwsbrief/"), "agenda": sites.portal.absolute("/agenda/")},
        others=[{"title": s.title, "url": s.url} for s in sites.all[1:] if s is not site],
    )
    return StagedPage("index.md", site.title, html, PageContext("home"), description=" ".join(site.intro.split())[:300],
                      hide=("navigation", "toc"))


def _home_themes(repo: Repository) -> list[dict[str, object]]:
    """The top-level programmes, in the editors' order, with how many items each has."""
    counts: dict[str, int] = defaultdict(int)
    for item in repo.published:
        for slug in item.themes:
            counts[slug] += 1
    children: dict[str, list[str]] = defaultdict(list)
    for theme in repo.themes.values():
        parent = getattr(theme.meta, "parent", None)
        if parent in repo.themes:
            children[parent].append(theme.slug)
    top = [t for t in repo.themes.values() if getattr(t.meta, "parent", None) not in repo.themes]
    top.sort(key=lambda t: (getattr(t.meta, "order", 100), t.title.lower()))
    return [{"title": t.title, "url": t.url, "summary": t.summary,
             "count": counts[t.slug] + sum(counts[c] for c in children[t.slug])} for t in top]


def collection_entries(repo: Repository, site: Site | None = None) -> list[dict[str, object]]:
    """The case collections (those ``site`` shows) with their counts, a picture from one of their
    fiches, their map."""
    entries = []
    for ctype in (t for t in CONTENT_TYPES if t.is_case and (site is None or site.shows_type(t.name))):
        fiches = repo.of_type(ctype.name)
        entries.append({"title": ctype.label_plural, "url": f"/{ctype.section}/", "count": len(fiches),
                        "picture": _first_picture(fiches), "map": maps.map_url(ctype.section)
                        if maps.located(fiches) else None})
    return entries


def _first_picture(items: list[Item]) -> dict[str, str] | None:
    for item in sorted(items, key=lambda i: i.id):
        for photo in getattr(item.meta, "photos", ()) or ():
            if not is_external(photo.src):
                return {"src": media_url(item.path, photo.src), "alt": ""}
    return None
