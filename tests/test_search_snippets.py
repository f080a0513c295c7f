"""Snippets of the embedded engine: a long body's first passage that holds the words, marked."""

from __future__ import annotations

import pytest

from kennisbank.search.documents import FacetCatalog
from kennisbank.search.engine import SearchRequest
from kennisbank.search.settings import load_search_settings
from kennisbank.search.tantivy_engine import SNIPPET_HEAD, TantivyEngine, write_index

FILLER = "De stad werkt samen met de buurt aan een plan voor het plein en de straat. "
EMPTY_FACETS = {k: [] for k in ("collection", "theme", "category", "kind", "current_functions", "status", "country",
                                "province", "site_kind", "temporary_functions", "owner", "policy_area", "target_groups")}


def document(slug: str, body: str, summary: str = "Een samenvatting.") -> dict[str, object]:
    return {"id": f"nieuws/{slug}", "type": "news", "title": slug.capitalize(), "summary": summary, "tags": [],
            "body": body, "url": f"/nieuws/{slug}/", "date": "2020-01-02", "date_key": 737426, "city": [],
            "year": ["2020"], **EMPTY_FACETS}


@pytest.fixture(scope="module")
def engine(sample_root, tmp_path_factory):
    late = FILLER * 30 + "Hier staat de fietsstraat. " + FILLER * 5
    early = "De fietsstraat komt er. " + FILLER * 20 + "fietsstraat fietsstraat fietsstraat. " + FILLER * 5
    docs = [document("laat", late), document("vroeg", early),
            document("samenvatting", FILLER * 20, "Over de fietsstraat."), document("kort", "Een fietsstraat.")]
    folder = tmp_path_factory.mktemp("snippets") / "index"
    settings = load_search_settings(sample_root)
    write_index(docs, FacetCatalog({"type": {"news": "Nieuws"}, "year": {"2020": "2020"}}), settings, folder)
    return TantivyEngine(folder, settings, cache_size=0)


def snippets(engine: TantivyEngine) -> dict[str, str]:
    return {h.id: h.snippet for h in engine.search(SearchRequest(q="fietsstraat", facets=())).hits}


def test_a_match_only_past_the_head_is_found_in_the_rest(engine):
    late = snippets(engine)["nieuws/laat"]
    assert late.startswith("…") and late.endswith("…") and "<mark>fietsstraat</mark>" in late
    assert len(FILLER * 30) > SNIPPET_HEAD


def test_the_first_passage_holding_the_words_is_shown(engine):
    """The head's one match wins over a denser passage further on: the head is read first."""
    early = snippets(engine)["nieuws/vroeg"]
    assert early.startswith("De <mark>fietsstraat</mark> komt er.") and early.endswith("…")
    assert early.count("<mark>") == 1


def test_short_texts_and_summaries(engine):
    found = snippets(engine)
    assert found["nieuws/kort"] == "Een <mark>fietsstraat</mark>…"  # the fragment ends with its last word
    assert found["nieuws/samenvatting"] == "Over de <mark>fietsstraat</mark>…"
