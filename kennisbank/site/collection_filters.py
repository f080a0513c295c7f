"""The filters of a case collection (country, province, function, status, city...), shared by its
listing page and its map page, with the state in the URL (``?status=kerk-in-gebruik&land=be``).

The listing is paginated, so its filters work on the whole collection through a small index the
build writes beside it (``/<collection>/fiches.json``: title, URL, summary and filter values of
every fiche); ``assets/filters.js`` shows the form, filters the index and lists the matches in
place of the pages, and links the same selection on the map page, which reads the same URL
parameters. Without JavaScript the listing stays the paginated list it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from kennisbank.content import Item, Repository
from kennisbank.content.types import content_type

INDEX_FILE = "fiches.json"

Values = Callable[[Item, Repository], list[tuple[str, str]]]  # a fiche's (key, label) pairs
FicheValues = dict[str, list[tuple[str, str]]]  # filter name → one fiche's (key, label) pairs


@dataclass(frozen=True)
class Filter:
    """One filter of a collection: its URL parameter, its label, and the values of a fiche."""

    name: str
    label: str
    values: Values


def _vocab(field: str, vocabulary: str) -> Values:
    def values(item: Item, repo: Repository) -> list[tuple[str, str]]:
        raw = getattr(item.meta, field, None)
        keys = raw if isinstance(raw, list) else [raw] if raw else []
        return [(k, repo.label(vocabulary, k)) for k in keys]
    return values


def _text(field: str) -> Values:
    def values(item: Item, repo: Repository) -> list[tuple[str, str]]:
        value = getattr(item.meta, field, None)
        return [(str(value), str(value))] if value else []
    return values


def _city(field: str) -> Values:
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
    "housing-instruments": (Filter("stad", "Stad", _city("city")),
                            Filter("domein", "Beleidsdomein", _vocab("policy_area", "policy_areas")),
                            Filter("doelgroep", "Doelgroep", _vocab("target_groups", "target_groups"))),
}


def filter_values(item: Item, repo: Repository, filters: tuple[Filter, ...]) -> FicheValues:
    """Every filter's (key, label) pairs for one fiche."""
    return {f.name: f.values(item, repo) for f in filters}


@dataclass(frozen=True)
class CollectionValues:
    """The filter values of every fiche of every collection with filters: computed once per build
    (:func:`collection_values`) and read by the listing's filter form, ``fiches.json`` and the map."""

    by_item: dict[str, FicheValues]
    """Item id → the fiche's filter values."""

    def of(self, item: Item) -> FicheValues:
        return self.by_item[item.id]


def collection_values(repo: Repository) -> CollectionValues:
    return CollectionValues({item.id: filter_values(item, repo, filters)
                             for type_name, filters in FILTERS.items() for item in repo.of_type(type_name)})


def filter_options(values: list[FicheValues], filters: tuple[Filter, ...]) -> list[dict[str, object]]:
    """Each filter with the values that occur among ``values`` (one dict per fiche), alphabetically
    by label, with their counts; a filter with a single value is left out (it narrows nothing)."""
    result: list[dict[str, object]] = []
    for f in filters:
        counts: dict[tuple[str, str], int] = {}
        for fiche in values:
            for pair in fiche[f.name]:
                counts[pair] = counts.get(pair, 0) + 1
        options = [{"key": k, "label": label, "count": n} for (k, label), n in
                   sorted(counts.items(), key=lambda kv: (kv[0][1].lower(), kv[0][0]))]
        if len(options) > 1:
            result.append({"name": f.name, "label": f.label, "options": options})
    return result


def index_url(section: str) -> str:
    return f"/{section}/{INDEX_FILE}"


def listing_filters(repo: Repository, values: CollectionValues, type_name: str,
                    map_url: str = "") -> dict[str, object] | None:
    """What the listing page of a collection needs for its filter form, or None without filters;
    ``map_url`` is the collection's map page, when it has one."""
    filters = FILTERS.get(type_name)
    if not filters:
        return None
    items = repo.of_type(type_name)
    options = filter_options([values.of(i) for i in items], filters)
    if not options:
        return None
    return {"options": options, "index": index_url(_section(type_name)), "map": map_url, "total": len(items)}


def index_files(repo: Repository, values: CollectionValues) -> dict[str, bytes]:
    """``<section>/fiches.json`` for every collection with filters (docs path → bytes): its fiches
    in listing order, each with title, URL, summary and its filter keys."""
    files = {}
    for type_name in FILTERS:
        rows = [{"title": item.title, "url": item.url, "summary": item.summary,
                 "values": {name: [key for key, _ in pairs] for name, pairs in values.of(item).items()}}
                for item in repo.of_type(type_name)]
        if rows:
            files[f"{_section(type_name)}/{INDEX_FILE}"] = json.dumps(
                rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return files


def _section(type_name: str) -> str:
    ctype = content_type(type_name)
    assert ctype is not None  # FILTERS names content types
    return ctype.section
