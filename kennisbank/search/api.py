"""The search API: a small Starlette app, mounted at ``/api`` by ``kennisbank serve``.

Routes are relative to the mount point: ``/search``, ``/facets/{field}``, ``/items/{id}``,
``/health``, ``/openapi.json``. Every parameter is validated (see :mod:`.params`); bad input is a
422 naming the parameter, never a 500. Responses carry a weak ETag of the index version, so a
client (or a cache) revalidates for free until the index is rebuilt.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kennisbank.config import Settings
from kennisbank.errors import KennisbankError
from kennisbank.search.documents import FacetCatalog
from kennisbank.search.engine import EngineUnavailable, FacetCount, SearchEngine, SearchRequest, SearchResult
from kennisbank.search.openapi import openapi_document
from kennisbank.search.params import InvalidParameter, parse_facet_values, parse_search
from kennisbank.search.query import fold
from kennisbank.search.settings import FacetSpec, SearchSettings, load_search_settings

P = ParamSpec("P")
R = TypeVar("R")

CACHE_CONTROL = "public, max-age=60"


class ApiResponse(JSONResponse):
    """JSON rendered by orjson: the same compact UTF-8 as Starlette's ``json.dumps`` rendering,
    in a tenth of the time (a search answer with four facets took ~0.4 ms to encode, half of the
    API's own CPU per request)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def create_api(build_dir: Path, settings: Settings, engine: SearchEngine | None = None) -> Starlette:
    """The search API over the index in ``build_dir`` (or Meilisearch when ``MEILI_URL`` is set).

    The engine and ``search/*.yml`` are opened on the first request, so the app can be created
    before the first build has written an index; until then the API answers 503.
    """
    api = SearchApi(lambda: _open(build_dir, settings, engine), settings.search_api_url, site_scopes(settings))
    middleware = []
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET"],
                                     allow_headers=["If-None-Match"], expose_headers=["ETag"], max_age=3600))
    routes = [Route("/search", api.search), Route("/facets/{field}", api.facets), Route("/items/{id:path}", api.item),
              Route("/health", api.health), Route("/openapi.json", api.openapi)]
    handlers: dict[Any, Callable[[Request, Any], Awaitable[Response]]] = {HTTPException: _http_error,
                                                                            EngineUnavailable: _unavailable}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


def app_from_environment() -> Starlette:
    """An app factory for running the API on its own with several workers::

        KENNISBANK_ROOT=. KENNISBANK_BUILD=build uvicorn --factory --workers 2 \\
            kennisbank.search.api:app_from_environment
    """
    import gc
    import os

    from kennisbank.config import load_settings

    root = Path(os.environ.get("KENNISBANK_ROOT", ".")).resolve()
    app = create_api(Path(os.environ.get("KENNISBANK_BUILD", root / "build")), load_settings(root))
    # A full garbage collection walks every object alive in the process: ~30 ms here for what
    # the imports alone leave (43,000 objects), a latency spike for whichever request triggers
    # it. Frozen once the worker has started, they are left out of every collection; the
    # engine's own tables are tuples, which the collector stops tracking on its own.
    gc.collect()
    gc.freeze()
    return app


def site_scopes(settings: Settings) -> dict[str, bool]:
    """The ``site`` values the API accepts: every site's name → whether it narrows the search
    (a thematic site) or not (the portal). Broken site files leave only the portal."""
    from kennisbank.sites import load_sites

    try:
        sites = load_sites(settings.root, settings.site_name, settings.site_url)
    except KennisbankError:
        return {}
    return {site.name: not site.default for site in sites.all}


def _open(build_dir: Path, settings: Settings, engine: SearchEngine | None) -> tuple[SearchEngine, SearchSettings]:
    from kennisbank.search.stage import open_engine

    try:
        search_settings = load_search_settings(settings.root)
        return engine or open_engine(build_dir, search_settings), search_settings
    except KennisbankError as exc:
        raise EngineUnavailable(str(exc)) from None


