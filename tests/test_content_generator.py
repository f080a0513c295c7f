"""The corpus generator: deterministic, valid, and spread over every type."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from kennisbank.content.check import check_repository
from kennisbank.content.types import CONTENT_TYPES

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "generate_corpus.py"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("generate_corpus_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_same_seed_gives_same_bytes_and_other_seed_differs(gen):
    first = list(gen.documents(300, seed=5))
    assert first == list(gen.documents(300, seed=5))
    assert first != list(gen.documents(300, seed=6))
    assert gen.generate is gen.documents


def test_exactly_n_items_with_unique_paths(gen):
    docs = list(gen.documents(1000, seed=1))
    assert len(docs) == 1000
    assert len({path for path, _ in docs}) == 1000


def test_type_counts_sum_to_n(gen):
    for n in (0, 1, 7, 99, 1000, 100_000):
        assert sum(gen.type_counts(n).values()) == n


def test_written_corpus_passes_check_and_covers_every_type(gen, tmp_path):
    out = tmp_path / "corpus"
    counts = gen.write_corpus(out, 1200, seed=3)
    assert sum(counts.values()) == 1200
    assert (out / "mkdocs.yml").is_file() and (out / "content/registries/cities.yml").is_file()
    result = check_repository(out)
    assert result.errors == []
    per_type = Counter(item.type.name for item in result.items)
    assert set(per_type) == {ct.name for ct in CONTENT_TYPES}
    assert per_type["news"] > per_type["event"] > per_type["churches"] > per_type["page"]
    # Zipf-like facets: the most used city appears far more often than the median one.
    cities = Counter(city for item in result.items for city in item.cities)
    ranked = [count for _, count in cities.most_common()]
    assert ranked[0] > 3 * ranked[len(ranked) // 2]


def test_written_bytes_are_reproducible(gen, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    gen.write_corpus(a, 150, seed=9)
    gen.write_corpus(b, 150, seed=9)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / p).read_bytes() == (b / p).read_bytes() for p in files_a)


def test_command_line(gen, tmp_path, capsys):
    assert gen.main(["--items", "120", "--out", str(tmp_path / "c"), "--seed", "2"]) == 0
    assert "total" in capsys.readouterr().out
    assert check_repository(tmp_path / "c").errors == []


def test_text_has_a_long_tail_vocabulary(gen):
    """Search benchmarks need realistic words: Zipf-spread content words, none in most documents,
    the typical one rare; function words (all search stop words) are the most frequent."""
    frequency: Counter = Counter()
    docs = [text.split("---", 2)[2] for _, text in gen.documents(1000, seed=4)]
    for body in docs:
        frequency.update({w.strip(".,").lower() for w in body.split() if len(w) > 3})
    content = {w: c for w, c in frequency.items() if w in set(gen._VOCABULARY)}
    assert len(content) > 1500
    assert max(content.values()) < 0.4 * len(docs)
    assert sorted(content.values())[len(content) // 2] < 0.05 * len(docs)  # the median word is rare
    assert max(content.values()) < max(frequency[w] for w in gen._FUNCTION_WORDS)


def test_documents_of_a_theme_share_its_words(gen):
    """Topic words follow the themes, so a theme filter and a query word correlate."""
    docs = list(gen.documents(2000, seed=2))
    theme = "herbestemming-van-parochiekerken"
    with_theme = [text for _, text in docs if f"- {theme}\n" in text]
    others = [text for _, text in docs if f"- {theme}\n" not in text]
    theme_words = set(gen._Generator(0, 1, gen.load_vocabulary()).theme_words[theme])

    def used(texts: list[str]) -> float:  # theme words per document, on average
        return sum(len(theme_words & set(t.split("---", 2)[2].lower().split())) for t in texts) / len(texts)

    assert with_theme and used(with_theme) > 2 * used(others)


def test_newsletters_of_a_long_history_have_issue_numbers(gen):
    """Corpora spanning years before the first numbered issue get issues only from then on."""
    issues = [path for path, _ in gen.documents(14_000, seed=1) if path.startswith("content/nieuwsbrief/")]
    assert issues and min(int(path.rsplit("/", 1)[1][:3]) for path in issues) >= 121
