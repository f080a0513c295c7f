"""Review rounds: fiches whose ``last_reviewed`` is older than their collection's interval.

Every city's contact person reviews the housing-policy instruments every six months. The interval
is a setting per collection (``extra.kennisbank.review_months`` in mkdocs.yml, default
``{woonbeleid: 6}``); a fiche is due from the day its last review is that many months old. The
list is grouped by city, then by contact, and is written for the editors (Dutch); the nightly
workflow posts its Markdown as the body of one tracking issue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from kennisbank.config import CONFIG_FILE, Settings
from kennisbank.content import Item, Repository, content_type
from kennisbank.dutch import long_date
from kennisbank.errors import KennisbankError
from kennisbank.sanitize import escape_markdown

REVIEWED_FIELD = "last_reviewed"
NO_CONTACT = "Geen contactpersoon"


@dataclass(frozen=True)
class DueFiche:
    city: str  # slug
    city_label: str
    contact: str  # "Naam <e-mail>" or NO_CONTACT
    title: str
    path: str
    url: str
    last_reviewed: dt.date
    due: dt.date

    def as_dict(self) -> dict[str, str]:
        return {"city": self.city, "city_label": self.city_label, "contact": self.contact, "title": self.title,
                "path": self.path, "url": self.url, "last_reviewed": self.last_reviewed.isoformat(),
                "due": self.due.isoformat()}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


def review_intervals(settings: Settings) -> dict[str, int]:
    """Months per collection (by type name), refusing collections without ``last_reviewed``."""
    intervals: dict[str, int] = {}
    for key, months in settings.review_months.items():
        ctype = content_type(str(key))
        where = f"{CONFIG_FILE}: extra.kennisbank.review_months.{key}"
        if ctype is None or REVIEWED_FIELD not in ctype.model.model_fields:
            raise KennisbankError(f"{where}: not a collection with a {REVIEWED_FIELD} field")
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120:
            raise KennisbankError(f"{where}: give a number of months from 1 to 120, not {months!r}")
        intervals[ctype.name] = months
    return intervals


def due_fiches(repo: Repository, settings: Settings, city: str | None = None) -> list[DueFiche]:
    """Published fiches due for review on the repository's today, by city, contact, due date."""
    found = []
    for type_name, months in review_intervals(settings).items():
        for item in repo.of_type(type_name):
            reviewed: dt.date = getattr(item.meta, REVIEWED_FIELD)
            due = add_months(reviewed, months)
            own_city = item.cities[0] if item.cities else ""
            if due <= repo.today and (city is None or own_city == city):
                found.append(_due(repo, item, own_city, reviewed, due))
    return sorted(found, key=lambda f: (f.city_label.lower(), f.contact == NO_CONTACT, f.contact.lower(), f.due,
                                        f.path))


def _due(repo: Repository, item: Item, city: str, reviewed: dt.date, due: dt.date) -> DueFiche:
    return DueFiche(city=city, city_label=repo.city(city).label if city else "Geen stad", contact=_contact(item),
                    title=item.title, path=item.path, url=item.url, last_reviewed=reviewed, due=due)


def _contact(item: Item) -> str:
    person = getattr(item.meta, "contact", None) or next(iter(getattr(item.meta, "contacts", ()) or ()), None)
    if person is None:
        return NO_CONTACT
    return f"{person.name} <{person.email}>" if person.email else str(person.name)


def _grouped(fiches: list[DueFiche]) -> list[tuple[str, list[tuple[str, list[DueFiche]]]]]:
    """Per city label, per contact, the fiches (``fiches`` are sorted that way)."""
    return [(label, [(contact, list(due)) for contact, due in groupby(list(per_city), lambda f: f.contact)])
            for label, per_city in groupby(fiches, lambda f: f.city_label)]


def _line(fiche: DueFiche) -> str:
    return (f"{fiche.title} — laatst nagekeken op {long_date(fiche.last_reviewed)}, "
            f"te herzien sinds {long_date(fiche.due)}")


def as_text(fiches: list[DueFiche], today: dt.date) -> str:
    if not fiches:
        return f"Geen fiches te herzien op {long_date(today)}.\n"
    lines = [f"{len(fiches)} fiche(s) te herzien op {long_date(today)}", ""]
    for city, contacts in _grouped(fiches):
        lines.append(f"{city} ({sum(len(f) for _, f in contacts)})")
        for contact, due in contacts:
            lines.append(f"  {contact}")
            lines += [f"    {f.path}: {_line(f)}" for f in due]
        lines.append("")
    return "\n".join(lines)


def as_markdown(fiches: list[DueFiche], settings: Settings, today: dt.date) -> str:
    """The tracking issue's body: one section per city, a checklist per contact."""
    head = ["# Review-ronde", "", f"Stand van {long_date(today)}. Elke contactpersoon kijkt de fiches na, past ze "
            f"aan waar nodig en zet `{REVIEWED_FIELD}` op de datum van het nazicht."]
    if not fiches:
        return "\n".join([*head, "", "Er zijn geen fiches te herzien.", ""])
    lines = [*head, "", f"**{len(fiches)} fiche(s) te herzien.**"]
    for city, contacts in _grouped(fiches):
        lines += ["", f"## {escape_markdown(city)}"]
        for contact, due in contacts:
            lines += ["", f"**{escape_markdown(contact)}**", ""]
            lines += [f"- [ ] [{escape_markdown(f.title)}]({settings.absolute(f.url)}) (`{f.path}`): "
                      f"laatst nagekeken op {long_date(f.last_reviewed)}, te herzien sinds {long_date(f.due)}"
                      for f in due]
    return "\n".join(lines) + "\n"