def _error(status: int, message: str, parameter: str | None = None, headers: dict[str, Any] | None = None) -> JSONResponse:
    body = {"status": status, "message": message}
    if parameter is not None:
        body["parameter"] = parameter
    return ApiResponse(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return _error(exc.status_code, exc.detail or "error", headers=dict(exc.headers or {}))


async def _unavailable(request: Request, exc: Exception) -> Response:
    return _error(503, f"search engine unavailable: {exc}")


class SearchApi:
    """The handlers; one instance per app, holding the engine and the settings."""

    def __init__(self, opener: Callable[[], tuple[SearchEngine, SearchSettings]], public_url: str,
                 sites: dict[str, bool] | None = None):
        self._opener = opener
        self._opened: tuple[SearchEngine, SearchSettings] | None = None
        self.public_url = public_url
        self.sites = sites or {}

    def _ensure(self) -> tuple[SearchEngine, SearchSettings]:
        if self._opened is None:
            self._opened = self._opener()
        return self._opened

    @property
    def engine(self) -> SearchEngine:
        return self._ensure()[0]

    @property
    def settings(self) -> SearchSettings:
        return self._ensure()[1]

    async def _call(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run an engine call: in place for the embedded engine (CPU-bound, microseconds to a few
        milliseconds), in a thread for engines that wait on the network."""
        try:
            if getattr(self.engine, "blocking_io", False):
                return await run_in_threadpool(function, *args, **kwargs)
            return function(*args, **kwargs)
        except EngineUnavailable:
            raise
        except (OSError, KennisbankError) as exc:
            raise EngineUnavailable(str(exc)) from None

    def _cached(self, request: Request, body: object, version: str) -> Response:
        etag = f'W/"{version}"'
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Origin"}
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return ApiResponse(body, headers=headers)

    async def search(self, request: Request) -> Response:
        started = time.perf_counter()
        info = await self._call(self.engine.info)
        catalog = await self._call(self.engine.catalog)
        try:
            search_request = parse_search(request.query_params.multi_items(), self.settings, catalog, self.sites)
        except InvalidParameter as exc:
            return _error(422, exc.message, exc.parameter)
        if _matches(request.headers.get("if-none-match"), f'W/"{info.version}"'):
            return self._cached(request, None, info.version)
        result = await self._call(self.engine.search, search_request)
        body = self._search_body(search_request, result, catalog)
        body["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return self._cached(request, body, info.version)

    def _search_body(self, request: SearchRequest, result: SearchResult, catalog: FacetCatalog) -> dict[str, Any]:
        return {
            "hits": [{"id": h.id, "title": h.title, "url": h.url, "type": h.type, "date": h.date,
                      "snippet": h.snippet} for h in result.hits],
            "total": result.total, "page": request.page, "per_page": request.per_page,
            "pages": -(-result.total // request.per_page),
            "facets": [self._facet_body(spec, result.facets.get(spec.field, []), request.filters.get(spec.field, ()),
                                        catalog) for spec in self.settings.facets if spec.field in result.facets],
        }

    @staticmethod
    def _facet_body(spec: FacetSpec, counts: list[FacetCount], selected: tuple[str, ...],
                    catalog: FacetCatalog) -> dict[str, Any]:
        """One facet with labels, in the facet's configured order; a selected value stays listed
        (count 0) so a visitor can always unselect it."""
        by_value = {c.value: c.count for c in counts if c.count > 0}
        for value in selected:
            by_value.setdefault(value, 0)
        labels = catalog.values(spec.field)
        ordered = _ordered([(v, labels.get(v, v), n) for v, n in by_value.items()], spec.order)
        values = [{"value": v, "label": label, "count": n, "selected": v in selected} for v, label, n in ordered]
        return {"field": spec.field, "label": spec.label, "values": values}

    async def facets(self, request: Request) -> Response:
        spec = self.settings.facet(request.path_params["field"])
        if spec is None:
            return _error(404, f"no facet {request.path_params['field'][:60]!r}; facets: "
                               f"{', '.join(self.settings.facet_fields)}")
        try:
            wanted = parse_facet_values(request.query_params.multi_items(), self.sites)
        except InvalidParameter as exc:
            return _error(422, exc.message, exc.parameter)
        info = await self._call(self.engine.info)
        catalog = await self._call(self.engine.catalog)
        counts = await self._call(self.engine.facet_values, spec.field, "", 10_000, wanted.filters)
        prefix = fold(wanted.prefix.strip())
        matching = [c for c in counts if not prefix or _starts(prefix, c.value, catalog.label(spec.field, c.value))]
        body = self._facet_body(spec, matching, (), catalog)
        body["values"] = body["values"][:wanted.limit]
        for value in body["values"]:
            del value["selected"]
        return self._cached(request, body, info.version)

    async def item(self, request: Request) -> Response:
        if request.query_params:
            name = next(iter(request.query_params))
            return _error(422, f"unknown parameter {name[:60]!r}; this endpoint takes none", name)
        doc_id = request.path_params["id"]
        info = await self._call(self.engine.info)
        doc = await self._call(self.engine.get, doc_id) if len(doc_id) <= 300 else None
        if doc is None:
            return _error(404, f"no item {doc_id[:80]!r}")
        doc.pop("date_key", None)
        return self._cached(request, doc, info.version)

    async def health(self, request: Request) -> Response:
        info = await self._call(self.engine.info)
        return ApiResponse({"status": "ok", "engine": info.engine, "documents": info.documents,
                             "version": info.version, "built_at": info.built_at},
                            headers={"Cache-Control": "no-cache"})

    async def openapi(self, request: Request) -> Response:
        info = await self._call(self.engine.info)
        catalog = await self._call(self.engine.catalog)
        example = await self._call(self.engine.search, SearchRequest(per_page=1, facets=()))
        example_id = example.hits[0].id if example.hits else None
        document = openapi_document(self.settings, catalog, self.public_url, example_id, self.sites)
        return self._cached(request, document, info.version)


@lru_cache(maxsize=8192)
def _sort_label(label: str) -> str:
    """A label folded for sorting; the same few hundred labels come back in every response."""
    return fold(label)


def _ordered(values: list[tuple[str, str, int]], order: str) -> list[tuple[str, str, int]]:
    """(value, label, count) rows in a facet's order. Each row is sorted as a tuple led by its
    sort key (compared in C, where a key function per row took half the API's facet time)."""
    if order == "value_desc":
        return sorted(values, reverse=True)
    if order == "label":
        by_label = sorted([(_sort_label(label), value, label, n) for value, label, n in values])
        return [(value, label, n) for _, value, label, n in by_label]
    by_count = sorted([(-n, _sort_label(label), value, label) for value, label, n in values])
    return [(value, label, -negative) for negative, _, value, label in by_count]


def _starts(prefix: str, value: str, label: str) -> bool:
    """A facet value matches when its key, its label, or a word of its label starts with the prefix."""
    folded = fold(label)
    return fold(value).startswith(prefix) or folded.startswith(prefix) or any(
        word.startswith(prefix) for word in folded.split())


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {tag.strip() for tag in header.split(",")}
    return "*" in candidates or etag in candidates or etag.removeprefix("W/") in candidates
