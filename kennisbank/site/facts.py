"""The fact box of an item page: the fields that matter for its type, as labelled values.

One function per type or collection, so the box fits the collection (a church shows its
functions and conversion year, a housing instrument its target groups and legal basis).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kennisbank import dutch
from kennisbank.content import Item, Repository


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    datetime: str | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    values: list[Value] = field(default_factory=list)


def facts(item: Item, repo: Repository) -> list[Fact]:
    """The fact box rows for ``item``; empty values are left out."""
    build = _BUILDERS.get(item.type.name)
    rows = build(item, repo) if build else []
    return [row for row in rows if row.values]


def _text(label: str, *texts: object) -> Fact:
    return Fact(label, [Value(str(t)) for t in texts if t not in (None, "")])


def _vocab(repo: Repository, label: str, vocabulary: str, keys: object) -> Fact:
    """Vocabulary labels as one phrase in sentence case: "Sport, cultuur en onderwijs"."""
    keys = keys if isinstance(keys, (list, tuple)) else [keys]
    labels = [repo.label(vocabulary, k) for k in keys if k]
    words = [labels[0], *(_lower_first(t) for t in labels[1:])] if labels else []
    return Fact(label, [Value(dutch.enumerate_words(words))] if words else [])


def _lower_first(text: str) -> str:
    """A label inside a phrase: "Ontmoetingsruimte" → "ontmoetingsruimte" (not abbreviations like "OCMW")."""
    return text[0].lower() + text[1:] if len(text) > 1 and not text[1].isupper() else text


def _sentence(text: str | None) -> str | None:
    return text[0].upper() + text[1:] if text else text


def city_value(repo: Repository, slug: str) -> Value:
    return Value(repo.city(slug).label, href=f"/steden/{slug}/")


def _city(repo: Repository, label: str, slug: str | None) -> Fact:
    return Fact(label, [city_value(repo, slug)] if slug else [])


def _date(label: str, day) -> Fact:
    return Fact(label, [Value(dutch.long_date(day), datetime=dutch.iso(day))] if day else [])


def _period(label: str, start, end) -> Fact:
    if start is None:
        return Fact(label)
    text = dutch.when(start, end) if end else f"sinds {dutch.long_date(start)}"
    return Fact(label, [Value(text, datetime=dutch.iso(start))])


def _study(item: Item, repo: Repository) -> list[Fact]:
    m = item.meta
    year, week = m.week.split("-W")
    return [
        _text("Uitgever", m.publisher),
        _text("Auteurs", *m.authors),
        _text("Studie van de week", f"week {int(week)} van {year}"),
        Fact("De studie", [Value("Lees de studie", href=m.url)]),
    ]


def _event(item: Item, repo: Repository) -> list[Fact]:
    m = item.meta
    place = f"{m.location} (online)" if m.online and "online" not in m.location.lower() else m.location
    return [
        Fact("Wanneer", [Value(dutch.when(m.start, m.end), datetime=dutch.iso(m.start))]),
        _text("Waar", place),
        _vocab(repo, "Soort", "event_kinds", m.kind),
        _text("Organisatie", *m.organisers),
    ]


def _church(item: Item, repo: Repository) -> list[Fact]:
    m = item.meta
    return [
        _city(repo, "Ligging", m.municipality),
        _vocab(repo, "Land", "countries", m.country),
        _text("Provincie", m.province),
        _text("Oorspronkelijke functie", _sentence(m.original_function)),
        _vocab(repo, "Huidige functies", "church_functions", m.current_functions),
        _text("Jaar van herbestemming", m.conversion_year),
        _vocab(repo, "Status", "church_status", m.status),
    ]


def _city_project(item: Item, repo: Repository) -> list[Fact]:
    m = item.meta
    years = f"{m.start_year}\u2013{m.end_year}" if m.end_year else f"sinds {m.start_year}"
    return [
        _city(repo, "Stad", m.city),
        _vocab(repo, "Status", "project_status", m.status),
        _text("Looptijd", years),
        _text("Gebied", m.area),
        _text("Programma", m.programme),
        _text("Partners", *m.partners),
    ]


def _temporary_use(item: Item, repo: Repository) -> list[Fact]:
    m = item.meta
    return [
        _city(repo, "Stad", m.city),
        _vocab(repo, "Soort site", "site_kinds", m.site_kind),
        _vocab(repo, "Tijdelijke functies", "temporary_functions", m.temporary_functions),
        _period("Periode", m.start, m.end),
        _vocab(repo, "Eigenaar", "owner_kinds", m.owner),
    ]


def _housing(item: Item, repo: Repository) -> list[Fact]:
    m = item.meta  # its contact has its own section on the page
    return [
        _city(repo, "Stad", m.city),
        _vocab(repo, "Beleidsdomein", "policy_areas", m.policy_area),
        _vocab(repo, "Doelgroepen", "target_groups", m.target_groups),
        _text("Rechtsgrond", m.legal_basis),
        _date("Laatst herzien", m.last_reviewed),
    ]


_BUILDERS: dict[str, Callable[[Item, Repository], list[Fact]]] = {
    "study": _study,
    "event": _event,
    "churches": _church,
    "city-projects": _city_project,
    "temporary-use": _temporary_use,
    "housing-instruments": _housing,
}
