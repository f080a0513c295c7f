"""What one query word stands for in the index: its own forms, typo corrections, completions of an
unfinished word, and the compounds that contain it, each with a weight.

tantivy's fuzzy and prefix queries give every term they reach the same constant score, so a typo
or an unfinished word used to rank its matches alphabetically. Here the word is expanded to the
*index terms* it stands for (read from the index's own vocabulary), and the engine scores each
of those terms with BM25 like an exact match, multiplied by the weight of the way it was reached:
an exact form above a completion above a correction, a compound below the word itself.

Dutch writes compounds as one word (``parochiekerken``, ``woningmarkt``, ``leegstandsheffing``).
A vocabulary term is split where both sides are known words (optionally with a linking ``s``,
``e`` or ``en`` between them); which words count as known is the ``compounds`` setting
(:data:`.settings.COMPOUND_SOURCES`).
"""

from __future__ import annotations

import bisect
import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kennisbank.search.settings import COMPOUND_SOURCES

EXACT = 1.0
INFLECTED = 0.9
"""The word plus or minus a short ending the stemmer missed (fiets/fietsen)."""
COMPLETED = 0.7
"""A completion of the unfinished last word, scaled down further the more letters are missing."""
CORRECTED = (1.0, 0.6, 0.45)
"""By edit distance: 0 (not used), one typo, two typos."""
COMPOUND_HEAD = 0.5
"""The word is the last part of a compound (kerk -> parochiekerk: a kind of church)."""
COMPOUND_MODIFIER = 0.35
"""The word is the first part (woning -> woningmarkt: about dwellings)."""
MAX_TERMS = 40
"""Expansions of one word kept (highest weight, then most documents): bounds the query's cost."""
MIN_PART = 4
"""Shortest compound part: shorter ones (``ring``? ``en``) split too many words wrongly."""
LINKS = ("", "s", "e", "en", "-")
"""Dutch linking sounds between compound parts (stads-project, leegstand-s-heffing)."""
INFLECTIONS = ("s", "en", "e", "n", "es", "er", "ers")
WORDLIST_MIN_COUNT = 200
"""Words of the Dutch list rarer than this are mostly names, typos and fragments."""


@dataclass(frozen=True)
class Expansion:
    term: str
    """A folded, unstemmed index term."""
    weight: float
    how: str


class Vocabulary:
    """The unstemmed terms of an index with their document counts, ready to expand query words.

    ``stem`` maps a term to the stemmed field's token for it, so the engine can score the
    stemmed, per-field terms (title over body) that an expansion stands for.
    """

    def __init__(self, counts: dict[str, int], stem: Callable[[str], str], compounds: str | Compounds = "both"):
        self.counts = counts
        self.stem = stem
        # Tuples, not lists: a tuple of strings leaves the cyclic garbage collector's care after
        # its first collection, so the hundreds of thousands of terms held here for as long as
        # the index is open add nothing to the walk of every later full collection.
        self._sorted: tuple[str, ...] = tuple(sorted(counts))
        by_shape: dict[tuple[str, int], list[str]] = {}
        family: dict[str, list[str]] = {}
        for term in self._sorted:
            by_shape.setdefault((term[0], len(term)), []).append(term)
            family.setdefault(stem(term), []).append(term)
        self._by_shape = _frozen(by_shape)
        """Terms by first letter and length: the only ones a typo correction can reach."""
        self._family = _frozen(family)
        found = compounds if isinstance(compounds, Compounds) else find_compounds(counts, stem, compounds)
        self.heads, self.modifiers = _frozen(found.heads), _frozen(found.modifiers)

    def forms(self, stem: str) -> tuple[str, ...]:
        """The index terms with this stem (``kerk`` -> kerk, kerken): what a stemmed match is made of."""
        return self._family.get(stem, ())

    def expand(self, word: str, *, distance: int, prefix: bool) -> list[Expansion]:
        """Index terms for ``word``: at most :data:`MAX_TERMS`, best first, one weight per term."""
        found: dict[str, Expansion] = {}

        def add(terms: Iterable[str], weight: float, how: str) -> None:
            for term in terms:
                if term in self.counts and (term not in found or found[term].weight < weight):
                    found[term] = Expansion(term, weight, how)

        own = self.stem(word)
        add([word], EXACT, "exact")
        add(self._family.get(own, ()), EXACT, "exact")
        add((word + end for end in INFLECTIONS), INFLECTED, "inflected")
        add((word[:-len(end)] for end in INFLECTIONS if word.endswith(end) and len(word) - len(end) >= MIN_PART),
            INFLECTED, "inflected")
        if prefix:
            for term in self._with_prefix(word):
                add([term], COMPLETED * (0.5 + 0.5 * len(word) / len(term)), "completed")
        if distance:
            for term, edits in self._corrections(word, distance):
                add([term], CORRECTED[edits], "corrected")
        add(self.heads.get(own, ()), COMPOUND_HEAD, "compound")
        add(self.modifiers.get(own, ()), COMPOUND_MODIFIER, "compound")
        ranked = sorted(found.values(), key=lambda e: (-e.weight, -self.counts[e.term], e.term))
        return ranked[:MAX_TERMS]

    def _with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", start)
        terms = list(self._sorted[start:end])
        if len(terms) > MAX_TERMS:
            terms = sorted(terms, key=lambda t: -self.counts[t])[:MAX_TERMS]
        return terms

    def _corrections(self, word: str, distance: int) -> list[tuple[str, int]]:
        """Terms within ``distance`` edits (a swap of two neighbouring letters is one edit) that
        start with the same letter (a wrong first letter is rare in typing and costs two typos in
        Meilisearch too)."""
        candidates = [term for length in range(len(word) - distance, len(word) + distance + 1)
                      for term in self._by_shape.get((word[:1], length), ())]
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=distance, limit=None)
        return [(term, int(edits)) for term, edits, _ in found if edits > 0]


