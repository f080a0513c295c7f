"""The API's OpenAPI 3 document, written out from the same settings and catalog the API
validates with, so it cannot drift from what the API accepts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kennisbank.search.documents import FacetCatalog
from kennisbank.search.engine import SORTS
from kennisbank.search.params import DEFAULT_PER_PAGE, MAX_FACET_LIMIT, MAX_PAGE, MAX_PER_PAGE, MAX_PREFIX, MAX_QUERY
from kennisbank.search.settings import SearchSettings

_ERROR = {"$ref": "#/components/schemas/Error"}
_NOT_MODIFIED = {"description": "Not modified: the index version still matches If-None-Match"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    texts = {404: "Not found", 422: "Invalid parameter", 503: "Search engine unavailable"}
    return {str(code): _json(_ERROR, texts[code]) for code in codes}


def _site_parameter(sites: Iterable[str], description: str) -> list[dict[str, Any]]:
    """The ``site`` query parameter, when there are sites to name."""
    names = sorted(sites)
    if not names:
        return []
    return [{"name": "site", "in": "query", "schema": {"type": "string", "enum": names}, "description": description}]


def openapi_document(settings: SearchSettings, catalog: FacetCatalog, server_url: str,
                     example_id: str | None = None, sites: Iterable[str] = ()) -> dict[str, Any]:
    facet_params = [{
        "name": f.field, "in": "query", "required": False, "style": "form", "explode": True,
        "description": f"Filter on {f.label}: repeat for several values (OR); filters on different facets are AND-ed.",
        "schema": {"type": "array", "maxItems": 50, "items": {"type": "string", "enum": sorted(catalog.values(f.field))}},
    } for f in settings.facets if catalog.values(f.field)]
    facet_names = [f.field for f in settings.facets]
    string = {"type": "string"}
    nullable_string = {"type": ["string", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kennisbank search API", "version": "1",
                 "description": "Faceted full-text search over the knowledge centre's news, studies, agenda and cases."},
        "servers": [{"url": server_url}],
        "paths": {
            "/search": {"get": {
                "operationId": "search", "summary": "Search with facet filters",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": MAX_QUERY},
                     "description": "Words to search for (Dutch; typos, plurals and synonyms are tolerated)."},
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
                    {"name": "per_page", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
                    {"name": "facets", "in": "query", "description": "Comma-separated facets to count (default: all).",
                     "schema": {"type": "string", "pattern": "^(" + "|".join(facet_names) + ")?(,(" + "|".join(facet_names) + "))*$"}},
                    *facet_params,
                    *_site_parameter(sites, "Search only what this website shows (the portal shows everything)."),
                ],
                "responses": {"200": _json({"$ref": "#/components/schemas/SearchResponse"}, "One page of hits"),
                              "304": _NOT_MODIFIED, **_errors(422, 503)},
            }},
            "/facets/{field}": {"get": {
                "operationId": "facetValues", "summary": "Values of one facet, optionally by prefix",
                "parameters": [
                    {"name": "field", "in": "path", "required": True, "schema": {"type": "string", "enum": facet_names}},
                    {"name": "prefix", "in": "query", "schema": {"type": "string", "maxLength": MAX_PREFIX}},
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_FACET_LIMIT, "default": 20}},
                    *_site_parameter(sites, "Count only what this website shows (the portal shows everything)."),
                ],
                "responses": {"200": _json({"$ref": "#/components/schemas/Facet"}, "Matching values, most used first"),
                              "304": _NOT_MODIFIED, **_errors(404, 422, 503)},
            }},
            "/items/{id}": {"get": {
                "operationId": "item", "summary": "One search document by id (e.g. nieuws/some-slug)",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                                **({"example": example_id} if example_id else {})}],
                "responses": {"200": _json({"$ref": "#/components/schemas/Document"}, "The document"),
                              "304": _NOT_MODIFIED, **_errors(404, 503)},
            }},
            "/health": {"get": {
                "operationId": "health", "summary": "Engine, document count, index version and build time",
                "responses": {"200": _json({"$ref": "#/components/schemas/Health"}, "Healthy"), **_errors(503)},
            }},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["status", "message"], "properties": {
                "status": {"type": "integer"}, "parameter": string, "message": string}},
            "Hit": {"type": "object", "required": ["id", "title", "url", "type", "date", "snippet"],
                    "properties": {"id": string, "title": string, "url": string, "type": string,
                                   "date": nullable_string,
                                   "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"}}},
            "FacetValue": {"type": "object", "required": ["value", "label", "count"], "properties": {
                "value": string, "label": string, "count": {"type": "integer", "minimum": 0},
                "selected": {"type": "boolean"}}},
            "Facet": {"type": "object", "required": ["field", "label", "values"], "properties": {
                "field": string, "label": string,
                "values": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}}},
            "SearchResponse": {"type": "object",
                               "required": ["hits", "total", "page", "per_page", "pages", "facets", "took_ms"],
                               "properties": {
                                   "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                                   "total": {"type": "integer", "minimum": 0},
                                   "page": {"type": "integer", "minimum": 1},
                                   "per_page": {"type": "integer", "minimum": 1},
                                   "pages": {"type": "integer", "minimum": 0},
                                   "facets": {"type": "array", "items": {"$ref": "#/components/schemas/Facet"}},
                                   "took_ms": {"type": "number", "minimum": 0}}},
            "Document": {"type": "object", "required": ["id", "type", "title", "url"], "properties": {
                "id": string, "type": string, "title": string, "summary": string, "body": string, "url": string,
                "date": nullable_string, "tags": {"type": "array", "items": string}},
                "additionalProperties": True},
            "Health": {"type": "object", "required": ["status", "engine", "documents", "version", "built_at"],
                       "properties": {"status": string, "engine": string, "documents": {"type": "integer"},
                                      "version": string, "built_at": nullable_string}},
        }},
    }
