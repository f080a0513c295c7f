"""The fact box of an item page: the fields that matter for its type, as labelled values.

One function per type or collection, so the box fits the collection (a church shows its
functions and conversion year, a housing instrument its target groups and legal basis).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kennisbank import dutch
from kennisbank.content import Item, Repository
from kennisbank.content.models import (
    Church,
    CityProject,
    Event,
    HousingInstrument,
    ItemMeta,
    Study,
    TemporaryUse,
)


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
    return [row for row in _rows(item.meta, repo) if row.values]


def _rows(meta: ItemMeta, repo: Repository) -> list[Fact]:
    match meta:
        case Study():
            return _study(meta)
        case Event():
            return _event(meta, repo)
        case Church():
            return _church(meta, repo)
        case CityProject():
            return _city_project(meta, repo)
        case TemporaryUse():
            return _temporary_use(meta, repo)
        case HousingInstrument():
            return _housing(meta, repo)
        case _:
            return []


def _text(label: str, *texts: object) -> Fact:
    return Fact(label, [Value(str(t)) for t in texts if t not in (None, "")])


def _vocab(repo: Repository, label: str, vocabulary: str, keys: str | list[str] | None) -> Fact:
    """Vocabulary labels as one phrase in sentence case: "Sport, cultuur en onderwijs"."""
    listed = keys if isinstance(keys, list) else [keys]
    labels = [repo.label(vocabulary, k) for k in listed if k]
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


def _date(label: str, day: dt.date | None) -> Fact:
    return Fact(label, [Value(dutch.long_date(day), datetime=dutch.iso(day))] if day else [])


def _period(label: str, start: dt.date | None, end: dt.date | None) -> Fact:
    if start is None:
        return Fact(label)
    text = dutch.when(start, end) if end else f"sinds {dutch.long_date(start)}"
    return Fact(label, [Value(text, datetime=dutch.iso(start))])


def _study(m: Study) -> list[Fact]:
    year, week = m.week.split("-W")
    return [
        _text("Uitgever", m.publisher),
        _text("Auteurs", *m.authors),
        _text("Studie van de week", f"week {int(week)} van {year}"),
        Fact("De studie", [Value("Lees de studie", href=m.url)]),
    ]


def _event(m: Event, repo: Repository) -> list[Fact]:
    place = f"{m.location} (online)" if m.online and "online" not in m.location.lower() else m.location
    return [
        Fact("Wanneer", [Value(dutch.when(m.start, m.end), datetime=dutch.iso(m.start))]),
        _text("Waar", place),
        _vocab(repo, "Soort", "event_kinds", m.kind),
        _text("Organisatie", *m.organisers),
    ]


def _church(m: Church, repo: Repository) -> list[Fact]:
    return [
        _city(repo, "Ligging", m.municipality),
        _vocab(repo, "Land", "countries", m.country),
        _text("Provincie", m.province),
        _text("Oorspronkelijke functie", _sentence(m.original_function)),
        _vocab(repo, "Huidige functies", "church_functions", m.current_functions),
        _text("Jaar van herbestemming", m.conversion_year),
        _vocab(repo, "Status", "church_status", m.status),
    ]


def _city_project(m: CityProject, repo: Repository) -> list[Fact]:
    years = f"{m.start_year}\u2013{m.end_year}" if m.end_year else f"sinds {m.start_year}"
    return [
        _city(repo, "Stad", m.city),
        _vocab(repo, "Status", "project_status", m.status),
        _text("Looptijd", years),
        _text("Gebied", m.area),
        _text("Programma", m.programme),
        _text("Partners", *m.partners),
    ]


def _temporary_use(m: TemporaryUse, repo: Repository) -> list[Fact]:
    return [
        _city(repo, "Stad", m.city),
        _vocab(repo, "Soort site", "site_kinds", m.site_kind),
        _vocab(repo, "Tijdelijke functies", "temporary_functions", m.temporary_functions),
        _period("Periode", m.start, m.end),
        _vocab(repo, "Eigenaar", "owner_kinds", m.owner),
    ]


def _housing(m: HousingInstrument, repo: Repository) -> list[Fact]:
    # its contact has its own section on the page
    return [
        _city(repo, "Stad", m.city),
        _vocab(repo, "Beleidsdomein", "policy_areas", m.policy_area),
        _vocab(repo, "Doelgroepen", "target_groups", m.target_groups),
        _text("Rechtsgrond", m.legal_basis),
        _date("Laatst herzien", m.last_reviewed),
    ]
