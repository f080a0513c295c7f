"""The build's notion of "now": ``SOURCE_DATE_EPOCH`` when set, the clock otherwise.

Every output that depends on the date (scheduled items, upcoming events, build stamps) asks this
module, so two builds with the same ``SOURCE_DATE_EPOCH`` are byte-identical and a build without
it is correct for the day it runs. It is never the newest content date.
"""
from __future__ import annotations

import datetime as dt
import os

from kennisbank.errors import KennisbankError


def build_now() -> dt.datetime:
    """The build moment in UTC (second precision)."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise KennisbankError(f"SOURCE_DATE_EPOCH: not a Unix timestamp: {raw[:40]!r}") from None


def build_today() -> dt.date:
    """The build's calendar date (UTC of ``build_now``)."""
    return build_now().date()
