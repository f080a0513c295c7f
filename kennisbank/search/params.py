"""Query parameters of the search API, checked before they reach an engine.

Every way a request can be wrong is named here and answered with a 422 that says which
parameter is wrong and why; the engines only ever see a valid :class:`SearchRequest`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kennisbank.search.documents import SITE_FIELD, FacetCatalog
from kennisbank.search.engine import SORTS, SearchRequest
from kennisbank.search.settings import SearchSettings

MAX_QUERY = 200
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 10
MAX_PAGE = 1000
MAX_VALUES = 50
MAX_PREFIX = 100
MAX_FACET_LIMIT = 100
SEARCH_PARAMS = ("q", "sort", "page", "per_page", "facets", "site")
FACET_VALUES_PARAMS = ("prefix", "limit", "site")


class InvalidParameter(ValueError):
    """A request parameter the API cannot honour; becomes a 422 naming the parameter."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def parse_search(params: Iterable[tuple[str, str]], settings: SearchSettings, catalog: FacetCatalog,
                 sites: Mapping[str, bool] | None = None) -> SearchRequest:
    """``GET /search`` parameters (repeatable facet filters) as a :class:`SearchRequest`.

    ``sites`` maps each website's name to whether searching it is scoped (a thematic site) or
    not (the portal searches everything); ``site=NAME`` becomes a filter on the documents'
    ``site`` field."""
    single: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    for name, value in params:
        if name in SEARCH_PARAMS:
            if name in single:
                raise InvalidParameter(name, f"give {name} at most once")
            single[name] = value
        elif settings.facet(name):
            values = filters.setdefault(name, [])
            if not catalog.knows(name, value):
                raise InvalidParameter(name, f"unknown value {_show(value)} for facet {name}; "
                                             f"GET /facets/{name} lists the values")
            if value not in values:
                values.append(value)
            if len(values) > MAX_VALUES:
                raise InvalidParameter(name, f"at most {MAX_VALUES} values per facet")
        else:
            known = ", ".join(SEARCH_PARAMS + settings.facet_fields)
            raise InvalidParameter(name, f"unknown parameter {_show(name)}; known parameters: {known}")
    q = single.get("q", "")
    if len(q) > MAX_QUERY:
        raise InvalidParameter("q", f"q is {len(q)} characters long; the limit is {MAX_QUERY}")
    sort = single.get("sort", "relevance")
    if sort not in SORTS:
        raise InvalidParameter("sort", f"sort must be one of: {', '.join(SORTS)}")
    facets = None
    if "facets" in single:
        facets = tuple(dict.fromkeys(f.strip() for f in single["facets"].split(",") if f.strip()))
        unknown = [f for f in facets if not settings.facet(f)]
        if unknown:
            raise InvalidParameter("facets", f"unknown facet {_show(unknown[0])}; facets: {', '.join(settings.facet_fields)}")
    scoped = _site_filter(single.get("site"), sites or {})
    return SearchRequest(
        q=q, filters={**{k: tuple(v) for k, v in filters.items()}, **scoped}, sort=sort,
        page=bounded_int(single, "page", 1, 1, MAX_PAGE),
        per_page=bounded_int(single, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE), facets=facets)


def _site_filter(name: str | None, sites: Mapping[str, bool]) -> dict[str, tuple[str, ...]]:
    if name is None:
        return {}
    if name not in sites:
        raise InvalidParameter("site", f"unknown site {_show(name)}; sites: {', '.join(sorted(sites)) or 'none'}")
    return {SITE_FIELD: (name,)} if sites[name] else {}


def bounded_int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.strip().isascii() or not raw.strip().isdigit() or len(raw.strip()) > 6:
        raise InvalidParameter(name, f"{name} must be a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise InvalidParameter(name, f"{name} must be a whole number from {low} to {high}, not {value}")
    return value


@dataclass(frozen=True)
class FacetValuesRequest:
    """``GET /facets/{field}``: values starting with ``prefix``, at most ``limit``, counted over
    the documents ``filters`` select (a thematic site's scope, or none)."""

    prefix: str
    limit: int
    filters: dict[str, tuple[str, ...]]


def parse_facet_values(params: Iterable[tuple[str, str]], sites: Mapping[str, bool] | None = None) -> FacetValuesRequest:
    """``GET /facets/{field}`` parameters: ``prefix``, ``limit`` and ``site`` (as for ``/search``)."""
    single: dict[str, str] = {}
    for name, value in params:
        if name not in FACET_VALUES_PARAMS:
            raise InvalidParameter(name, f"unknown parameter {_show(name)}; "
                                         f"known parameters: {', '.join(FACET_VALUES_PARAMS)}")
        if name in single:
            raise InvalidParameter(name, f"give {name} at most once")
        single[name] = value
    prefix = single.get("prefix", "")
    if len(prefix) > MAX_PREFIX:
        raise InvalidParameter("prefix", f"prefix is limited to {MAX_PREFIX} characters")
    return FacetValuesRequest(prefix, bounded_int(single, "limit", 20, 1, MAX_FACET_LIMIT),
                              _site_filter(single.get("site"), sites or {}))


def _show(value: str) -> str:
    """A value quoted for an error message, cut short so a huge input does not echo back."""
    return repr(value if len(value) <= 60 else value[:60] + "…")
