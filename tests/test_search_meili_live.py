"""What only a real Meilisearch server can show: key creation, several document batches, a swap
over a populated live index, and the /api endpoints answered from Meilisearch. Skipped unless
MEILI_URL (and MEILI_MASTER_KEY) point at a running server; none can be installed here."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from search_helpers import NO_MEILI, live_server

from kennisbank.search import meili
from kennisbank.search.documents import build_documents
from kennisbank.search.engine import SearchRequest
from kennisbank.search.settings import load_search_settings
from kennisbank.search.tantivy_engine import write_index

pytestmark = pytest.mark.skipif(not os.environ.get("MEILI_URL"), reason=NO_MEILI)


@pytest.fixture(scope="module")
def corpus(repo):
    return build_documents(repo)


@pytest.fixture(scope="module")
def settings(sample_root):
    return load_search_settings(sample_root)


@pytest.fixture
def uid():
    name = f"kennisbank_live_{uuid.uuid4().hex[:10]}"
    yield name
    meili.delete_index(meili.Connection.from_environment(), name)


def test_push_in_several_batches_and_a_swap_over_a_populated_live_index(monkeypatch, corpus, settings, uid):
    documents, _ = corpus
    connection = meili.Connection.from_environment()
    monkeypatch.setattr(meili, "BATCH_SIZE", 25)  # the sample content becomes seven batches
    meili.push(connection, documents[:60], settings, uid)
    engine = meili.MeiliEngine(connection, settings, uid)
    assert engine.info().documents == 60
    report = meili.push(connection, documents, settings, uid)  # over the populated live index
    assert report.warnings == []
    assert engine.search(SearchRequest(per_page=1)).total == len(documents)
    existing = {i.uid for i in connection.client().get_indexes({"limit": 1000})["results"]}
    assert not any(name.startswith(f"{uid}_new_") for name in existing)


def test_the_search_key_is_created_once_and_may_only_search(corpus, settings, uid):
    documents, _ = corpus
    master = meili.Connection.from_environment()
    meili.push(master, documents[:10], settings, uid)
    scoped = meili.Connection(url=master.url, key=master.key, index=uid)
    key = meili.search_key(scoped)
    assert key and meili.search_key(scoped) == key
    searcher = meili.Connection(url=master.url, key=key, index=uid)
    assert meili.MeiliEngine(searcher, settings, uid).search(SearchRequest(q="kerk")).total >= 0
    with pytest.raises(meili.MeiliError):
        meili.delete_index(searcher, uid)


def test_the_api_answers_from_meilisearch(monkeypatch, corpus, settings, uid, sample_root, tmp_path):
    from kennisbank.config import load_settings
    from kennisbank.search.api import create_api

    documents, catalog = corpus
    write_index(documents, catalog, settings, tmp_path / "search")  # the labels the API shows
    connection = meili.Connection.from_environment()
    meili.push(connection, documents, settings, uid)
    engine = meili.MeiliEngine(connection, settings, uid, tmp_path / "search")
    with live_server(create_api(tmp_path, load_settings(sample_root), engine)) as base:
        search = httpx.get(f"{base}/search", params={"q": "kerken", "city": "gent"}).json()
        assert "kerken/sint-antoniuskerk-gent" in {h["id"] for h in search["hits"]}
        cities = {d["id"]: d["city"] for d in documents}
        assert all("gent" in cities[h["id"]] for h in search["hits"])
        assert httpx.get(f"{base}/search", params={"q": "kerk", "sort": "date"}).status_code == 200
        item = httpx.get(f"{base}/items/{documents[0]['id']}")
        assert item.status_code == 200 and item.json()["title"] == documents[0]["title"]
        assert httpx.get(f"{base}/facets/city", params={"prefix": "ge"}).status_code == 200
        health = httpx.get(f"{base}/health").json()
        assert health["engine"] == "meilisearch" and health["documents"] == len(documents)