K = TypeVar("K")


def _frozen(lists: dict[K, list[str]]) -> dict[K, tuple[str, ...]]:
    return {key: tuple(values) for key, values in lists.items()}


@dataclass(frozen=True)
class Compounds:
    """Compound terms by the stem of their last part (``heads``) and of their first part
    (``modifiers``), found with the known words of ``source``. Written beside the index at
    build time (splitting reads a 340,000-word list), read back when the index is opened."""

    source: str
    heads: dict[str, list[str]]
    modifiers: dict[str, list[str]]

    def save(self, path: Path) -> None:
        data = {"source": self.source, "heads": self.heads, "modifiers": self.modifiers}
        path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, path: Path, source: str) -> Compounds | None:
        """The saved compounds, if they were split the way ``source`` says."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return cls(source, data["heads"], data["modifiers"]) if data.get("source") == source else None


def find_compounds(counts: dict[str, int], stem: Callable[[str], str], source: str) -> Compounds:
    if source == "off":
        return Compounds(source, {}, {})
    heads, modifiers = split_compounds(sorted(counts), _known_words(counts, source), stem)
    return Compounds(source, heads, modifiers)


def split_compounds(terms: list[str], known: frozenset[str], stem: Callable[[str], str]
                    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Compounds among ``terms`` by the stem of their last part (head) and of their first part
    (modifier). A term splits where the tail is a known word and the front is one too, possibly
    followed by a linking ``s``, ``e``, ``en`` or hyphen."""
    heads: dict[str, set[str]] = {}
    modifiers: dict[str, set[str]] = {}
    for term in terms:
        for cut in range(MIN_PART, len(term) - MIN_PART + 1):
            tail = _known_form(term[cut:], known)
            if not tail:
                continue
            fronts = _front_words(term[:cut], known)
            if fronts:
                heads.setdefault(stem(tail), set()).add(term)
            for front in fronts:
                modifiers.setdefault(stem(front), set()).add(term)
    return ({k: sorted(v) for k, v in heads.items()}, {k: sorted(v) for k, v in modifiers.items()})


def _known_form(tail: str, known: frozenset[str]) -> str | None:
    """The tail as a known word, or without an inflection ending (kerken -> kerk)."""
    if tail in known:
        return tail
    return next((tail[:-len(end)] for end in INFLECTIONS
                 if tail.endswith(end) and len(tail) - len(end) >= MIN_PART and tail[:-len(end)] in known), None)


def _front_words(front: str, known: frozenset[str]) -> list[str]:
    """The known words ``front`` is, with or without a linking sound (stads -> stads, stad)."""
    words = (front[:len(front) - len(link)] if link else front for link in LINKS if front.endswith(link))
    return [word for word in words if len(word) >= MIN_PART and word in known]


def _known_words(counts: dict[str, int], source: str) -> frozenset[str]:
    if source not in COMPOUND_SOURCES:
        raise ValueError(f"unknown compound source {source!r}")
    own = frozenset(t for t in counts if len(t) >= MIN_PART and t.isalpha())
    if source == "vocabulary":
        return own
    listed = dutch_words()
    return listed if source == "wordlist" else own | listed


@lru_cache(maxsize=1)
def dutch_words() -> frozenset[str]:
    """Common Dutch words from pyspellchecker's frequency list (OpenSubtitles-based), folded."""
    from importlib.resources import files

    from kennisbank.search.query import fold

    data = files("spellchecker").joinpath("resources/nl.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    return frozenset(fold(w) for w, n in counts.items() if n >= WORDLIST_MIN_COUNT and len(w) >= MIN_PART and w.isalpha())
