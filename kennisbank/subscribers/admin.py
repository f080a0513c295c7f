"""What ``kennisbank subscribers list|add|import|export|delete|stats`` do, behind the thin CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kennisbank.errors import KennisbankError
from kennisbank.subscribers.signup import DomainInvalid, SignupInvalid, check_address
from kennisbank.subscribers.store import DELETED, MAX_NAME, MAX_ORGANISATION, MAX_SOURCE, STATUSES, NewSubscriber, Store, Subscriber

Echo = Callable[[str], None]
EXPORT_COLUMNS = ("id", "email", "name", "organisation", "status", "source", "consent_at", "confirmed_at",
                  "unsubscribed_at", "created_at")


class ImportInvalid(KennisbankError):
    """The CSV has errors; every one is listed with its line and nothing is imported."""

    def __init__(self, path: Path, problems: list[str]):
        listed = "\n".join(f"  {path}:{problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in {path}; nothing was imported:\n{listed}")


@dataclass(frozen=True)
class ImportRow:
    line: int
    subscriber: NewSubscriber
    consent_at: dt.datetime | None


def _moment(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else ""


def write_export(subscribers: Iterable[Subscriber], handle: IO[str]) -> int:
    """Every subscriber with every stored field as CSV (erased rows hold nothing and are left out)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for s in subscribers:
        if s.status == DELETED:
            continue
        writer.writerow([s.id, s.email, s.name or "", s.organisation or "", s.status, s.source or "",
                         _moment(s.consent_at), _moment(s.confirmed_at), _moment(s.unsubscribed_at),
                         _moment(s.created_at)])
        count += 1
    return count


def list_lines(subscribers: Iterable[Subscriber]) -> Iterable[str]:
    for s in subscribers:
        if s.status == DELETED:
            continue
        who = f"{s.name} <{s.email}>" if s.name else str(s.email)
        extra = f" ({s.organisation})" if s.organisation else ""
        yield f"{s.status:<12} {who}{extra}  bron: {s.source or '-'}, toestemming: {_moment(s.consent_at) or '-'}"


def clean_field(value: str, limit: int, label: str) -> str:
    value = value.strip()
    if any(ch in value for ch in "\r\n\t\x00"):
        raise SignupInvalid(label, f"{label} contains a line break or a control character")
    if len(value) > limit:
        raise SignupInvalid(label, f"{label} is longer than {limit} characters")
    return value


def new_subscriber(email: str, name: str, organisation: str, source: str, check_domain: bool) -> NewSubscriber:
    """A subscriber from the command line or a CSV row; :class:`SignupInvalid` (English) when wrong."""
    try:
        address = check_address(email.strip(), check_domain)
    except DomainInvalid:
        raise SignupInvalid("email", f"the domain of {email.strip()!r} receives no e-mail according to DNS "
                                     "(--no-check-domain skips this check)") from None
    except SignupInvalid:
        raise SignupInvalid("email", f"{email.strip()!r} is not a valid e-mail address") from None
    return NewSubscriber(address, clean_field(name, MAX_NAME, "name"),
                         clean_field(organisation, MAX_ORGANISATION, "organisation"),
                         clean_field(source, MAX_SOURCE, "source"))


def read_import(path: Path, source: str, check_domain: bool) -> list[ImportRow]:
    """Rows of ``email[,name,organisation,consent_at]``; all problems at once, with line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise KennisbankError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ImportInvalid(path, ["1: the file is not UTF-8"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    if "email" not in columns:
        raise ImportInvalid(path, ["1: no `email` column (the first row names the columns: email,name,organisation)"])
    rows: list[ImportRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    try:
        for row in reader:
            values = {column: (row.get(columns[column]) or "") if column in columns else ""
                      for column in ("email", "name", "organisation", "consent_at")}
            try:
                if None in row:
                    raise SignupInvalid("row", "more fields than columns (a comma in a name? quote it)")
                subscriber = new_subscriber(values["email"], values["name"], values["organisation"], source,
                                            check_domain)
                consent = _parse_moment(values["consent_at"])
            except SignupInvalid as exc:
                problems.append(f"{reader.line_num}: {exc.field}: {exc.message}")
                continue
            if subscriber.email.lower() not in seen:
                seen.add(subscriber.email.lower())
                rows.append(ImportRow(reader.line_num, subscriber, consent))
    except csv.Error as exc:
        problems.append(f"{reader.line_num}: {exc}")
    if problems:
        raise ImportInvalid(path, problems)
    return rows


def _parse_moment(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise SignupInvalid("consent_at", f"{value.strip()!r} is not a date (YYYY-MM-DD or ISO 8601)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def import_rows(store: Store, rows: list[ImportRow]) -> Counter[str]:
    """Add every row as confirmed; never resubscribes an unsubscribed or erased address."""
    outcomes: Counter[str] = Counter()
    for row in rows:
        outcomes[store.add(row.subscriber, row.consent_at, resubscribe=False)] += 1
    return outcomes


def stats_table(store: Store) -> tuple[dict[str, int], list[tuple[str, int, int, int]]]:
    """Counts per status, and per month: sign-ups (consent given), confirmations, unsubscriptions."""
    counts = {status: 0 for status in STATUSES} | store.counts()
    months: dict[str, list[int]] = {}
    for _status, consent, confirmed, unsubscribed in store.moments():
        for index, moment in enumerate((consent, confirmed, unsubscribed)):
            if moment is not None:
                months.setdefault(moment.strftime("%Y-%m"), [0, 0, 0])[index] += 1
    return counts, [(month, *values) for month, values in sorted(months.items())]  # type: ignore[misc]


def format_stats(counts: dict[str, int], months: list[tuple[str, int, int, int]]) -> list[str]:
    lines = ["status        count"] + [f"{status:<12} {counts[status]:>6}" for status in STATUSES]
    lines += ["", "month     sign-ups  confirmed  unsubscribed"]
    lines += [f"{month}  {a:>8}  {b:>9}  {c:>12}" for month, a, b, c in months]
    return lines
