"""Read the recipients CSV (an ``email`` column, optionally ``name``) with line-numbered errors.

The whole file is validated before anything is sent: one bad row stops the run, so a half-right
list never reaches half its readers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path

from kennisbank.errors import KennisbankError


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    line: int

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
