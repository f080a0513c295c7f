"""Field types shared by the content models: plain text, URLs, e-mail, and references.

References to registries (cities, themes, vocabularies, other items) are only *marked* here with
:class:`Ref` metadata; they are resolved by :mod:`kennisbank.content.references` once the whole
repository is known, because a model validates one file at a time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
                    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_TAG_OR_MARKUP = re.compile(r"<[A-Za-z/!][^>]*>")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")


@dataclass(frozen=True)
class Ref:
    """Marks a field whose values must exist in a registry: ``city``, ``theme``, ``item`` or a
    vocabulary name from ``vocabularies.yml``."""

    registry: str


def _quoted(value: str) -> str:
    """How a rejected value appears in a message (pydantic templates have no ``!r``)."""
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise PydanticCustomError("url_scheme", "must be an http(s) URL, not {value}", {"value": _quoted(value)})
    if not parts.netloc or " " in value:
        raise PydanticCustomError("url_invalid", "not a valid URL: {value}", {"value": _quoted(value)})
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value) or ".." in value:
        raise PydanticCustomError("email", "not a valid e-mail address: {value}", {"value": _quoted(value)})
    return value


def _plain_text(value: str) -> str:
    if _TAG_OR_MARKUP.search(value):
        raise PydanticCustomError("plain_text", "must be plain text, without HTML tags", {})
    return value


def _strict_date(value: object) -> object:
    """YAML dates arrive as text; accept only ``YYYY-MM-DD`` (pydantic would also take numbers)."""
    if isinstance(value, (int, float)):
        raise PydanticCustomError("date_type", "must be a date written as YYYY-MM-DD", {})
    return value


def _date_or_datetime(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if not isinstance(value, str) or not (match := _DATETIME.match(value.strip())):
        raise PydanticCustomError("datetime_format", "must be YYYY-MM-DD or YYYY-MM-DD HH:MM", {})
    day, hour, minute = match.groups()
    try:
        date = dt.date.fromisoformat(day)
        if hour is None:
            return date
        return dt.datetime.combine(date, dt.time(int(hour), int(minute)))
    except ValueError as exc:
        raise PydanticCustomError("date_impossible", "impossible date or time: {reason}", {"reason": str(exc)}) from None


Text = Annotated[str, Field(min_length=1, max_length=300)]
PlainText = Annotated[str, AfterValidator(_plain_text)]
# Length limits come before the plain-text check, so pydantic reports them as string lengths.
Summary = Annotated[str, Field(min_length=1, max_length=400), AfterValidator(_plain_text)]
HttpUrl = Annotated[str, Field(max_length=2000, json_schema_extra={"format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}),
                    AfterValidator(_http_url)]
Email = Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_email)]
Date = Annotated[dt.date, BeforeValidator(_strict_date)]
# Editors write "2020-02-03 14:00", which is not RFC 3339 date-time: the schema says what we accept.
DateOrDateTime = Annotated[dt.date | dt.datetime, BeforeValidator(_date_or_datetime), WithJsonSchema(
    {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2})?$",
     "description": "YYYY-MM-DD or YYYY-MM-DD HH:MM"})]
Year = Annotated[int, Field(ge=1000, le=2100)]

CityRef = Annotated[str, Ref("city")]
ThemeRef = Annotated[str, Ref("theme")]
ItemRef = Annotated[str, Ref("item")]


def vocabulary(name: str) -> object:
    """A field whose value must be a key of vocabulary ``name`` in ``vocabularies.yml``."""
    return Annotated[str, Ref(name)]


class Strict(BaseModel):
    """Base of every front-matter model: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Link(Strict):
    title: Text
    url: HttpUrl


class Contact(Strict):
    name: Text
    role: Text | None = None
    organisation: Text | None = None
    email: Email | None = None
    phone: Annotated[str, Field(max_length=40, pattern=r"^\+?[0-9 ()./-]{6,}$")] | None = None


class Image(Strict):
    """A picture with the text that replaces it for people who cannot see it, and its maker."""

    src: Annotated[str, Field(min_length=1, max_length=300)]
    alt: Annotated[str, Field(min_length=1, max_length=300)]
    credit: Text | None = None


class Coordinates(Strict):
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
