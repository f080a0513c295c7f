"""Small parts of search: settings validation, snippets, Markdown to text, query analysis."""

from __future__ import annotations

import shutil

import pytest

from kennisbank.errors import KennisbankError
from kennisbank.search.documents import markdown_to_text
from kennisbank.search.query import analyse
from kennisbank.search.settings import load_search_settings
from kennisbank.search.snippets import marked_html, plain_snippet


@pytest.fixture
def settings_root(sample_root, tmp_path):
    shutil.copytree(sample_root / "search", tmp_path / "search")
    return tmp_path


@pytest.mark.parametrize(("file", "text", "message"), [
    ("index.yml", "searchable: [{field: titel}]\nfacets: []\n", "searchable[1]: field must be one of"),
    ("index.yml", "searchable: [{field: title}]\nfacets: [{field: kleur, label: Kleur}]\n", "unknown facet field 'kleur'"),
    ("index.yml", "searchable: [{field: title}]\nfacets: [{field: city}]\n", "facets[1]: label is required"),
    ("index.yml", "searchable: [{field: title}]\nfacetten: []\n", "unknown key(s) facetten"),
    ("index.yml", "searchable: [{field: title, boost: -1}]\n", "boost must be a positive number"),
    ("index.yml", "searchable: [\n", "YAML error"),
    ("synonyms.yml", "- [OCMW]\n", "entry 1: a group lists two or more"),
    ("stopwords.yml", "- de\n- twee woorden\n", "entry 2: a stop word is one word"),
])
def test_bad_settings_name_file_and_entry(settings_root, file, text, message):
    (settings_root / "search" / file).write_text(text, encoding="utf-8")
    with pytest.raises(KennisbankError) as caught:
        load_search_settings(settings_root)
    assert f"search/{file}" in str(caught.value) and message in str(caught.value)


def test_marked_html_uses_byte_ranges_and_escapes():
    text = "één <b>kerk</b> & café"
    start = len("één <b>".encode())
    assert marked_html(text, [(start, start + 4)]) == "één &lt;b&gt;<mark>kerk</mark>&lt;/b&gt; &amp; café"
    assert marked_html("a<b", []) == "a&lt;b"
    assert plain_snippet("woord " * 100, 20).endswith("…") and len(plain_snippet("woord " * 100, 20)) <= 21


def test_markdown_becomes_plain_text():
    text = markdown_to_text("# Titel\n\nEen [link](https://x.be) en **vet**.\n\n- punt één\n- punt <em>twee</em>\n")
    assert text == "Titel Een link en vet. punt één punt twee"


def test_query_analysis_finds_synonym_phrases_and_drops_stop_words(sample_root):
    settings = load_search_settings(sample_root)
    units = analyse("de tijdelijke invulling in Gent", settings)
    assert [u.phrases for u in units] == [(("tijdelijk", "gebruik"), ("tijdelijke", "invulling")), (("gent",),)]
    assert units[-1].last and not units[0].last
    assert [u.phrases for u in analyse("de", settings)] == [(("de",),)]
