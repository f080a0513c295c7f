"""Index settings from ``search/*.yml``: the one description both engines are built from.

Editors change ranking order, facets, stop words and synonyms by pull request; nothing about
what is searchable is hard-coded in an engine. Errors name the file and the entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from kennisbank.errors import KennisbankError

SETTINGS_FOLDER = "search"
INDEX_FILE = f"{SETTINGS_FOLDER}/index.yml"
SYNONYMS_FILE = f"{SETTINGS_FOLDER}/synonyms.yml"
STOPWORDS_FILE = f"{SETTINGS_FOLDER}/stopwords.yml"

SEARCHABLE_FIELDS = ("title", "topics", "tags", "summary", "body")
FACET_ORDERS = ("count", "value_desc", "label")
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
    """Read and check ``search/index.yml``, ``synonyms.yml`` and ``stopwords.yml``."""
    index = _read(root, INDEX_FILE, dict)
    known = {"searchable", "facets", "sortable", "typo_tolerance", "prefix_search", "compounds"}
    _no_unknown(INDEX_FILE, "", index, known)
    searchable = tuple(_searchable(entry, n) for n, entry in enumerate(index.get("searchable") or [], 1))
    if not searchable:
        raise KennisbankError(f"{INDEX_FILE}: searchable: list at least one field")
    facets = tuple(_facet(entry, n) for n, entry in enumerate(index.get("facets") or [], 1))
    _unique(INDEX_FILE, "facets", [f.field for f in facets])
    _unique(INDEX_FILE, "searchable", [f.field for f in searchable])
    sortable = tuple(index.get("sortable") or ())
    for name in sortable:
        if name not in SORTABLE_FIELDS:
            raise KennisbankError(f"{INDEX_FILE}: sortable: unknown field {name!r} (known: {', '.join(SORTABLE_FIELDS)})")
    typo = index.get("typo_tolerance") or {}
    _no_unknown(INDEX_FILE, "typo_tolerance", typo, {"enabled", "one_typo", "two_typos", "disable_on_words"})
    try:
        typo_tolerance = TypoTolerance(
            enabled=bool(typo.get("enabled", True)), one_typo=int(typo.get("one_typo", 5)),
            two_typos=int(typo.get("two_typos", 9)),
            disable_on_words=tuple(str(w).lower() for w in typo.get("disable_on_words") or ()))
    except (TypeError, ValueError) as exc:
        raise KennisbankError(f"{INDEX_FILE}: typo_tolerance: {exc}") from None
    if not 1 <= typo_tolerance.one_typo <= typo_tolerance.two_typos:
        raise KennisbankError(f"{INDEX_FILE}: typo_tolerance: need 1 <= one_typo <= two_typos")
    compounds = index.get("compounds", "both")
    if compounds not in COMPOUND_SOURCES:
        raise KennisbankError(f"{INDEX_FILE}: compounds: must be one of {', '.join(COMPOUND_SOURCES)}, not {compounds!r}")
    return SearchSettings(
        searchable=searchable, facets=facets, sortable=sortable,
        stop_words=frozenset(_stop_words(root)), synonyms=_synonyms(root),
        typo_tolerance=typo_tolerance, prefix_search=bool(index.get("prefix_search", True)), compounds=compounds)


def _read(root: Path, relative: str, kind: type) -> object:
    path = root / relative
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KennisbankError(f"{relative} is missing") from None
    except yaml.YAMLError as exc:
        raise KennisbankError(f"{relative}: YAML error: {exc}") from None
    if data is None:
        data = kind()
    if not isinstance(data, kind):
        raise KennisbankError(f"{relative}: must be a {'mapping' if kind is dict else 'list'}")
    return data


def _no_unknown(file: str, where: str, data: object, known: set[str]) -> None:
    if not isinstance(data, dict):
        raise KennisbankError(f"{file}: {where or 'top level'}: must be a mapping")
    unknown = sorted(set(data) - known)
    if unknown:
        raise KennisbankError(f"{file}: {where + ': ' if where else ''}unknown key(s) {', '.join(map(str, unknown))}"
                              f" (known: {', '.join(sorted(known))})")


def _unique(file: str, where: str, names: list[str]) -> None:
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise KennisbankError(f"{file}: {where}: listed twice: {', '.join(sorted(seen))}")


def _searchable(entry: object, n: int) -> SearchableField:
    where = f"searchable[{n}]"
    _no_unknown(INDEX_FILE, where, entry, {"field", "boost"})
    name = entry.get("field")  # type: ignore[union-attr]
    if name not in SEARCHABLE_FIELDS:
        raise KennisbankError(f"{INDEX_FILE}: {where}: field must be one of {', '.join(SEARCHABLE_FIELDS)}, not {name!r}")
    boost = entry.get("boost", 1)  # type: ignore[union-attr]
    if not isinstance(boost, (int, float)) or boost <= 0:
        raise KennisbankError(f"{INDEX_FILE}: {where}: boost must be a positive number")
    return SearchableField(name, float(boost))


def _facet(entry: object, n: int) -> FacetSpec:
    from kennisbank.search.documents import FACETABLE_FIELDS

    where = f"facets[{n}]"
    _no_unknown(INDEX_FILE, where, entry, {"field", "label", "order"})
    name, label, order = entry.get("field"), entry.get("label"), entry.get("order", "count")  # type: ignore[union-attr]
    if name not in FACETABLE_FIELDS:
        raise KennisbankError(f"{INDEX_FILE}: {where}: unknown facet field {name!r} (known: {', '.join(FACETABLE_FIELDS)})")
    if not isinstance(label, str) or not label.strip():
        raise KennisbankError(f"{INDEX_FILE}: {where}: label is required")
    if order not in FACET_ORDERS:
        raise KennisbankError(f"{INDEX_FILE}: {where}: order must be one of {', '.join(FACET_ORDERS)}")
    return FacetSpec(name, label.strip(), order)


def _synonyms(root: Path) -> tuple[tuple[str, ...], ...]:
    groups = []
    for n, group in enumerate(_read(root, SYNONYMS_FILE, list), 1):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w.strip() for w in group):
            raise KennisbankError(f"{SYNONYMS_FILE}: entry {n}: a group lists two or more words or phrases")
        groups.append(tuple(" ".join(w.split()) for w in group))
    return tuple(groups)


def _stop_words(root: Path) -> list[str]:
    words = _read(root, STOPWORDS_FILE, list)
    for n, word in enumerate(words, 1):
        if not isinstance(word, str) or not word.strip() or " " in word.strip():
            raise KennisbankError(f"{STOPWORDS_FILE}: entry {n}: a stop word is one word")
    return [w.strip().lower() for w in words]
