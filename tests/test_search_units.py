"""Small parts of search: settings validation, snippets, Markdown to text, query analysis."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import markdown
import pytest

from kennisbank.errors import ContentInvalid, KennisbankError
from kennisbank.search.plaintext import markdown_to_text
from kennisbank.search.query import analyse, fold
from kennisbank.search.settings import load_search_settings
from kennisbank.search.snippets import marked_html, plain_snippet


@pytest.fixture
def settings_root(sample_root, tmp_path):
    shutil.copytree(sample_root / "search", tmp_path / "search")
    return tmp_path


@pytest.mark.parametrize(("file", "text", "message"), [
    ("index.yml", "searchable: [{field: titel}]\nfacets: []\n",
     "search/index.yml:1: searchable[0].field: unknown searchable field 'titel' (known: title, topics, tags, summary, body)"),
    ("index.yml", "searchable: [{field: title}]\nfacets: [{field: kleur, label: Kleur}]\n",
     "search/index.yml:2: facets[0].field: unknown facet field 'kleur'"),
    ("index.yml", "searchable: [{field: title}]\nfacets:\n  - {field: city}\n", "search/index.yml:3: facets[0].label: Field required"),
    ("index.yml", "searchable: [{field: title}]\nfacetten: []\n", "search/index.yml:2: facetten: unknown setting; known: searchable"),
    ("index.yml", "searchable: [{field: title, boost: -1}]\n", "search/index.yml:1: searchable[0].boost: Input should be greater than 0"),
    ("index.yml", "searchable: [\n", "search/index.yml:2: file: YAML syntax error"),
    ("synonyms.yml", "- [OCMW]\n", "search/synonyms.yml:1: [0]: List should have at least 2 items"),
    ("stopwords.yml", "- de\n- twee woorden\n", "search/stopwords.yml:2: [1]: String should match pattern"),
])
def test_bad_settings_name_file_line_and_entry(settings_root, file, text, message):
    (settings_root / "search" / file).write_text(text, encoding="utf-8")
    with pytest.raises(KennisbankError) as caught:
        load_search_settings(settings_root)
    assert isinstance(caught.value, ContentInvalid)
    assert [str(e) for e in caught.value.errors if str(e).startswith(message)], caught.value.errors


def test_marked_html_uses_byte_ranges_and_escapes():
    text = "één <b>kerk</b> & café"
    start = len("één <b>".encode())
    assert marked_html(text, [(start, start + 4)]) == "één &lt;b&gt;<mark>kerk</mark>&lt;/b&gt; &amp; café"
    assert marked_html("a<b", []) == "a&lt;b"
    two = "kerk & kerken"
    assert marked_html(two, [(len(b"kerk & "), len(two.encode())), (0, 4)]) == "<mark>kerk</mark> &amp; <mark>kerken</mark>"
    assert marked_html("a\x01b\x02kerk", [(4, 8)]) == "a b <mark>kerk</mark>"  # control characters cannot forge marks
    assert plain_snippet("woord " * 100, 20).endswith("…") and len(plain_snippet("woord " * 100, 20)) <= 21


def test_markdown_becomes_plain_text():
    text = markdown_to_text("# Titel\n\nEen [link](https://x.be) en **vet**.\n\n- punt één\n- punt <em>twee</em>\n")
    assert text == "Titel Een link en vet. punt één punt twee"


class _RenderedText(HTMLParser):
    """The oracle: the text of Python-Markdown's HTML as a visitor reads it (blocks meet with a
    space; a picture reads as its alt text)."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "blockquote", "pre", "div"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts.append(" " if tag in self.BLOCKS else "")
        if tag == "img":  # the alt text stands for the picture
            self.parts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.parts.append(data)


def rendered_text(source: str) -> str:
    parser = _RenderedText()
    parser.feed(markdown.markdown(source, extensions=["tables", "attr_list"]))
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


MARKDOWN_CASES = [
    "## Kop met *nadruk* en `code`\n\nTekst met __vet__ en _schuin_ en ***beide***.",
    "Zie [de fiche](/kerken/x/ \"titel\") en ![foto van de kerk](fotos/kerk.svg).",
    "Een [link][ref] naar elders.\n\n[ref]: https://voorbeeld.be/pad",
    "Mail <info@voorbeeld.be> of kijk op <https://voorbeeld.be/>.",
    "1. eerste\n2. tweede\n\n* ster\n+ plus",
    "> Een citaat\n> over twee regels.",
    "| Stad | Aantal |\n|------|-------:|\n| Gent | 12 |\n| Aalst | 3 |",
    "Tekst\n\n---\n\nNa de lijn.\n\n***\n",
    "Kop\n===\n\nOnderkop\n---\n\nTekst.",
    "Een brede alinea.\n{: .breed }\n\n## Kop {#anker}",
    "```\ncode blok\n```\n\nNa de code.",
    "Snake_case_woord blijft, 5 \\* 3 en \\_niet schuin\\_ en &amp; en &eacute;.",
    "Tekst met <span class=\"x\">inline</span> HTML en <!-- commentaar --> einde.",
    "Regel met twee spaties  \nnieuwe regel.",
    "[![badge](b.svg)](https://x.be) na de badge.",
    "Bedragen: 3 < 5 en 7 > 2.",
]


@pytest.mark.parametrize("source", MARKDOWN_CASES)
def test_markdown_to_text_shows_what_the_rendered_page_shows(source):
    assert markdown_to_text(source) == rendered_text(source)


def test_markdown_to_text_matches_rendering_on_the_sample_content(repo):
    bodies = [item.body for item in repo.published]
    assert bodies
    assert [markdown_to_text(b) for b in bodies] == [rendered_text(b) for b in bodies]


def test_query_analysis_finds_synonym_phrases_and_drops_stop_words(sample_root):
    settings = load_search_settings(sample_root)
    units = analyse("de tijdelijke invulling in Gent", settings)
    assert [u.phrases for u in units] == [(("tijdelijk", "gebruik"), ("tijdelijke", "invulling")), (("gent",),)]
    assert units[-1].last and not units[0].last
    assert [u.phrases for u in analyse("de", settings)] == [(("de",),)]


def test_fold_takes_the_short_way_for_ascii_with_the_same_result():
    import unicodedata

    def decomposed(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))

    every_ascii = "".join(map(chr, range(128)))
    assert fold(every_ascii) == decomposed(every_ascii)
    assert fold("Coördinatie Ĳzer ﬁets") == decomposed("Coördinatie Ĳzer ﬁets") == "coordinatie ijzer fiets"


def test_a_word_typed_twice_counts_once(sample_root):
    settings = load_search_settings(sample_root)
    assert analyse("architect architect", settings) == analyse("architect", settings)
    kerk, gent = analyse("kerk gent kerk", settings)
    assert (kerk.phrases, kerk.last, gent.phrases, gent.last) == ((("kerk",),), True, (("gent",),), False)
    assert len(analyse("kerk kerken", settings)) == 2  # different words, even with the same stem
