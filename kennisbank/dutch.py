"""Dates and times in Dutch, as the site shows them ("12 juni 2020", "8–9 oktober 2020").

Babel gives the month names; the range rules (one month written once, times as "14.00 uur")
follow Dutch house style, which Babel's interval formats do not.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel.dates import format_date

LOCALE = "nl"
_DASH = "\u2013"  # en dash, no spaces between numbers, spaced between phrases


@lru_cache(maxsize=4096)
def long_date(day: dt.date) -> str:
    """``12 juni 2020``."""
    return format_date(_as_date(day), "d MMMM y", locale=LOCALE)


_MONTH_ABBR = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def month_abbr(day: dt.date) -> str:
    """``mrt``: the short month names of Dutch house style (not Babel's "mrt."/"sep.")."""
    return _MONTH_ABBR[day.month - 1]


def decimal(value: float, places: int) -> str:
    """``50,87520``: a number with a decimal comma."""
    return f"{value:.{places}f}".replace(".", ",")


def enumerate_words(words: list[str]) -> str:
    """``a, b en c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def clock(moment: dt.datetime) -> str:
    """``14.00`` (Flemish style: a dot between hours and minutes)."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


@lru_cache(maxsize=4096)
def when(start: dt.date | dt.datetime, end: dt.date | dt.datetime | None = None) -> str:
    """A date range in words: ``8–9 oktober 2020``, ``15 december 2020, 14.00–16.00 uur``,
    ``30 september – 2 oktober 2020``; times appear only when the item gives them."""
    first, last = _as_date(start), _as_date(end) if end is not None else None
    timed = isinstance(start, dt.datetime)
    if last is None or last == first:
        text = long_date(first)
        if isinstance(start, dt.datetime):
            text += f", {clock(start)}"
            text += f"{_DASH}{clock(end)} uur" if isinstance(end, dt.datetime) else " uur"
        return text
    if timed or isinstance(end, dt.datetime):
        return f"{_with_time(start)} {_DASH} {_with_time(end if end is not None else start)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{_DASH}{long_date(last)}"
    if first.year == last.year:
        return f"{format_date(first, 'd MMMM', locale=LOCALE)} {_DASH} {long_date(last)}"
    return f"{long_date(first)} {_DASH} {long_date(last)}"


def iso(value: dt.date | dt.datetime) -> str:
    """Machine-readable value for ``<time datetime>``."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def _with_time(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return f"{long_date(value)} {clock(value)} uur"
    return long_date(value)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
