"""Issue numbers follow the real history: one issue a month, counted from a configured start.

A content rule (`check` reports an issue file whose month does not match its number), so it
lives with the model; the newsletter stage and `kennisbank new` use the same functions.

January 2020 was issue 121 (120 issues had gone out by the end of 2019). The mapping lives in
settings (`newsletter_first_number`, `newsletter_first_month`) so another history can be set in
mkdocs.yml without code changes.
"""

from __future__ import annotations

import datetime as dt
import re

from kennisbank.config import Settings
from kennisbank.errors import UsageError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → the first day of that month; a clear usage error otherwise."""
    match = _MONTH.match(text.strip())
    if not match:
        raise UsageError(f"month {text!r} is not YYYY-MM (for example 2020-03)")
    return dt.date(int(match[1]), int(match[2]), 1)


def _months(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def number_for(settings: Settings, month: dt.date) -> int:
    """The issue number of ``month``; months before the first issue have none."""
    offset = _months(month) - _months(parse_month(settings.newsletter_first_month))
    if offset < 0:
        raise UsageError(f"{month:%Y-%m} lies before the first numbered issue ({settings.newsletter_first_month})")
    return settings.newsletter_first_number + offset


def month_for(settings: Settings, number: int) -> dt.date:
    """The month of issue ``number`` (inverse of :func:`number_for`)."""
    offset = number - settings.newsletter_first_number
    if offset < 0:
        raise UsageError(f"issue {number} lies before the first numbered issue ({settings.newsletter_first_number})")
    total = _months(parse_month(settings.newsletter_first_month)) + offset
    return dt.date(total // 12, total % 12 + 1, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
