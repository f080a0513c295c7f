"""The search API over real HTTP: uvicorn on a loopback port, httpx as the client."""

from __future__ import annotations

import httpx
import pytest
from search_helpers import live_server

from kennisbank.config import load_settings
from kennisbank.search import build_search_index
from kennisbank.search.api import create_api

ORIGIN = "https://www.example-stad.be"


@pytest.fixture(scope="module")
def base_url(repo, sample_root, tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    build_search_index(repo, build)
    settings = load_settings(sample_root).model_copy(update={"cors_origins": (ORIGIN,)})
    with live_server(create_api(build, settings)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


def test_search_returns_hits_facets_and_paging(client):
    response = client.get("/search", params={"q": "kerken", "per_page": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] > 5 and len(body["hits"]) == 5 and body["page"] == 1
    assert body["pages"] == -(-body["total"] // 5)
    hit = body["hits"][0]
    assert set(hit) == {"id", "title", "url", "type", "date", "snippet"}
    assert hit["url"].startswith("/") and "<mark>" in hit["snippet"]
    assert body["took_ms"] >= 0
    fields = [f["field"] for f in body["facets"]]
    assert fields[:5] == ["type", "collection", "theme", "city", "year"]


def test_facets_carry_labels_from_the_registries(client):
    body = client.get("/search", params={"facets": "city,type,theme"}).json()
    facets = {f["field"]: f for f in body["facets"]}
    assert [f["field"] for f in body["facets"]] == ["type", "theme", "city"]
    cities = {v["value"]: v["label"] for v in facets["city"]["values"]}
    assert cities["vgc"] == "VGC" and cities["sint-niklaas"] == "Sint-Niklaas"
    types = {v["value"]: v["label"] for v in facets["type"]["values"]}
    assert types["news"] == "Nieuws" and types["case"] == "Cases"
    assert facets["city"]["label"] == "Stad of gemeente"
    counts = [v["count"] for v in facets["city"]["values"]]
    assert counts == sorted(counts, reverse=True)


def test_repeatable_filters_are_or_within_and_across(client):
    gent = client.get("/search", params={"city": "gent", "facets": "city"}).json()
    both = client.get("/search", params=[("city", "gent"), ("city", "leuven"), ("facets", "city")]).json()
    cities = {v["value"]: v for v in both["facets"][0]["values"]}
    assert both["total"] == gent["total"] + cities["leuven"]["count"] - _overlap(client)
    assert cities["gent"]["selected"] and cities["leuven"]["selected"] and not cities["aalst"]["selected"]
    narrowed = client.get("/search", params=[("city", "gent"), ("city", "leuven"), ("type", "case")]).json()
    assert 0 < narrowed["total"] < both["total"]
    assert all(h["type"] == "case" for h in narrowed["hits"])


def _overlap(client) -> int:
    gent = {h["id"] for h in client.get("/search", params={"city": "gent", "per_page": 50}).json()["hits"]}
    leuven = {h["id"] for h in client.get("/search", params={"city": "leuven", "per_page": 50}).json()["hits"]}
    return len(gent & leuven)


def test_sort_by_date(client):
    hits = client.get("/search", params={"sort": "date", "per_page": 50}).json()["hits"]
    dates = [h["date"] or "" for h in hits]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(("params", "parameter"), [
    ({"q": "x" * 201}, "q"),
    ({"per_page": "51"}, "per_page"),
    ({"per_page": "0"}, "per_page"),
    ({"page": "1001"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "1e3"}, "page"),
    ({"page": "٣"}, "page"),
    ({"sort": "title"}, "sort"),
    ({"bogus": "1"}, "bogus"),
    ({"city": "atlantis"}, "city"),
    ({"theme": "' OR 1=1 --"}, "theme"),
    ({"facets": "city,nope"}, "facets"),
    ([("q", "a"), ("q", "b")], "q"),
])
def test_bad_parameters_are_422_naming_the_parameter(client, params, parameter):
    response = client.get("/search", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["parameter"] == parameter and body["status"] == 422 and body["message"]


def test_query_at_the_limit_is_fine(client):
    assert client.get("/search", params={"q": "kerk " * 40}).status_code == 200
    assert client.get("/search", params={"q": "\"(*)[]{}:~^!\\ AND OR NOT -+"}).status_code == 200


def test_etag_and_cache_control(client):
    first = client.get("/search", params={"q": "kerk"})
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and "max-age" in first.headers["cache-control"]
    again = client.get("/search", params={"q": "kerk"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    health = client.get("/health").json()
    assert health["version"] in etag


def test_cors_allow_list(client):
    allowed = client.get("/search", headers={"Origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "etag" in allowed.headers["access-control-expose-headers"].lower()
    other = client.get("/search", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/search", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200


def test_facet_value_search_matches_labels(client):
    body = client.get("/facets/city", params={"prefix": "ge"}).json()
    assert {v["value"] for v in body["values"]} >= {"gent", "genk"}
    vgc = client.get("/facets/city", params={"prefix": "vg"}).json()["values"]
    assert [v["label"] for v in vgc] == ["VGC"]
    themes = client.get("/facets/theme", params={"limit": 3}).json()["values"]
    assert len(themes) == 3 and all(set(v) == {"value", "label", "count"} for v in themes)
    assert client.get("/facets/nope").status_code == 404
    assert client.get("/facets/city", params={"limit": "500"}).status_code == 422


def test_items_by_id(client):
    hit = client.get("/search", params={"q": "databroker", "per_page": 1}).json()["hits"][0]
    doc = client.get(f"/items/{hit['id']}").json()
    assert doc["id"] == hit["id"] and doc["title"] == hit["title"] and doc["body"]
    assert client.get("/items/nieuws/bestaat-niet").status_code == 404
    assert client.get("/items/nieuws/bestaat-niet").json()["status"] == 404


def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["engine"] == "embedded" and body["documents"] > 100
    assert body["built_at"].endswith("Z")


def test_openapi_lists_the_facets(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    names = {p["name"] for p in doc["paths"]["/search"]["get"]["parameters"]}
    assert {"q", "page", "per_page", "sort", "city", "theme", "type"} <= names


def test_unknown_route_and_method_are_json_errors(client):
    assert client.get("/nothing").json()["status"] == 404
    response = client.post("/search")
    assert response.status_code == 405 and response.json()["status"] == 405


def test_before_the_first_build_the_api_says_503(sample_root, tmp_path):
    with live_server(create_api(tmp_path / "no-build", load_settings(sample_root))) as url:
        response = httpx.get(f"{url}/search", params={"q": "kerk"})
        assert response.status_code == 503 and "kennisbank build" in response.json()["message"]
        assert httpx.get(f"{url}/health").status_code == 503


def test_serve_mounts_the_api_at_slash_api(repo, sample_root, tmp_path):
    from kennisbank.serve import create_app

    build_search_index(repo, tmp_path / "build")
    with live_server(create_app(sample_root, tmp_path / "build", watch=False)) as url:
        body = httpx.get(f"{url}/api/search", params={"q": "kerk", "per_page": 1}).json()
        assert body["total"] > 0 and body["hits"][0]["url"].startswith("/")
        assert httpx.get(f"{url}/api/openapi.json").json()["servers"] == [{"url": "/api"}]


def test_facet_values_follow_their_configured_order():
    """count: most first, equal counts by folded label (É with E), then value; label: by folded
    label; value_desc: newest year first. Selected values with no matches count 0."""
    from kennisbank.search.api import _ordered

    rows = [("b", "Brugge", 3), ("e2", "Éé", 5), ("a", "antwerpen", 5), ("z", "Zele", 0), ("e1", "Ee", 5)]
    assert [v for v, _, _ in _ordered(rows, "count")] == ["a", "e1", "e2", "b", "z"]
    assert [v for v, _, _ in _ordered(rows, "label")] == ["a", "b", "e1", "e2", "z"]
    assert _ordered(rows, "count")[0] == ("a", "antwerpen", 5)
    years = [("2019", "2019", 1), ("2021", "2021", 9), ("2020", "2020", 4)]
    assert [v for v, _, _ in _ordered(years, "value_desc")] == ["2021", "2020", "2019"]
