"""The engine contract, run against every engine: always the embedded one, Meilisearch when
MEILI_URL is set. Expected hits are derived from the sample content's words, so the Dutch
quality cases (stems, accents, typos, prefixes, synonyms) test the engine, not a fixed list."""

from __future__ import annotations

from collections import Counter

import pytest
from search_helpers import ENGINES, engine_of, ids_with_phrase, ids_with_prefix, ids_with_word

from kennisbank.search.documents import FacetCatalog, build_documents
from kennisbank.search.engine import SearchRequest
from kennisbank.search.settings import load_search_settings
from kennisbank.sites import load_all_sites


@pytest.fixture(scope="module")
def corpus(repo):
    """The documents as a build indexes them: each names the sites that show it."""
    return build_documents(repo, load_all_sites(repo.root))


@pytest.fixture(scope="module")
def documents(corpus):
    return corpus[0]


@pytest.fixture(scope="module")
def settings(sample_root):
    return load_search_settings(sample_root)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, corpus, settings, tmp_path_factory):
    documents, catalog = corpus
    with engine_of(request.param, documents, catalog, settings, tmp_path_factory.mktemp("index")) as engine:
        yield engine


def found(engine, q: str, **kw) -> set[str]:
    """Every hit id of a query, over all pages."""
    ids: list[str] = []
    page = 1
    while True:
        result = engine.search(SearchRequest(q=q, page=page, per_page=50, **kw))
        ids += [h.id for h in result.hits]
        if len(ids) >= result.total or not result.hits:
            assert len(ids) == result.total
            return set(ids)
        page += 1


def nonempty(ids: set[str]) -> set[str]:
    assert ids, "the sample content lacks the word this case needs"
    return ids


@pytest.mark.parametrize(("query", "other"), [("kerk", "kerken"), ("kerken", "kerk"),
                                              ("woning", "woningen"), ("woningen", "woning")])
def test_plural_and_singular_find_each_other(engine, documents, query, other):
    assert nonempty(ids_with_word(documents, other)) <= found(engine, query)


@pytest.mark.parametrize("query", ["coordinatie", "coördinatie", "COÖRDINATIE"])
def test_accents_and_case_do_not_matter(engine, documents, query):
    assert nonempty(ids_with_word(documents, "coordinatie")) <= found(engine, query)


def test_a_typo_still_finds_the_word(engine, documents):
    assert nonempty(ids_with_word(documents, "herbestemming")) <= found(engine, "herbestemmig")


def test_a_word_being_typed_matches_as_prefix(engine, documents):
    assert nonempty(ids_with_prefix(documents, "stadsproject")) <= found(engine, "stadsproj")


def test_several_words_must_all_match(engine, documents):
    both = found(engine, "kerk gent")
    assert "kerken/sint-antoniuskerk-gent" in both
    assert both <= found(engine, "kerk") & found(engine, "gent")
    assert len(both) < len(found(engine, "kerk"))


def test_stop_words_are_ignored(engine):
    assert found(engine, "de kerken") == found(engine, "kerken")
    assert found(engine, "kerken van de stad") == found(engine, "kerken stad")


@pytest.mark.parametrize(("query", "synonym"), [
    ("OCMW", "sociaal huis"), ("sociaal huis", "OCMW"),
    ("VGC", "Vlaamse Gemeenschapscommissie"), ("Vlaamse Gemeenschapscommissie", "VGC"),
    ("GDPR", "AVG"), ("AVG", "GDPR"),
    ("hergebruik", "herbestemming"), ("nevenbestemming", "herbestemming"), ("herbestemming", "nevenbestemming"),
    ("tijdelijke invulling", "tijdelijk gebruik"),
    ("internet of things", "IoT"),
])
def test_synonyms_find_each_other(engine, documents, query, synonym):
    assert nonempty(ids_with_phrase(documents, synonym)) <= found(engine, query)


def test_nonsense_finds_nothing(engine):
    result = engine.search(SearchRequest(q="xqzvwk"))
    assert result.total == 0 and result.hits == []


def test_facet_counts_add_up(engine, documents):
    result = engine.search(SearchRequest(per_page=1))
    assert result.total == len(documents)
    types = {c.value: c.count for c in result.facets["type"]}
    assert sum(types.values()) == len(documents)
    assert types == dict(Counter(d["type"] for d in documents))
    collections = {c.value: c.count for c in result.facets["collection"]}
    assert sum(collections.values()) == types["case"]
    cities = {c.value: c.count for c in result.facets["city"]}
    assert cities == dict(Counter(c for d in documents for c in d["city"]))


def test_facets_are_disjunctive(engine, documents):
    everything = engine.search(SearchRequest(per_page=1))
    values = [c.value for c in everything.facets["theme"]]
    with_theme = {t: {d["id"] for d in documents if t in d["theme"]} for t in values}
    themes = next([a, b] for a in values for b in values if with_theme[a] - with_theme[b] and with_theme[b] - with_theme[a])
    one = engine.search(SearchRequest(filters={"theme": (themes[0],)}, per_page=1))
    two = engine.search(SearchRequest(filters={"theme": tuple(themes)}, per_page=1))
    # values of one facet are OR-ed ...
    assert two.total == len(with_theme[themes[0]] | with_theme[themes[1]]) > one.total == len(with_theme[themes[0]])
    # ... and a facet's counts ignore its own filter, so the other values stay selectable
    assert {c.value: c.count for c in one.facets["theme"]} == {c.value: c.count for c in everything.facets["theme"]}
    # other facets are counted with the filter
    expected = Counter(t for d in documents if set(themes) & set(d["theme"]) for t in d["type"].split())
    assert {c.value: c.count for c in two.facets["type"]} == dict(expected)


