"""The one exception family users can cause, and the error record `check` reports.

Every stage raises :class:`KennisbankError` (or a subclass) for problems a user can fix; `cli.py`
turns them into a message and an exit code. Content problems are collected as
:class:`ContentError` records rather than raised, so that one run reports all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Path_ = tuple[str | int, ...]  # where a value sits in a file's data: keys and list indexes


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in one content file: where it is (path, line, field) and what is wrong."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        """One line, always: control characters in a file name (a newline could forge a second
        error line) or in a message are shown escaped, as ``\\n`` or ``\\x1b``."""
        return f"{printable(self.path)}:{self.line}: {printable(self.field)}: {printable(self.message)}"

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "field": self.field, "message": self.message}

    def as_github(self) -> str:
        """A GitHub Actions workflow command, so errors show up on the pull request's diff."""
        message = _escape_data(f"{self.field}: {self.message}")
        path = _escape_data(self.path).replace(":", "%3A").replace(",", "%2C")
        return f"::error file={path},line={self.line},title=kennisbank check::{message}"


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters and line separators escaped (``\\n``, ``\\x1b``, ``\\u2028``)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def _escape_data(text: str) -> str:
    """Workflow-command escaping; properties (file=) also escape ':' and ','."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


class KennisbankError(Exception):
    """A problem the user can fix; the CLI prints it without a traceback."""

    exit_code = 1


class ContentInvalid(KennisbankError):
    """Raised by stages that need valid content (build, newsletter) when `check` finds errors."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__(f"{len(errors)} content error(s); run `kennisbank check`")


class UsageError(KennisbankError):
    """A command was asked for something that cannot be done (unknown type, bad option value)."""

    exit_code = 2


_NAME = re.compile(r"^[\w-]+$")


def format_loc(loc: Path_) -> str:
    """``("photos", 0, "alt")`` → ``photos[0].alt`` (the field name every error uses).

    Keys that are not plain names (empty, spaces, newlines, dots) are quoted, so a report line
    stays one line and one field.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = part if _NAME.fullmatch(part) else repr(part[:40])
            out += f".{name}" if out else name
    return out or "front matter"
