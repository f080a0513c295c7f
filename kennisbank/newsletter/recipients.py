"""Where a send's recipients come from: a :class:`RecipientSource`.

Two sources exist: :class:`CsvRecipients` (``newsletter send --to list.csv``, read here with
line-numbered errors) and the subscriber store
(:class:`kennisbank.subscribers.source.StoreRecipients`, the default). The whole CSV is validated
before anything is sent: one bad row stops the run, so a half-right list never reaches half its
readers.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from typing import Protocol

from kennisbank.errors import KennisbankError


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    line: int  # the CSV line; for the subscriber store, the subscriber's id
    unsubscribe_url: str = ""  # this reader's own one-click unsubscribe link (RFC 8058), when the source has one

    @property
    def key(self) -> str:
        """Identity in the send log: addresses differing only in case are one reader."""
        return self.email.lower()

    def address(self) -> str:
        local, _, domain = self.email.rpartition("@")
        return str(Address(display_name=self.name, username=local, domain=domain))


class RecipientsInvalid(KennisbankError):
    """The CSV has errors; every one is listed with its line number and nothing is sent."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        listed = "\n".join(f"  {path}:{problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in {path}; nothing was sent:\n{listed}")


def _valid_email(value: str) -> bool:
    if not value or any(ch.isspace() for ch in value) or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    if not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return False
    ascii_local = "".join(ch if ch.isascii() else "x" for ch in local)  # UTF-8 local parts: SMTPUTF8, at send
    try:
        Address(addr_spec=f"{ascii_local}@{domain}")
    except (HeaderParseError, ValueError, IndexError):
        return False
    return True


def read_recipients(path: Path) -> tuple[list[Recipient], int]:
    """The recipients in file order, and how many duplicate rows (same address) were dropped."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise KennisbankError(f"cannot read {path}: {exc.strerror}") from None
    problems: list[str] = []
    recipients: dict[str, Recipient] = {}
    duplicates = 0
    with handle:
        try:
            reader = csv.DictReader(handle)
            columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
            if "email" not in columns:
                raise RecipientsInvalid(path, ["1: no `email` column (the first row must name the columns, e.g. email,name)"])
            for row in reader:
                line = reader.line_num
                email = (row.get(columns["email"]) or "").strip()
                name = (row.get(columns["name"]) or "").strip() if "name" in columns else ""
                if None in row:
                    problems.append(f"{line}: more fields than columns (a comma in a name? quote it)")
                elif not email:
                    problems.append(f"{line}: email is empty")
                elif not _valid_email(email):
                    problems.append(f"{line}: {email!r} is not a valid e-mail address")
                elif any(ch in name for ch in "\r\n"):
                    problems.append(f"{line}: name contains a line break")
                elif email.lower() in recipients:
                    duplicates += 1
                else:
                    recipients[email.lower()] = Recipient(email, name, line)
        except UnicodeDecodeError:
            raise RecipientsInvalid(path, ["1: the file is not UTF-8"]) from None
        except csv.Error as exc:
            raise RecipientsInvalid(path, [f"{reader.line_num}: {exc}"]) from None
    if problems:
        raise RecipientsInvalid(path, problems)
    if not recipients:
        raise RecipientsInvalid(path, ["1: no recipients"])
    return list(recipients.values()), duplicates


class RecipientSource(Protocol):
    """Who gets an issue, where the send log lives, and whether a reader still wants it."""

    description: str  # for messages: "leden.csv", "the subscriber store"
    identity: str  # which list this is, for the registry that ties one send log to (issue, list)
    left_out: int  # addresses :meth:`load` dropped because they opted out (unsubscribed or erased)

    def load(self) -> tuple[list[Recipient], int]:
        """The recipients, and how many duplicates were dropped."""
        ...

    def default_log(self, number: int) -> Path:
        ...

    def log_registry(self) -> Path:
        """Which send log belongs to which issue of this list (see :func:`.sendlog.claim`)."""
        ...

    def prepare(self, recipient: Recipient) -> Recipient | None:
        """Asked just before each message: the recipient as addressed (e.g. with a personal
        unsubscribe link, made only now so that selecting 100,000 readers stays cheap), or None
        to skip a reader who unsubscribed while the send ran."""
        ...


class CsvRecipients:
    """A hand-made list: ``email`` and optionally ``name`` columns.

    ``opted_out``, when given, names the list's addresses that unsubscribed or were erased in the
    subscriber store: they are left out, so an old export or a list from elsewhere never reaches
    someone who asked to get nothing more."""

    def __init__(self, path: Path, opted_out: Callable[[list[str]], set[str]] | None = None):
        self.path = path
        self.description = str(path)
        self.identity = str(path.resolve())
        self.opted_out = opted_out
        self.left_out = 0

    def load(self) -> tuple[list[Recipient], int]:
        recipients, duplicates = read_recipients(self.path)
        if self.opted_out is not None:
            gone = self.opted_out([r.email for r in recipients])
            kept = [r for r in recipients if r.key not in gone]
            self.left_out = len(recipients) - len(kept)
            if not kept:
                raise KennisbankError(f"every address in {self.path} unsubscribed or was erased in the "
                                      "subscriber store; nothing was sent")
            recipients = kept
        return recipients, duplicates

    def default_log(self, number: int) -> Path:
        """Next to the list: ``leden.csv`` → ``leden.121.send-log.jsonl``. The log survives rebuilds
        and ``make clean``, stays with the personal data it describes, and another list gets its own."""
        return self.path.with_name(f"{self.path.stem}.{number}.send-log.jsonl")

    def log_registry(self) -> Path:
        """``leden.csv`` → ``leden.send-logs.json``."""
        return self.path.with_name(f"{self.path.stem}.send-logs.json")

    def prepare(self, recipient: Recipient) -> Recipient | None:
        return recipient