def test_facets_are_and_ed_across_fields(engine, documents):
    result = engine.search(SearchRequest(filters={"type": ("case",), "city": ("gent", "leuven")}, per_page=50))
    expected = {d["id"] for d in documents if d["type"] == "case" and {"gent", "leuven"} & set(d["city"])}
    assert {h.id for h in result.hits} == expected and result.total == len(expected) > 0
    cities = {c.value: c.count for c in result.facets["city"]}
    assert cities == dict(Counter(c for d in documents if d["type"] == "case" for c in d["city"]))


def test_filters_combine_with_text(engine, documents):
    result = found(engine, "kerk", filters={"collection": ("kerken",)})
    assert result and all(i.startswith("kerken/") for i in result)
    assert result <= found(engine, "kerk")


def test_sort_by_date_newest_first(engine):
    result = engine.search(SearchRequest(q="stad", sort="date", per_page=50))
    dates = [h.date or "" for h in result.hits]
    assert len(dates) > 5 and dates == sorted(dates, reverse=True)


def test_paging_is_consistent(engine):
    first = engine.search(SearchRequest(sort="date", page=1, per_page=10))
    second = engine.search(SearchRequest(sort="date", page=2, per_page=10))
    both = engine.search(SearchRequest(sort="date", page=1, per_page=20))
    assert [h.id for h in first.hits + second.hits] == [h.id for h in both.hits]
    assert first.total == second.total == both.total
    beyond = engine.search(SearchRequest(page=1000, per_page=50))
    assert beyond.hits == [] and beyond.total == first.total


def test_title_ranks_above_body(engine):
    result = engine.search(SearchRequest(q="databroker", per_page=3))
    assert "databroker" in result.hits[0].title.lower()


def test_snippets_mark_matches(engine):
    hit = engine.search(SearchRequest(q="kerken", per_page=1)).hits[0]
    assert "<mark>" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_get_returns_the_document(engine, documents):
    doc = engine.get(documents[0]["id"])
    assert doc["title"] == documents[0]["title"] and doc["url"] == documents[0]["url"]
    assert engine.get("nieuws/bestaat-niet") is None


def test_facet_value_search(engine):
    values = {c.value for c in engine.facet_values("city", "ge", 10)}
    assert {"gent", "genk"} <= values and all(v.startswith("ge") for v in values)
    top = engine.facet_values("city", "", 3)
    assert len(top) == 3 and top[0].count >= top[-1].count


@pytest.mark.parametrize("site", ["kerken", "woonbeleid"])
def test_facet_values_count_only_the_documents_of_a_site(engine, documents, site):
    shown = [d for d in documents if site in d["site"]]
    assert 0 < len(shown) < len(documents)
    expected = dict(Counter(c for d in shown for c in d["city"]))
    scoped = engine.facet_values("city", "", 10_000, {"site": (site,)})
    assert {c.value: c.count for c in scoped} == expected
    everywhere = {c.value: c.count for c in engine.facet_values("city", "", 10_000)}
    assert everywhere == dict(Counter(c for d in documents for c in d["city"])) != expected
    prefixed = engine.facet_values("city", "ge", 10_000, {"site": (site,)})
    assert {c.value: c.count for c in prefixed} == {v: n for v, n in expected.items() if v.startswith("ge")}


def test_info(engine, documents):
    info = engine.info()
    assert info.documents == len(documents) and info.version


HOSTILE = {
    "id": "nieuws/hostile", "type": "news", "title": "Kerk <script>alert(1)</script> & co",
    "summary": "Samenvatting met \"quotes\" en <b>tags</b>.", "tags": [],
    "body": "Vóór de coördinatie <img src=x onerror=alert(1)> van de kerk & 'buurt' — één café.",
    "url": "/nieuws/hostile/", "date": "2020-01-02", "date_key": 737426, "collection": [], "theme": [],
    "city": ['ge"nt', 'back\\sla"sh\\'], "year": ["2020"], **{k: [] for k in ("category", "kind", "current_functions", "status",
                                                              "country", "province", "site_kind",
                                                              "temporary_functions", "owner", "policy_area",
                                                              "target_groups")},
}


@pytest.fixture(scope="module", params=ENGINES)
def hostile_engine(request, settings, tmp_path_factory):
    catalog = FacetCatalog({"type": {"news": "Nieuws"}, "city": {'ge"nt': "Gent", 'back\\sla"sh\\': "Backslash"},
                            "year": {"2020": "2020"}})
    with engine_of(request.param, [HOSTILE], catalog, settings, tmp_path_factory.mktemp("hostile")) as engine:
        yield engine


def test_snippets_escape_everything_but_mark(hostile_engine):
    hit = hostile_engine.search(SearchRequest(q="coordinatie kerk")).hits[0]
    assert "<mark>coördinatie</mark>" in hit.snippet and "<mark>kerk</mark>" in hit.snippet
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet and "&amp;" in hit.snippet


def test_filter_values_with_quotes_match_literally(hostile_engine):
    assert hostile_engine.search(SearchRequest(filters={"city": ('ge"nt',)})).total == 1
    assert hostile_engine.search(SearchRequest(filters={"city": ('ge" OR city = "x',)})).total == 0


def test_filter_values_with_backslashes_and_quotes_match_literally(hostile_engine):
    """Meilisearch reads a backslash inside a quoted filter value as an escape: the value must
    arrive with its backslashes doubled, and a trailing backslash must not swallow the quote."""
    value = 'back\\sla"sh\\'
    assert hostile_engine.search(SearchRequest(filters={"city": (value,)})).total == 1
    assert hostile_engine.search(SearchRequest(filters={"city": ("back\\sla",)})).total == 0

