"""The result cache of the embedded engine: same answers as without it, dropped on a new index."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from kennisbank.search.cache import CACHE_ENV, LruCache, cache_entries
from kennisbank.search.documents import build_documents
from kennisbank.search.engine import FacetCount, SearchRequest
from kennisbank.search.index_files import swap_in
from kennisbank.search.settings import load_search_settings
from kennisbank.search.tantivy_engine import HIT_FIELDS, TantivyEngine, new_index_folder, write_index


def test_lru_keeps_the_most_recently_used_entries():
    cache: LruCache[int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert (cache.hits, cache.misses, len(cache)) == (3, 1, 2)
    assert cache.get_or_compute("d", lambda: 4) == 4 and cache.get("d") == 4


def test_size_zero_caches_nothing(monkeypatch):
    cache: LruCache[int] = LruCache(0)
    calls = []
    for _ in range(2):
        cache.get_or_compute("k", lambda: calls.append(1) or 1)
    assert len(calls) == 2 and len(cache) == 0
    monkeypatch.setenv(CACHE_ENV, "0")
    assert cache_entries() == 0
    monkeypatch.setenv(CACHE_ENV, "12")
    assert cache_entries() == 12


@pytest.fixture(scope="module")
def index(repo, sample_root, tmp_path_factory):
    documents, catalog = build_documents(repo)
    settings = load_search_settings(sample_root)
    folder = tmp_path_factory.mktemp("cached") / "search"
    write_index(documents, catalog, settings, folder)
    return folder, settings


REQUESTS = [
    SearchRequest(q="kerk"),
    SearchRequest(q="kerk", filters={"city": ("gent",)}),
    SearchRequest(q="kerk", filters={"city": ("gent", "leuven")}),
    SearchRequest(q="kerk", filters={"city": ("leuven", "gent")}, sort="date"),
    SearchRequest(q="kerk", page=2, per_page=3),
    SearchRequest(q="wonen", filters={"city": ("gent",), "type": ("news",)}),
    SearchRequest(q="", filters={"type": ("news",)}),
    SearchRequest(q="tijdelijke invulling"),
]


def test_cached_answers_equal_uncached_answers(index):
    folder, settings = index
    cached, uncached = TantivyEngine(folder, settings, cache_size=64), TantivyEngine(folder, settings, cache_size=0)
    for _ in range(2):  # the second round is answered from the cache
        for request in REQUESTS + REQUESTS[::-1]:
            assert cached.search(request) == uncached.search(request), request
    assert cached.pages.hits > 0 and cached.counts.hits > 0
    assert uncached.pages.hits == 0 and len(uncached.counts) == 0


def test_a_toggled_filter_reuses_the_counts_of_the_unfiltered_query(index):
    folder, settings = index
    engine = TantivyEngine(folder, settings, cache_size=64)
    engine.search(SearchRequest(q="kerk"))
    hits = engine.counts.hits
    result = engine.search(SearchRequest(q="kerk", filters={"city": ("gent",)}))
    assert engine.counts.hits == hits + 1  # the city counts: every filter but its own = none
    assert result.facets["city"] == engine.search(SearchRequest(q="kerk")).facets["city"]


@pytest.mark.parametrize("way", ["bitsets", "postings", "columns"])
def test_facet_counts_are_the_documents_the_search_matches(index, repo, monkeypatch, way):
    """Every count equals the number of matched documents (every filter but the facet's own)
    holding the value, counted from the documents themselves: for multi-valued facets, several
    facets counted together, one facet counted alone, and filter-only browsing; counted from the
    document sets (bitmaps), and, without them, from the facet terms' postings and from the facet
    columns (tantivy's two ways, picked by the share matched)."""
    from kennisbank.search import tantivy_engine

    monkeypatch.setattr(tantivy_engine, "AGGREGATE_SHARE", 1.0 if way == "columns" else 0.0)
    folder, settings = index
    documents = {d["id"]: d for d in build_documents(repo)[0]}
    engine = TantivyEngine(folder, settings, cache_size=0)
    assert engine.sets is not None
    if way != "bitsets":
        engine.sets = None
    requests = [*REQUESTS, SearchRequest(q="de"), SearchRequest(q="", filters={"city": ("gent",)}),
                SearchRequest(q="kerk", filters={"theme": ("herbestemming-van-parochiekerken",)}),
                SearchRequest(q="kerk", facets=("theme",)), SearchRequest(q="wonen", facets=("city", "type")),
                SearchRequest(q="kerk", facets=("status", "country")),  # a collection's own facets only
                SearchRequest(q="kerk", facets=("city", "current_functions", "year"))]  # both groups
    checked = 0
    for request in requests:
        result = engine.search(request)
        every_hit = engine.search(replace(request, facets=(), page=1, per_page=len(documents))).hits
        assert result.total == len(every_hit), request
        for name, counts in result.facets.items():
            everything = replace(request, filters=request.filters_without(name), facets=(), page=1,
                                 per_page=len(documents))
            expected: Counter[str] = Counter()
            for hit in engine.search(everything).hits:
                value = documents[hit.id].get(name) or []
                expected.update({value} if isinstance(value, str) else set(value))
            assert {c.value: c.count for c in counts} == dict(expected), (request, name)
            assert len(counts) == len(expected) and all(c.count for c in counts)  # each value once, none at 0
            checked += sum(c.count for c in counts)
    assert checked > 100


def test_a_swapped_index_is_never_answered_from_the_old_cache(repo, sample_root, tmp_path):
    documents, catalog = build_documents(repo)
    settings = load_search_settings(sample_root)
    target = tmp_path / "search"
    write_index(documents, catalog, settings, target)
    engine = TantivyEngine(target, settings, cache_size=64)
    request = SearchRequest(q="kerk")
    before = engine.search(request)
    assert before.total > 1
    fewer = [d for d in documents if d["id"] != before.hits[0].id]
    folder = new_index_folder(tmp_path)
    write_index(fewer, catalog, settings, folder)
    swap_in(folder, target)
    after = engine.search(request)
    assert after.total == before.total - 1
    assert before.hits[0].id not in {h.id for h in after.hits}


def test_an_index_written_in_an_older_layout_is_refused_with_the_command_that_rewrites_it(index, tmp_path):
    import json
    import shutil

    from kennisbank.errors import KennisbankError
    from kennisbank.search.index_files import META_FILE

    folder, settings = index
    old = shutil.copytree(folder, tmp_path / "search")
    meta = json.loads((old / META_FILE).read_text(encoding="utf-8"))
    del meta["format"]  # as kennisbank wrote it before facet terms had groups
    (old / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(KennisbankError, match="run `kennisbank build`"):
        TantivyEngine(old, settings)


def test_document_sets_that_number_the_documents_differently_are_not_used(repo, sample_root, tmp_path):
    """The bitmaps number documents by their position in the index; sets written for another
    order (a stale or foreign file) are refused, and tantivy counts instead."""
    import shutil

    from kennisbank.search.bitsets import FILE

    documents, catalog = build_documents(repo)
    settings = load_search_settings(sample_root)
    write_index(documents, catalog, settings, tmp_path / "a")
    write_index(documents[::-1], catalog, settings, tmp_path / "b")
    shutil.copy(tmp_path / "b" / FILE, tmp_path / "a" / FILE)
    engine = TantivyEngine(tmp_path / "a", settings, cache_size=0)
    assert engine.sets is None
    honest = TantivyEngine(tmp_path / "b", settings, cache_size=0)
    assert honest.sets is not None
    request = SearchRequest(q="kerk", filters={"city": ("gent",)}, per_page=50)
    refused, counted = engine.search(request), honest.search(request)
    assert (refused.total, by_value(refused.facets)) == (counted.total, by_value(counted.facets))
    assert {h.id for h in refused.hits} == {h.id for h in counted.hits}


def test_document_sets_count_what_tantivy_counts_for_many_random_requests(index, repo):
    """Totals and facet counts from the bitmaps equal tantivy's own for 300 random requests:
    one to three words of the sample's titles (the last one also cut short, as while typing),
    with and without filters on one or two facets."""
    import random

    from kennisbank.search.query import words

    folder, settings = index
    documents = build_documents(repo)[0]
    vocabulary = sorted({w for d in documents for w in words(d["title"]) if len(w) > 2})
    values = {name: sorted({v for d in documents for v in ([d[name]] if isinstance(d.get(name), str) else d.get(name) or [])})
              for name in ("city", "theme", "type", "collection")}
    with_sets = TantivyEngine(folder, settings, cache_size=0)
    without = TantivyEngine(folder, settings, cache_size=0)
    without.sets = None
    assert with_sets.sets is not None
    rng = random.Random(12)
    for _ in range(300):
        q = [rng.choice(vocabulary) for _ in range(rng.choice((1, 1, 2, 3)))]
        if rng.random() < 0.3:
            q[-1] = q[-1][:rng.randint(2, len(q[-1]))]
        filters = {name: tuple(rng.sample(values[name], rng.choice((1, 1, 2))))
                   for name in rng.sample(sorted(values), rng.choice((0, 0, 1, 2)))}
        request = SearchRequest(q=" ".join(q), filters=filters, facets=("type", "collection", "theme", "city", "year"))
        counted, reference = with_sets.search(request), without.search(request)
        assert (counted.total, by_value(counted.facets)) == (reference.total, by_value(reference.facets)), request


def test_the_document_store_gives_the_documents_tantivy_stores(index):
    """Hits and ``get`` read the document store; it holds, by number, what tantivy's stored copy
    holds, so both readers give the same documents."""
    import tantivy

    folder, settings = index
    engine = TantivyEngine(folder, settings, cache_size=0)
    assert engine.store is not None
    searcher = engine._searcher()
    without = TantivyEngine(folder, settings, cache_size=0)
    without.store = None
    for n in range(searcher.num_docs):
        address = tantivy.DocAddress(0, n)
        whole = engine._document(searcher, address)
        assert whole == without._document(searcher, address)
        assert engine._document(searcher, address, head=True) == {k: v for k, v in whole.items() if k in HIT_FIELDS}
    request = SearchRequest(q="kerk", per_page=20)
    assert engine.search(request) == without.search(request)
    first = engine.search(request).hits[0].id
    assert engine.get(first) == without.get(first) and engine.get(first)["id"] == first


@pytest.mark.parametrize("damage", ["reversed", "truncated", "missing", "foreign"])
def test_a_document_store_that_does_not_fit_the_index_is_not_used(repo, sample_root, tmp_path, damage):
    """A store written in another order, cut short, gone or not a store at all is refused, and
    the documents come from tantivy's stored copy: the answers stay the same."""
    import shutil

    from kennisbank.search.store import FILE

    documents, catalog = build_documents(repo)
    settings = load_search_settings(sample_root)
    write_index(documents, catalog, settings, tmp_path / "a")
    honest = TantivyEngine(tmp_path / "a", settings, cache_size=0)
    target = tmp_path / "a" / FILE
    replacement = tmp_path / "replacement"  # a new file renamed over the store: the honest engine maps the old one
    if damage == "reversed":
        write_index(documents[::-1], catalog, settings, tmp_path / "b")
        shutil.copy(tmp_path / "b" / FILE, replacement)
    elif damage == "truncated":
        replacement.write_bytes(target.read_bytes()[:-100])
    else:
        replacement.write_bytes(b"not a store")
    if damage == "missing":
        target.unlink()
    else:
        replacement.replace(target)
    engine = TantivyEngine(tmp_path / "a", settings, cache_size=0)
    assert engine.store is None and honest.store is not None
    request = SearchRequest(q="kerk", filters={"city": ("gent",)}, per_page=50)
    assert engine.search(request) == honest.search(request)


def test_the_compiled_bitmap_loops_agree_with_numpy():
    """``_bits.c`` against NumPy on random bitmaps, with row and word counts that do and do not
    fill the loops' groups (four rows, two words), and refuses what it cannot do instead of
    reading past a buffer."""
    import numpy as np

    from kennisbank.search import _bits

    rng = np.random.default_rng(5)
    for rows, words in ((9, 1), (9, 3), (4, 4), (3, 7), (9, 1563), (0, 5)):
        matrix = rng.integers(0, 2**64, size=(rows, words), dtype=np.uint64)
        bits = rng.integers(0, 2**64, size=words, dtype=np.uint64)
        out = np.full(rows, -1, dtype=np.int64)
        _bits.shared_counts(matrix, bits, out)
        assert out.tolist() == np.bitwise_count(matrix & bits).sum(axis=1).tolist()
        numbers = rng.choice(words * 64, size=min(500, words * 64), replace=False).astype(np.int32)
        made = np.zeros(words, dtype=np.uint64)
        _bits.set_numbers(made, numbers)
        flags = np.zeros(words * 64, dtype=bool)
        flags[numbers] = True
        assert made.tolist() == np.packbits(flags, bitorder="little").view(np.uint64).tolist()
    with pytest.raises(IndexError, match="outside the bitmap"):
        _bits.set_numbers(np.zeros(2, dtype=np.uint64), np.array([128], dtype=np.int32))
    with pytest.raises(ValueError, match="rows of len"):
        _bits.shared_counts(np.zeros((2, 3), dtype=np.uint64), np.zeros(2, dtype=np.uint64), np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="8-byte items"):
        _bits.shared_counts(np.zeros((2, 3), dtype=np.uint32), np.zeros(3, dtype=np.uint64), np.zeros(2, dtype=np.int64))


def by_value(facets: dict[str, list[FacetCount]]) -> dict[str, dict[str, int]]:
    """Facet counts without their order (the engine's order is its own; the API orders them)."""
    return {name: {c.value: c.count for c in counts} for name, counts in facets.items()}
