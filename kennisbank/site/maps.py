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

from kennisbank import dutch
from kennisbank.config import Settings
from kennisbank.content import CONTENT_TYPES, Item, Repository
from kennisbank.content.fields import Coordinates
from kennisbank.content.models import Church, CityProject, TemporaryUse
from kennisbank.site.collection_filters import FILTERS, CollectionValues, FicheValues, Filter, filter_options
from kennisbank.staging import PageContext, StagedPage

MAPPED_TYPES = ("churches", "city-projects", "temporary-use")  # collections whose fiches may have coordinates


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


def map_pages(repo: Repository, settings: Settings, values: CollectionValues) -> list[StagedPage]:
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
        fiche_values = [values.of(item) for item in fiches]
        rows = [_row(item, repo, filters, v) for item, v in zip(fiches, fiche_values, strict=True)]
        html = render("kaart.html", title=title, crumbs=crumbs, rows=rows, filters=filter_options(fiche_values, filters),
                      collection={"title": ctype.label_plural, "url": f"/{ctype.section}/",
                                  "total": len(repo.of_type(ctype.name))}, **tiles(settings))
        pages.append(StagedPage(f"{ctype.section}/kaart.md", title, html, PageContext("section", ctype.section),
                                description=f"Kaart van {len(fiches)} {ctype.label_plural.lower()} met een lijst ernaast.",
                                hide=("toc",)))
    return pages


def _row(item: Item, repo: Repository, filters: tuple[Filter, ...], values: FicheValues) -> dict[str, object]:
    point = point_of(item)
    assert point is not None  # only located fiches are rows
    place = ", ".join(label for label in (repo.city(c).label for c in item.cities))
    return {"item": item, "lat": repr(point.lat), "lon": repr(point.lon), "place": place,
            "data": {f.name: "|".join(key for key, _ in values[f.name]) for f in filters}, "values": values}
