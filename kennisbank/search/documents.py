"""Search documents: one flat, JSON-ready record per published item, the same for every engine.

The model decides what an item is; this module decides how it looks to a search engine: plain
text instead of Markdown, facet values as strings, and a catalog of the Dutch label of every facet
value (from the registries), because engines store keys and visitors read labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel

from kennisbank.content import Item, Repository
from kennisbank.content.fields import Ref
from kennisbank.search.plaintext import markdown_to_text
from kennisbank.sites import Sites

CASE_TYPE = "case"
CASE_TYPE_LABEL = "Cases"
GENERIC_FACETS = ("type", "collection", "theme", "city", "year")
META_FACETS = ("category", "kind", "current_functions", "status", "country", "province", "site_kind",
               "temporary_functions", "owner", "policy_area", "target_groups")
FACETABLE_FIELDS = GENERIC_FACETS + META_FACETS
TOPIC_FACETS = ("collection", "theme", "city")
"""Facets whose labels are searchable as the item's ``topics`` (they weigh more than its body)."""
"""Facet fields a document can carry; `search/index.yml` picks and orders the ones shown."""
SITE_FIELD = "site"
"""The names of the websites that show the item (see :mod:`kennisbank.sites`): a filter-only
field, so one index serves every site's search page (``GET /search?site=kerken``)."""
FILTER_FIELDS = (*FACETABLE_FIELDS, SITE_FIELD)
"""Every field an engine filters on."""


@dataclass
class FacetCatalog:
    """Every facet value in the index with its label: the API validates filters against it and
    shows labels instead of keys."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, field_name: str, value: str, label: str) -> None:
        self.labels.setdefault(field_name, {})[value] = label

    def label(self, field_name: str, value: str) -> str:
        return self.labels.get(field_name, {}).get(value, value)

    def knows(self, field_name: str, value: str) -> bool:
        return value in self.labels.get(field_name, {})

    def values(self, field_name: str) -> dict[str, str]:
        return self.labels.get(field_name, {})

    def as_dict(self) -> dict[str, dict[str, str]]:
        return {f: dict(sorted(v.items())) for f, v in sorted(self.labels.items())}


def values_of(doc: dict[str, Any], name: str) -> list[Any]:
    """A search document's field as a list: empty, its one value, or the values of a list field."""
    value = doc.get(name)
    if not value:
        return []
    return list(value) if isinstance(value, list) else [value]


def build_documents(repo: Repository, sites: Sites | None = None) -> tuple[list[dict[str, Any]], FacetCatalog]:
    """All published items as search documents (sorted by id, for reproducible indexes); with
    ``sites``, each names the websites that show it."""
    catalog = FacetCatalog()
    documents = [search_document(item, repo, catalog) for item in sorted(repo.published, key=lambda i: i.id)]
    if sites is not None:
        for doc in documents:
            doc[SITE_FIELD] = [site.name for site in sites.showing(repo.by_id[doc["id"]])]
    return documents, catalog


def search_document(item: Item, repo: Repository, catalog: FacetCatalog) -> dict[str, Any]:
    """One item as a flat document; records every facet value's label in ``catalog``."""
    doc: dict[str, Any] = {
        "id": item.id,
        "type": CASE_TYPE if item.type.is_case else item.type.name,
        "title": item.title,
        "summary": item.summary,
        "body": markdown_to_text(item.body),
        "tags": list(item.tags),
        "url": item.url,
        "date": item.date.isoformat() if item.date else None,
        "date_key": item.date.toordinal() if item.date else 0,
    }
    catalog.add("type", doc["type"], CASE_TYPE_LABEL if item.type.is_case else item.type.label_plural)
    facets: dict[str, list[tuple[str, str]]] = {
        "collection": [(item.type.section, item.type.label_plural)] if item.type.is_case else [],
        "theme": [(slug, _theme_label(repo, slug)) for slug in item.themes],
        "city": [(slug, _city_label(repo, slug)) for slug in item.cities],
        "year": [(str(item.year), str(item.year))] if item.year else [],
    }
    for name in META_FACETS:
        facets[name] = list(_meta_values(item, repo, name))
    for name, pairs in facets.items():
        for value, label in pairs:
            catalog.add(name, value, label)
        doc[name] = [value for value, _ in pairs]
    doc["topics"] = [label for name in TOPIC_FACETS for _, label in facets[name]]
    return doc


def _theme_label(repo: Repository, slug: str) -> str:
    theme = repo.themes.get(slug)
    return theme.title if theme else slug


def _city_label(repo: Repository, slug: str) -> str:
    city = repo.registries.cities.get(slug)
    return city.label if city else slug


def _meta_values(item: Item, repo: Repository, name: str) -> Iterable[tuple[str, str]]:
    """Values of front-matter field ``name`` with their labels, read through the field's
    registry reference (vocabulary, city), so new vocabularies need no code here."""
    refs = _field_refs(type(item.meta))
    if name in refs:
        value, ref = getattr(item.meta, name), refs[name]
    else:  # not a declared field: an extra one, if the model keeps extras (no registry)
        value, ref = (getattr(item.meta, "__pydantic_extra__", None) or {}).get(name), None
    if value is None:
        return
    for entry in value if isinstance(value, (list, tuple)) else [value]:
        key = str(entry)
        if ref is None:
            yield key, key
        elif ref.registry == "city":
            yield key, _city_label(repo, key)
        elif ref.registry == "theme":
            yield key, _theme_label(repo, key)
        else:
            yield key, repo.label(ref.registry, key)


@cache
def _field_refs(model: type[BaseModel]) -> dict[str, Ref | None]:
    """The facetable declared fields of a front-matter model with their registry references,
    looked up once per model (pydantic attribute misses are slow, 100,000 items ask)."""
    return {name: _ref_of(info.annotation, info.metadata) for name, info in model.model_fields.items()
            if name in META_FACETS}


def _ref_of(annotation: object, metadata: list[Any]) -> Ref | None:
    """Find the :class:`Ref` marker on a field, also inside ``list[Annotated[str, Ref]]``."""
    for entry in metadata:
        if isinstance(entry, Ref):
            return entry
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _ref_of(arg, list(getattr(arg, "__metadata__", ())))
        if found:
            return found
    return None
