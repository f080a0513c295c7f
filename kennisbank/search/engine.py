"""The engine contract: requests and results that know nothing about tantivy or Meilisearch.

The API, the CLI and the contract tests speak only these types, so a second engine is a second
implementation of :class:`SearchEngine`, never a second API.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from kennisbank.search.documents import FacetCatalog

SORTS = ("relevance", "date")


class EngineUnavailable(Exception):
    """The engine cannot answer (server down, index missing): the API says 503, never 500."""


@dataclass(frozen=True)
class SearchRequest:
    """One search: free text, facet filters (OR within a field, AND across fields), sort, page.

    ``facets`` names the facet fields to count; ``None`` counts every configured facet.
    """

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facets: tuple[str, ...] | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def filters_without(self, name: str) -> dict[str, tuple[str, ...]]:
        """The active filters minus one facet's own: what a disjunctive facet is counted with."""
        return {k: v for k, v in self.filters.items() if k != name and v}


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    url: str
    type: str
    date: str | None
    snippet: str
    """HTML: the text escaped, matches in ``<mark>``; no other markup."""


@dataclass(slots=True)
class FacetCount:
    """A facet value and how many matched documents carry it. Not frozen: a search answer holds
    a hundred of them, and a frozen dataclass is made three times slower (0.5 against 0.16 µs)."""

    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetCount]]
    """Counts per facet field, engine order; the API orders and labels them."""


@dataclass(frozen=True)
class IndexInfo:
    engine: str
    documents: int
    version: str
    built_at: str | None


class SearchEngine(abc.ABC):
    """A searchable index of search documents (see :mod:`kennisbank.search.documents`)."""

    name: str

    @abc.abstractmethod
    def search(self, request: SearchRequest) -> SearchResult:
        """Hits for one page, the total, and disjunctive facet counts."""

    @abc.abstractmethod
    def facet_values(self, field_name: str, prefix: str, limit: int,
                     filters: dict[str, tuple[str, ...]] | None = None) -> list[FacetCount]:
        """Values of one facet starting with ``prefix`` (facet value search), most used first,
        counted over the documents ``filters`` select (the API passes a site's scope) or all."""

    @abc.abstractmethod
    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The stored search document, or ``None``."""

    @abc.abstractmethod
    def catalog(self) -> FacetCatalog:
        """Every facet value in the index with its Dutch label (validation and display)."""

    @abc.abstractmethod
    def info(self) -> IndexInfo:
        """Engine name, document count, index version and build time (health, ETag)."""
