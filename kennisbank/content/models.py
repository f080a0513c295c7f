"""Front-matter models, one per content type and case collection.

These classes are the schema: `check` validates with them, `schema` exports them as JSON Schema,
and every output stage reads their instances. Field names are the editors' front-matter keys.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kennisbank.content.fields import (
    CityRef,
    Contact,
    Coordinates,
    Date,
    DateOrDateTime,
    HttpUrl,
    Image,
    ItemRef,
    Link,
    Strict,
    Summary,
    Text,
    ThemeRef,
    Year,
    vocabulary,
)

Tag = Annotated[str, Field(min_length=1, max_length=60)]


def _not_before(field: str, start_field: str, value: object, info: ValidationInfo) -> object:
    """Shared rule: an end (date, year) may not lie before its start."""
    start = info.data.get(start_field)
    if value is None or start is None:
        return value
    comparable_end: Any = value.date() if isinstance(value, dt.datetime) else value
    comparable_start: Any = start.date() if isinstance(start, dt.datetime) else start
    if comparable_end < comparable_start or (type(value) is type(start) and value < start):  # type: ignore[operator]
        raise PydanticCustomError(
            "end_before_start", "{field} ({end}) lies before {start_field} ({start})",
            {"field": field, "end": _show(value), "start_field": start_field, "start": _show(start)},
        )
    return value


def _show(value: object) -> str:
    """A date as editors write it: ``2020-05-01`` or ``2020-05-01 14:00`` (no seconds)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value)


def _end_not_before(end_field: str, start_field: str):  # type: ignore[no-untyped-def]
    """A field validator for ``end_field`` that applies :func:`_not_before`."""

    def check(cls: type, value: object, info: ValidationInfo) -> object:
        return _not_before(end_field, start_field, value, info)

    return field_validator(end_field)(classmethod(check))


class Common(Strict):
    """Fields every item has (issue: exactly these names)."""

    title: Text
    summary: Summary
    themes: list[ThemeRef] = []
    cities: list[CityRef] = []
    tags: list[Tag] = []
    draft: bool = False


class Dated(Common):
    date: Date


class News(Dated):
    category: vocabulary("news_categories")  # type: ignore[valid-type]
    image: Image | None = None
    links: list[Link] = []


class Study(Dated):
    week: Annotated[str, Field(pattern=r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")]
    publisher: Text
    url: HttpUrl
    authors: list[Text] = []

    @field_validator("week")
    @classmethod
    def _week_of_date(cls, value: str, info: ValidationInfo) -> str:
        date = info.data.get("date")
        if date is not None:
            year, week, _ = date.isocalendar()
            expected = f"{year}-W{week:02d}"
            if value != expected:
                raise PydanticCustomError(
                    "week_mismatch", "{value} is not the ISO week of date {date}: use {expected}",
                    {"value": value, "date": str(date), "expected": expected},
                )
        return value


class Event(Dated):
    kind: vocabulary("event_kinds")  # type: ignore[valid-type]
    start: DateOrDateTime
    end: DateOrDateTime | None = None
    location: Text
    organisers: Annotated[list[Text], Field(min_length=1)]
    registration: HttpUrl | None = None
    online: bool = False

    _end_after_start = _end_not_before("end", "start")


class Theme(Common):
    period: Annotated[str, Field(pattern=r"^\d{4}-\d{4}$")] | None = None
    parent: ThemeRef | None = None
    order: int = 100


class Page(Common):
    order: int = 100


class Newsletter(Strict):
    number: Annotated[int, Field(ge=1, le=100_000)]
    month: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    title: Text | None = None
    summary: Summary | None = None
    items: list[ItemRef] = []
    exclude: list[ItemRef] = []
    draft: bool = False


class Fiche(Dated):
    """Fields every case fiche shares."""

    contacts: list[Contact] = []
    links: list[Link] = []
    photos: list[Image] = []


class Church(Fiche):
    municipality: CityRef
    country: vocabulary("countries")  # type: ignore[valid-type]
    province: Text | None = None
    coordinates: Coordinates | None = None
    original_function: Text | None = None
    current_functions: Annotated[list[vocabulary("church_functions")], Field(min_length=1)]  # type: ignore[valid-type]
    conversion_year: Year | None = None
    status: vocabulary("church_status")  # type: ignore[valid-type]


class CityProject(Fiche):
    city: CityRef
    status: vocabulary("project_status")  # type: ignore[valid-type]
    start_year: Year
    end_year: Year | None = None
    area: Text | None = None
    programme: Text | None = None
    partners: list[Text] = []
    coordinates: Coordinates | None = None

    _end_after_start = _end_not_before("end_year", "start_year")


class TemporaryUse(Fiche):
    city: CityRef
    site_kind: vocabulary("site_kinds")  # type: ignore[valid-type]
    temporary_functions: Annotated[list[vocabulary("temporary_functions")], Field(min_length=1)]  # type: ignore[valid-type]
    start: Date
    end: Date | None = None
    owner: vocabulary("owner_kinds")  # type: ignore[valid-type]
    coordinates: Coordinates | None = None

    _end_after_start = _end_not_before("end", "start")


class HousingInstrument(Fiche):
    city: CityRef
    policy_area: vocabulary("policy_areas")  # type: ignore[valid-type]
    target_groups: Annotated[list[vocabulary("target_groups")], Field(min_length=1)]  # type: ignore[valid-type]
    legal_basis: Text | None = None
    contact: Contact | None = None
    last_reviewed: Date


ItemMeta = News | Study | Event | Theme | Page | Newsletter | Church | CityProject | TemporaryUse | HousingInstrument
"""The front matter of any item: one of the models above (narrow it with ``isinstance`` or
:meth:`kennisbank.content.items.Item.meta_as`)."""

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
