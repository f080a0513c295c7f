"""Index settings from ``search/*.yml``: the one description both engines are built from.

Editors change ranking order, facets, stop words and synonyms by pull request; nothing about
what is searchable is hard-coded in an engine. The files are validated by pydantic models, and
errors name the file, line and entry (``search/index.yml:12: facets[3].label: ...``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictBool, StrictInt, field_validator, model_validator

from kennisbank.errors import ContentError
from kennisbank.settings_file import raise_for, read_settings_file, validate

SETTINGS_FOLDER = "search"
INDEX_FILE = f"{SETTINGS_FOLDER}/index.yml"
SYNONYMS_FILE = f"{SETTINGS_FOLDER}/synonyms.yml"
STOPWORDS_FILE = f"{SETTINGS_FOLDER}/stopwords.yml"

SEARCHABLE_FIELDS = ("title", "topics", "tags", "summary", "body")
SORTABLE_FIELDS = ("date",)
COMPOUND_SOURCES = ("vocabulary", "wordlist", "both", "off")
"""Which known words Dutch compounds are split into: the index's own vocabulary, a Dutch word
list, both, or no splitting (see :mod:`.expansion`)."""


@dataclass(frozen=True)
class SearchableField:
    field: str
    boost: float


@dataclass(frozen=True)
class FacetSpec:
    """A facet: the document field it counts, the label visitors read, how values are ordered."""

    field: str
    label: str
    order: str = "count"


@dataclass(frozen=True)
class TypoTolerance:
    enabled: bool = True
    one_typo: int = 5
    two_typos: int = 9
    disable_on_words: tuple[str, ...] = ()

    def distance(self, word: str) -> int:
        """How many typos a query word of this length may contain."""
        if not self.enabled or word in self.disable_on_words:
            return 0
        if len(word) >= self.two_typos:
            return 2
        return 1 if len(word) >= self.one_typo else 0


@dataclass(frozen=True)
class SearchSettings:
    searchable: tuple[SearchableField, ...]
    facets: tuple[FacetSpec, ...]
    sortable: tuple[str, ...] = SORTABLE_FIELDS
    stop_words: frozenset[str] = frozenset()
    synonyms: tuple[tuple[str, ...], ...] = ()
    typo_tolerance: TypoTolerance = field(default_factory=TypoTolerance)
    prefix_search: bool = True
    compounds: str = "both"
    """Which known words Dutch compounds are split into (see :mod:`.expansion`)."""

    @property
    def facet_fields(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.facets)

    def facet(self, name: str) -> FacetSpec | None:
        return next((f for f in self.facets if f.field == name), None)

    def fingerprint(self) -> str:
        """A short hash of every setting: part of the index version, so a settings change
        invalidates cached responses just like a content change."""
        data = asdict(self)
        data["stop_words"] = sorted(self.stop_words)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def load_search_settings(root: Path) -> SearchSettings:
    """Read and check ``search/index.yml``, ``synonyms.yml`` and ``stopwords.yml``; every problem
    is reported at once (:class:`~kennisbank.settings_file.SettingsInvalid`)."""
    settings, errors = read_search_settings(root)
    raise_for(errors)
    assert settings is not None
    return settings


def read_search_settings(root: Path) -> tuple[SearchSettings | None, list[ContentError]]:
    """The search settings, or None and every error in the three files (for ``kennisbank check``)."""
    index, errors = _validated(root, INDEX_FILE, _IndexFile)
    synonyms, synonym_errors = _validated(root, SYNONYMS_FILE, _SynonymsFile)
    stop_words, stop_errors = _validated(root, STOPWORDS_FILE, _StopWordsFile)
    errors += synonym_errors + stop_errors
    if index is None or synonyms is None or stop_words is None:
        return None, errors
    typo = index.typo_tolerance
    return SearchSettings(
        searchable=tuple(SearchableField(e.field, e.boost) for e in index.searchable),
        facets=tuple(FacetSpec(f.field, f.label, f.order) for f in index.facets),
        sortable=tuple(index.sortable),
        stop_words=frozenset(word.lower() for word in stop_words.root),
        synonyms=tuple(tuple(" ".join(w.split()) for w in group) for group in synonyms.root),
        typo_tolerance=TypoTolerance(typo.enabled, typo.one_typo, typo.two_typos,
                                     tuple(w.lower() for w in typo.disable_on_words)),
        prefix_search=index.prefix_search, compounds=index.compounds), errors


def _validated(root: Path, relative: str, model: type[_M]) -> tuple[_M | None, list[ContentError]]:
    source, errors = read_settings_file(root, relative)
    if source is None:
        return None, errors
    data = source.data if source.data is not None else ({} if model is _IndexFile else [])
    return validate(model, source, data)


def _one_of(name: str, known: tuple[str, ...], what: str) -> str:
    if name not in known:
        raise ValueError(f"unknown {what} field {name!r} (known: {', '.join(known)})")
    return name


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Searchable(_Entry):
    field: str
    boost: Annotated[float, Field(gt=0, le=1000)] = 1.0

    @field_validator("field")
    @classmethod
    def _searchable(cls, name: str) -> str:
        return _one_of(name, SEARCHABLE_FIELDS, "searchable")


class _Facet(_Entry):
    field: str
    label: Annotated[str, Field(min_length=1, max_length=100)]
    order: Literal["count", "value_desc", "label"] = "count"

    @field_validator("field")
    @classmethod
    def _facetable(cls, name: str) -> str:
        from kennisbank.search.documents import FACETABLE_FIELDS

        return _one_of(name, FACETABLE_FIELDS, "facet")


class _Typos(_Entry):
    enabled: StrictBool = True
    one_typo: Annotated[StrictInt, Field(ge=1, le=50)] = 5
    two_typos: Annotated[StrictInt, Field(ge=1, le=50)] = 9
    disable_on_words: list[Annotated[str, Field(min_length=1)]] = []

    @model_validator(mode="after")
    def _ordered(self) -> _Typos:
        if self.one_typo > self.two_typos:
            raise ValueError("one_typo must not be larger than two_typos")
        return self


class _IndexFile(_Entry):
    """``search/index.yml``."""

    searchable: Annotated[list[_Searchable], Field(min_length=1)]
    facets: list[_Facet] = []
    sortable: list[Literal["date"]] = list(SORTABLE_FIELDS)  # type: ignore[arg-type]
    typo_tolerance: _Typos = _Typos()
    prefix_search: StrictBool = True
    compounds: Literal["vocabulary", "wordlist", "both", "off"] = "both"  # COMPOUND_SOURCES

    @field_validator("searchable", "facets")
    @classmethod
    def _unique(cls, entries: list[_Searchable] | list[_Facet]) -> list[_Searchable] | list[_Facet]:
        names = [entry.field for entry in entries]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"listed twice: {', '.join(twice)}")
        return entries


OneWord = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^\S+$")]
Phrase = Annotated[str, Field(min_length=1, max_length=200)]


class _StopWordsFile(RootModel[list[OneWord]]):
    """``search/stopwords.yml``: one word per entry."""


class _SynonymsFile(RootModel[list[Annotated[list[Phrase], Field(min_length=2)]]]):
    """``search/synonyms.yml``: groups of two or more words or phrases."""


_M = TypeVar("_M", _IndexFile, _SynonymsFile, _StopWordsFile)
