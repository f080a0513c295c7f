"""Which feeds exist and what each one holds: the one place feed names and contents are decided.

Feeds: everything (``alles``), each dated content type and case collection (named by its
section, e.g. ``nieuws``, ``kerken``), each theme (``thema-<slug>``, including its
sub-programmes), each city (``stad-<slug>``), and the newsletter archive (``nieuwsbrief``).
Every theme, type, centre city and mentioned city has its feed even while it is empty (a valid feed without entries):
feed names then follow from page names alone, so a page can advertise its feed without asking
whether anything is in it yet, and a subscriber to a quiet city keeps a working URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from kennisbank.config import Settings
from kennisbank.content import CONTENT_TYPES, Item, Repository
from kennisbank.content.issues import Issue, published_issues
from kennisbank.sites import current_site

ALL = "alles"
NEWSLETTER = "nieuwsbrief"
# Types that are not a stream of dated publications: they get no feed of their own.
_UNFED_TYPES = frozenset({"theme", "page", "newsletter"})
FED_TYPES = tuple(ctype for ctype in CONTENT_TYPES if ctype.name not in _UNFED_TYPES)


def theme_feed_name(slug: str) -> str:
    return f"thema-{slug}"


def city_feed_name(slug: str) -> str:
    return f"stad-{slug}"


def rss_href(name: str) -> str:
    """Site-relative URL of feed ``name`` as RSS; the one place feed URLs are decided."""
    return f"/feeds/{name}.xml"


def atom_href(name: str) -> str:
    """Site-relative URL of feed ``name`` as Atom, beside its RSS twin."""
    return f"/feeds/{name}.atom.xml"


@dataclass(frozen=True)
class FeedEntry:
    """One feed entry. ``key`` is an item or issue id: the entry's permanent identity."""

    key: str
    title: str
    url: str  # site-relative
    summary: str
    published: dt.date
    categories: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[int, str]:
        return (-self.published.toordinal(), self.key)


@dataclass(frozen=True)
class Feed:
    """A named feed: where it lives, what page it mirrors, which group it belongs to in OPML."""

    name: str
    label: str  # e.g. "Nieuws", "Thema Europa", "Gent"
    title: str  # the label plus the site name, as feed readers show it
    description: str
    page_url: str  # site-relative URL of the HTML page this feed follows
    group: str  # heading in the OPML file and on the "Volg ons" page
    entries: tuple[FeedEntry, ...]

    @property
    def rss_url(self) -> str:
        return rss_href(self.name)

    @property
    def atom_url(self) -> str:
        return atom_href(self.name)

    fallback_updated: dt.date = dt.date(2020, 1, 1)

    @property
    def updated(self) -> dt.date:
        """The newest entry's date (an empty feed: the site's newest), never 'now'."""
        return self.entries[0].published if self.entries else self.fallback_updated


def fed_items(repo: Repository) -> list[Item]:
    """Published, dated items of the types that have feeds, newest first."""
    return [item for item in repo.published if item.date is not None and item.type.name not in _UNFED_TYPES]


def _item_entry(repo: Repository, item: Item) -> FeedEntry:
    labels = tuple(repo.themes[slug].title for slug in item.themes if slug in repo.themes)
    return FeedEntry(key=item.id, title=item.title, url=item.url, summary=item.summary,
                     published=item.date, categories=labels)


def _issue_entry(issue: Issue) -> FeedEntry:
    return FeedEntry(key=issue.id, title=issue.title, url=issue.url, summary=issue.summary, published=issue.date)


class FeedCatalog:
    """Every feed of the site, computed once from the repository."""

    def __init__(self, repo: Repository, settings: Settings):
        self.repo = repo
        self.settings = settings

    def _feed(self, name: str, title: str, description: str, page_url: str, group: str,
              entries: list[FeedEntry]) -> Feed:
        capped = tuple(sorted(entries, key=lambda e: e.sort_key)[: self.settings.feed_limit])
        return Feed(name, title, f"{title} – {self.settings.site_name}", description, page_url, group, capped,
                    self._newest)

    @cached_property
    def feeds(self) -> dict[str, Feed]:
        """Feeds by name, in the order the OPML file and the "Volg ons" page list them."""
        repo = self.repo
        items = fed_items(repo)
        entries = {item.id: _item_entry(repo, item) for item in items}
        self._newest = min(entries.values(), key=lambda e: e.sort_key).published \
            if entries else Feed.fallback_updated
        candidates: list[Feed] = [
            self._feed(ALL, "Alles", "Alle nieuwe berichten, studies, activiteiten en cases.", "/", "Alles",
                       list(entries.values())),
        ]
        site = current_site(self.settings)
        for ctype in FED_TYPES:
            if not site.shows_type(ctype.name):
                continue
            group = "Cases" if ctype.is_case else "Rubrieken"
            candidates.append(self._feed(
                ctype.section, ctype.label_plural, f"Nieuw in de rubriek {ctype.label_plural}.",
                f"/{ctype.section}/", group, [entries[i.id] for i in items if i.type is ctype]))
        children = self._theme_descendants()
        for slug, theme in repo.themes.items():
            family = children[slug]
            candidates.append(self._feed(
                theme_feed_name(slug), f"Thema {theme.title}", f"Nieuw over het thema {theme.title}.",
                theme.url, "Thema's", [entries[i.id] for i in items if family.intersection(i.themes)]))
        mentioned = {slug for item in items for slug in item.cities}
        for slug, city in sorted(repo.registries.cities.items(), key=lambda kv: (kv[1].label.lower(), kv[0])):
            if not (city.centre_city or slug in mentioned):
                continue  # like the site: only centre cities and cities with items have a page
            candidates.append(self._feed(
                city_feed_name(slug), city.label, f"Nieuw over {city.label}.", f"/steden/{slug}/", "Steden",
                [entries[i.id] for i in items if slug in i.cities]))
        if not site.shows_type("newsletter"):
            return {feed.name: feed for feed in candidates}
        issues = published_issues(repo, self.settings)
        candidates.append(self._feed(
            NEWSLETTER, "Nieuwsbrief", "Elke maand de nieuwsbrief van het Kenniscentrum.", "/nieuwsbrief/",
            "Nieuwsbrief", [_issue_entry(issue) for issue in issues]))
        return {feed.name: feed for feed in candidates}

    def _theme_descendants(self) -> dict[str, set[str]]:
        """Each theme's slug plus the slugs of its sub-programmes (any depth)."""
        parents = {slug: getattr(t.meta, "parent", None) for slug, t in self.repo.themes.items()}
        family: dict[str, set[str]] = {slug: {slug} for slug in parents}
        for slug in parents:
            seen, parent = {slug}, parents[slug]
            while parent and parent in family and parent not in seen:
                family[parent].add(slug)
                seen.add(parent)
                parent = parents.get(parent)
        return family
