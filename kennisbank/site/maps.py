"""Maps of the cases: a map page per collection whose fiches have coordinates
(``/<collection>/kaart/``) and a small map on every such fiche.

The pages carry everything as HTML: the list of fiches (for keyboard and screen-reader users,
and the data the map script reads: coordinates and filter values as ``data-`` attributes), the
filters, the tile server and its attribution (``extra.kennisbank.map_tiles`` and
``map_attribution``). ``assets/kaart.js`` draws the map with Leaflet and
leaflet.markercluster, served from the site's own files (``assets/leaflet/``, copied from npm by
``scripts/vendor_leaflet.py``). Without tiles the markers, clusters and popups still work; without
the script the list is the map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kennisbank import dutch
from kennisbank.config import Settings
from kennisbank.content import CONTENT_TYPES, Item, Repository
from kennisbank.content.fields import Coordinates
from kennisbank.content.models import Church, CityProject, TemporaryUse
from kennisbank.staging import PageContext, StagedPage

MAPPED_TYPES = ("churches", "city-projects", "temporary-use")  # collections whose fiches may have coordinates


@dataclass(frozen=True)
class Filter:
    """One filter of a collection map: its URL parameter, label, and the values of a fiche."""

    name: str
    label: str
    values: Callable[[Item, Repository], list[tuple[str, str]]]  # (key, label) pairs


def _vocab(field: str, vocabulary: str) -> Callable[[Item, Repository], list[tuple[str, str]]]:
    def values(item: Item, repo: Repository) -> list[tuple[str, str]]:
        raw = getattr(item.meta, field, None)
        keys = raw if isinstance(raw, list) else [raw] if raw else []
        return [(k, repo.label(vocabulary, k)) for k in keys]
    return values


def _text(field: str) -> Callable[[Item, Repository], list[tuple[str, str]]]:
    def values(item: Item, repo: Repository) -> list[tuple[str, str]]:
        value = getattr(item.meta, field, None)
        return [(str(value), str(value))] if value else []
    return values


def _city(field: str) -> Callable[[Item, Repository], list[tuple[str, str]]]:
    def values(item: Item, repo: Repository) -> list[tuple[str, str]]:
        slug = getattr(item.meta, field, None)
        return [(slug, repo.city(slug).label)] if slug else []
    return values


FILTERS: dict[str, tuple[Filter, ...]] = {
    "churches": (Filter("land", "Land", _vocab("country", "countries")), Filter("provincie", "Provincie", _text("province")),
                 Filter("functie", "Huidige functie", _vocab("current_functions", "church_functions")),
                 Filter("status", "Status", _vocab("status", "church_status"))),
    "city-projects": (Filter("stad", "Stad", _city("city")), Filter("status", "Status", _vocab("status", "project_status"))),
    "temporary-use": (Filter("stad", "Stad", _city("city")), Filter("site", "Soort site", _vocab("site_kind", "site_kinds")),
                      Filter("functie", "Tijdelijke functie", _vocab("temporary_functions", "temporary_functions"))),
}


def located(items: list[Item]) -> list[Item]:
    """The items that have coordinates."""
    return [i for i in items if point_of(i) is not None]


def point_of(item: Item) -> Coordinates | None:
    """The fiche's coordinates (None for a type without them, or a fiche that leaves them out)."""
    meta = item.meta
    return meta.coordinates if isinstance(meta, Church | CityProject | TemporaryUse) else None


def map_url(section: str) -> str:
    return f"/{section}/kaart/"


def coordinates_text(lat: float, lon: float) -> str:
    """``50,87520° N, 4,70090° O`` (Dutch decimal comma, compass letters in Dutch)."""
    return (f"{dutch.decimal(abs(lat), 5)}° {'N' if lat >= 0 else 'Z'}, "
            f"{dutch.decimal(abs(lon), 5)}° {'O' if lon >= 0 else 'W'}")


def tiles(settings: Settings) -> dict[str, str]:
    """What the map script needs from the settings: the tile URL template and its attribution."""
    return {"tiles": settings.map_tiles, "attribution": settings.map_attribution}


def minimap(item: Item, settings: Settings) -> dict[str, object] | None:
    """The small map on a fiche page, or None when the fiche has no coordinates."""
    point = point_of(item)
    if point is None or item.type.name not in MAPPED_TYPES:
        return None
    return {"lat": repr(point.lat), "lon": repr(point.lon), "text": coordinates_text(point.lat, point.lon),
            "title": item.title, "collection": map_url(item.type.section), **tiles(settings)}


def map_pages(repo: Repository, settings: Settings) -> list[StagedPage]:
    """One map page per collection that has fiches with coordinates."""
    from kennisbank.site.views import HOME, render

    pages = []
    for ctype in (t for t in CONTENT_TYPES if t.name in MAPPED_TYPES):
        fiches = sorted(located(repo.of_type(ctype.name)), key=lambda i: (i.title.lower(), i.id))
        if not fiches:
            continue
        filters = FILTERS[ctype.name]
        title = f"{ctype.label_plural} op de kaart"
        crumbs = [HOME, {"title": "Cases", "url": "/cases/"}, {"title": ctype.label_plural, "url": f"/{ctype.section}/"},
                  {"title": "Kaart", "url": map_url(ctype.section)}]
        rows = [_row(item, repo, filters) for item in fiches]
        html = render("kaart.html", title=title, crumbs=crumbs, rows=rows, filters=_filter_options(rows, filters),
                      collection={"title": ctype.label_plural, "url": f"/{ctype.section}/",
                                  "total": len(repo.of_type(ctype.name))}, **tiles(settings))
        pages.append(StagedPage(f"{ctype.section}/kaart.md", title, html, PageContext("section", ctype.section),
                                description=f"Kaart van {len(fiches)} {ctype.label_plural.lower()} met een lijst ernaast.",
                                hide=("toc",)))
    return pages


def _row(item: Item, repo: Repository, filters: tuple[Filter, ...]) -> dict[str, object]:
    point = point_of(item)
    assert point is not None  # only located fiches are rows
    values = {f.name: f.values(item, repo) for f in filters}
    place = ", ".join(label for label in (repo.city(c).label for c in item.cities))
    return {"item": item, "lat": repr(point.lat), "lon": repr(point.lon), "place": place,
            "data": {f.name: "|".join(key for key, _ in values[f.name]) for f in filters}, "values": values}


def _filter_options(rows: list[dict[str, object]], filters: tuple[Filter, ...]) -> list[dict[str, object]]:
    """Each filter with the values that occur, alphabetically by label, with their counts."""
    result: list[dict[str, object]] = []
    for f in filters:
        counts: dict[tuple[str, str], int] = {}
        for row in rows:
            for pair in row["values"][f.name]:  # type: ignore[index]
                counts[pair] = counts.get(pair, 0) + 1
        options = [{"key": k, "label": label, "count": n} for (k, label), n in
                   sorted(counts.items(), key=lambda kv: (kv[0][1].lower(), kv[0][0]))]
        if len(options) > 1:
            result.append({"name": f.name, "label": f.label, "options": options})
    return result
