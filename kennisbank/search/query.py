"""Query analysis shared by engines that do not expand synonyms natively.

A query becomes a list of :class:`Unit`: plain words, or a synonym group when the words spell a
member of one (``tijdelijk gebruik`` -> {tijdelijk gebruik, tijdelijke invulling}). Stop words are
dropped unless nothing else is left, so ``de kerk`` finds what ``kerk`` finds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kennisbank.search.settings import SearchSettings

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents, as the index's analyzers do (coördinatie -> coordinatie)."""
    if text.isascii():  # nothing to decompose (most queries): a tenth of the time
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text``, split as the index's simple tokenizer splits them."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Unit:
    """One required part of a query: ``phrases`` are alternatives, each a list of words."""

    phrases: tuple[tuple[str, ...], ...]
    last: bool = False
    """The final word the visitor typed: it also matches as a prefix."""

    @property
    def is_synonym(self) -> bool:
        return len(self.phrases) > 1


def analyse(q: str, settings: SearchSettings) -> list[Unit]:
    tokens = words(q)
    members = _members_by_first_word(settings.synonyms)
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        match = _longest_member(tokens, i, members.get(tokens[i], ()))
        if match:
            length, group = match
            units.append(Unit(tuple(dict.fromkeys(m for m in group if m))))
            i += length
        else:
            units.append(Unit(((tokens[i],),), last=i == len(tokens) - 1))
            i += 1
    meaningful = [u for u in units if u.is_synonym or u.phrases[0][0] not in settings.stop_words]
    # A word typed twice counts once: twice, it weighed double and asked for itself as a phrase
    # (read in every document that holds it). It stays where it came first, and matches as a
    # prefix if it was also the last word.
    once: dict[tuple[tuple[str, ...], ...], Unit] = {}
    for unit in meaningful or units:
        seen = once.get(unit.phrases)
        once[unit.phrases] = unit if seen is None else Unit(unit.phrases, last=seen.last or unit.last)
    return list(once.values())


@lru_cache(maxsize=8)
def _members_by_first_word(synonyms: tuple[tuple[str, ...], ...]
                           ) -> dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]:
    """Every synonym (as words) with its group, by its first word: a query word is compared only
    with the synonyms that start with it."""
    index: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {}
    for group in synonyms:
        members = tuple(tuple(words(member)) for member in group)
        for member in members:
            if member:
                index.setdefault(member[0], []).append((member, members))
    return index


def _longest_member(tokens: list[str], start: int, candidates: Iterable[tuple[tuple[str, ...], Any]]
                    ) -> tuple[int, tuple[Any, ...]] | None:
    best: tuple[int, tuple[Any, ...]] | None = None
    for member, group in candidates:
        if tuple(tokens[start:start + len(member)]) == member and (best is None or len(member) > best[0]):
            best = (len(member), group)
    return best
