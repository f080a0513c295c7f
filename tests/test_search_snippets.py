"""Snippets of the embedded engine: a long body's first passage that holds the words, marked."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kennisbank.search import tantivy_engine
from kennisbank.search._snippet import fragment_html
from kennisbank.search.analysis import FOLDING_END, LETTER, SEPARATOR, folding_table
from kennisbank.search.documents import FacetCatalog
from kennisbank.search.engine import SearchRequest
from kennisbank.search.evaluation import load_judgements
from kennisbank.search.query import analyse
from kennisbank.search.settings import load_search_settings
from kennisbank.search.tantivy_engine import SNIPPET_CHARS, SNIPPET_HEAD, Highlighter, TantivyEngine, tantivy_marked, write_index

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


# -- the compiled pass (_snippet.c) against tantivy's snippet generator --------------------------

PIECES = ["fietsstraat", "Fietsstraat", "FIETSSTRAAT", "fietsstraten", "plein", "Plein", "stad", "straat", "plan",
          "de", "buurt", "x" * 39, "x" * 40, "é" * 19 + "e", "é" * 20, "fietsstraatééé", "Coördinatie", "België",
          "Straße", "œuvre", "Æsop", "ǅemal", "İzmir", "½", "²", "١٢٣", "–", "’", "“", "”", "€", "…", "\u00a0",
          "&", "<b>", '"', "'", "\x01", "\x02", "\t", "\n", "a"]
BEYOND_THE_TABLE = ["漢字", "😀", "ﬁets"]  # the compiled pass hands texts with these on to tantivy
GLUE = [" ", " ", " ", "", ", ", "-", "\n", ". "]


def highlighter(engine: TantivyEngine, q: str) -> Highlighter:
    plan = engine.plan(tuple(analyse(q, engine.settings)), q)
    found = engine._highlighter(engine._current, plan)
    assert found is not None
    return found


def random_text(rng: random.Random) -> str:
    pieces = [rng.choice(BEYOND_THE_TABLE if rng.random() < 0.004 else PIECES) for _ in range(rng.randrange(0, 160))]
    return "".join(piece + rng.choice(GLUE) for piece in pieces)


def test_the_compiled_pass_marks_what_tantivy_marks(engine):
    """Random texts of the words, cases, accents, punctuation, long words, HTML characters and
    scripts a text can hold, each marked by the compiled pass and by tantivy's generator: the
    same fragment, the same marks, the same ellipses, for texts the pass reads and (through
    tantivy) for those it hands on."""
    rng = random.Random(12)
    marked = handed_on = 0
    for q in ("fietsstraat", "fietsstraat plein", "stad plan buurt", "straat"):
        found = highlighter(engine, q)
        for _ in range(500):
            text = random_text(rng)
            before, after = rng.random() < 0.2, rng.random() < 0.2
            assert found.marked(text, before, after) == tantivy_marked(found.generator(), text, before, after), text
            answered = fragment_html(text, found.terms, folding_table(), SNIPPET_CHARS)
            handed_on += answered is NotImplemented
            marked += isinstance(answered, tuple)
    assert marked > 800 and handed_on > 100  # both ways were taken


def test_fragments_of_equal_score_and_words_across_the_limit(engine):
    found = highlighter(engine, "plein")
    for filler in range(150, 200):  # the second match sits on, before and after the 180-byte limit
        text = "plein " + "y" * filler + " plein en nog wat"
        assert found.marked(text, False, False) == tantivy_marked(found.generator(), text, False, False)
    assert found.marked("Een plein. " + "z " * 100 + "Een plein.", False, False) == "Een <mark>plein</mark>. " \
        + "z " * 84 + "z…"  # equal scores: the first fragment wins


def test_hits_on_the_sample_content_are_marked_alike_both_ways(repo, tmp_path, monkeypatch):
    """Every judged query's hits on the real sample texts: the same snippets with the compiled
    pass as with tantivy's generator alone."""
    from kennisbank.search.documents import build_documents

    documents, catalog = build_documents(repo)
    settings = load_search_settings(repo.root)
    write_index(documents, catalog, settings, tmp_path / "index")
    engine = TantivyEngine(tmp_path / "index", settings, cache_size=0)
    queries = [j.q for j in load_judgements(Path(__file__).parent / "relevance" / "queries.yml")]

    def snippets_of_all() -> list[str]:
        return [h.snippet for q in queries for h in engine.search(SearchRequest(q=q, per_page=20, facets=())).hits]

    compiled = snippets_of_all()
    monkeypatch.setattr(tantivy_engine, "fragment_html", lambda *args: NotImplemented)
    assert snippets_of_all() == compiled
    assert len(compiled) > 400 and sum("<mark>" in s for s in compiled) > 300


def test_the_folding_table_is_read_from_the_analyzer():
    table = folding_table()
    assert len(table) == FOLDING_END * 8

    def entry(char: str) -> tuple[int, bytes]:
        at = ord(char) * 8
        return table[at], table[at + 2:at + 2 + table[at + 1]]

    assert entry("É") == (LETTER, b"e") and entry("ß") == (LETTER, b"ss") and entry("Q") == (LETTER, b"q")
    assert entry("–")[0] == entry(" ")[0] == entry("€")[0] == entry("’")[0] == SEPARATOR


def test_the_compiled_pass_refuses_bad_input():
    table = folding_table()
    with pytest.raises(ValueError, match="table"):
        fragment_html("kerk", {"kerk": 1}, table[:-8], 180)
    with pytest.raises(TypeError, match="terms"):
        fragment_html("kerk", {"kerk": "1"}, table, 180)  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="max_chars"):
        fragment_html("kerk", {"kerk": 1}, table, 0)
    assert fragment_html("kerk", {"kerk": 0}, table, 180) is None  # a word no document holds is not marked
    assert fragment_html("", {"kerk": 1}, table, 180) is None
