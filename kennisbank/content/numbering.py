"""Issue numbers are a sequence of issues, not a function of the month.

The real archive: 120 issues by the end of 2019, issue 121 is January 2020; there is no July
issue, so issue 27 is June 2011 and issue 28 August 2011, and issue 137 is June 2021.

* Every issue file (``content/nieuwsbrief/NNN.md``) states its ``number`` and ``month``; the files
  are the record. ``check`` verifies that numbers are unique, increase with the month and leave
  no gap (:func:`sequence_errors`); months may be skipped.
* A month without a file gets a default issue: the next free number after the last issue before
  it, counting one issue per month except the months in ``newsletter_skip_months`` (July by
  default). Before the first file the count starts at ``newsletter_first_number`` for
  ``newsletter_first_month``. A month for which no number is free (the following file already
  took it) has no issue: its items go to the next one.
* An issue carries the items of its month and of the months without an issue just before it
  (the August issue also covers July).

A content rule, so it lives with the model; the newsletter, the feeds and ``kennisbank new`` use it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kennisbank.config import KennisbankSettings
from kennisbank.content.items import Item
from kennisbank.content.models import Newsletter
from kennisbank.errors import UsageError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → the first day of that month; a clear usage error otherwise."""
    match = _MONTH.match(text.strip())
    if not match:
        raise UsageError(f"month {text!r} is not YYYY-MM (for example 2020-03)")
    return dt.date(int(match[1]), int(match[2]), 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every month after ``start`` up to and including ``end``."""
    month = next_month(start)
    while month <= end:
        yield month
        month = next_month(month)


@dataclass(frozen=True)
class IssueFile:
    """What an issue file states: its number and month (and where it is, for messages)."""

    number: int
    month: dt.date
    path: str


def issue_file(item: Item) -> IssueFile:
    """What the newsletter ``item`` states about its place in the sequence."""
    meta = item.meta
    assert isinstance(meta, Newsletter)
    return IssueFile(meta.number, parse_month(meta.month), item.path)


class IssueSequence:
    """The numbered issues: the issue files, and default issues for the months between them."""

    def __init__(self, settings: KennisbankSettings, files: Iterable[IssueFile]):
        self.skip_months = frozenset(settings.newsletter_skip_months)
        self.anchor = IssueFile(settings.newsletter_first_number, parse_month(settings.newsletter_first_month),
                                "mkdocs.yml (newsletter_first_number, newsletter_first_month)")
        self.files = sorted(files, key=lambda f: (f.month, f.number))
        self._months = [f.month for f in self.files]
        self._by_month = {f.month: f for f in self.files}

    def number_for(self, month: dt.date) -> int:
        """The number of ``month``'s issue; :class:`UsageError` when the month has none."""
        given = self._by_month.get(month)
        if given is not None:
            return given.number
        if month.month in self.skip_months:
            raise UsageError(f"{month:%Y-%m} has no issue: month {month.month} is in newsletter_skip_months "
                             "(mkdocs.yml); its items go to the next issue")
        before = self._before(month)
        if before is None:
            raise UsageError(f"{month:%Y-%m} lies before the first numbered issue "
                             f"({self.anchor.number} = {self.anchor.month:%Y-%m})")
        number = self.expected_number(before, month)
        after = self._after(month)
        if after is not None and number >= after.number:
            raise UsageError(f"{month:%Y-%m} has no free issue number: issue {before.number} ({before.month:%Y-%m}) "
                             f"is followed by issue {after.number} ({after.month:%Y-%m}, {after.path})")
        return number

    def expected_number(self, before: IssueFile, month: dt.date) -> int:
        """The number an issue of ``month`` takes after issue ``before``: one more for every month
        in between that has an issue (all but the skipped months)."""
        if month == before.month:
            return before.number
        between = months_between(before.month, previous_month(month))
        return before.number + 1 + sum(1 for m in between if m.month not in self.skip_months)

    def file_of(self, month: dt.date) -> IssueFile | None:
        """The issue file of ``month``, if it has one."""
        return self._by_month.get(month)

    def has_issue(self, month: dt.date) -> bool:
        try:
            self.number_for(month)
        except UsageError:
            return False
        return True

    def issue_months(self, until: dt.date) -> list[tuple[dt.date, int]]:
        """(month, number) of every issue from the first one up to ``until``, oldest first."""
        start = min([self.anchor.month, *self._months[:1]])
        found = []
        for month in [start, *months_between(start, until)]:
            if self.has_issue(month):
                found.append((month, self.number_for(month)))
        return found

    def covered_months(self, month: dt.date) -> list[dt.date]:
        """``month`` and the months just before it that have no issue of their own."""
        covered = [month]
        earliest = min([self.anchor.month, *self._months[:1]])
        current = previous_month(month)
        while current >= earliest and not self.has_issue(current):
            covered.append(current)
            current = previous_month(current)
        return covered

    def _before(self, month: dt.date) -> IssueFile | None:
        """The last issue file before ``month``, or the settings' anchor when it comes later."""
        index = bisect.bisect_left(self._months, month)
        last = self.files[index - 1] if index else None
        if last is not None and last.month >= self.anchor.month:
            return last
        return self.anchor if self.anchor.month <= month else last

    def _after(self, month: dt.date) -> IssueFile | None:
        index = bisect.bisect_right(self._months, month)
        return self.files[index] if index < len(self.files) else None


@dataclass(frozen=True)
class SequenceError:
    """A problem with one issue file's place in the sequence (``field`` is number or month)."""

    file: IssueFile
    field: str
    message: str


def sequence_errors(settings: KennisbankSettings, files: Iterable[IssueFile]) -> list[SequenceError]:
    """Numbers unique, months unique, numbers increasing with the month, and no gap."""
    errors: list[SequenceError] = []
    seen_numbers: dict[int, IssueFile] = {}
    seen_months: dict[dt.date, IssueFile] = {}
    kept: list[IssueFile] = []
    for file in sorted(files, key=lambda f: f.path):
        if file.number in seen_numbers:
            errors.append(SequenceError(file, "number", f"issue {file.number} is also {seen_numbers[file.number].path}"))
        elif file.month in seen_months:
            other = seen_months[file.month]
            errors.append(SequenceError(file, "month", f"{file.month:%Y-%m} already has issue {other.number} ({other.path})"))
        else:
            seen_numbers[file.number] = seen_months[file.month] = file
            kept.append(file)
    sequence = IssueSequence(settings, kept)
    previous: IssueFile | None = None
    for file in sequence.files:
        errors.extend(_place_errors(sequence, previous, file))
        previous = file
    return errors


def _place_errors(sequence: IssueSequence, previous: IssueFile | None, file: IssueFile) -> list[SequenceError]:
    """``file`` against the issue before it: the previous file, or the settings' first issue."""
    if previous is not None and file.number <= previous.number:
        return [SequenceError(file, "number", f"issue {file.number} ({file.month:%Y-%m}) comes after issue "
                              f"{previous.number} ({previous.month:%Y-%m}): numbers increase with the month")]
    before = previous if previous is not None and previous.month >= sequence.anchor.month else \
        sequence.anchor if sequence.anchor.month <= file.month else previous
    if before is None:
        return []
    where = f", {before.path}" if before is sequence.anchor else ""
    lowest = before.number + (file.month > before.month)
    if file.number < lowest:
        return [SequenceError(file, "number", f"issue {file.number} ({file.month:%Y-%m}) comes after issue "
                              f"{before.number} ({before.month:%Y-%m}{where}): numbers increase with the month")]
    expected = sequence.expected_number(before, file.month)
    if file.number > expected:
        return [SequenceError(file, "number", f"issue {file.number} leaves a gap in the numbers: after issue "
                              f"{before.number} ({before.month:%Y-%m}{where}) the issue of {file.month:%Y-%m} is "
                              f"number {expected} at most (newsletter_skip_months have no issue)")]
    return []
