"""The send log: an append-only JSON-lines file that makes sending resumable after a crash.

For every recipient the sender writes ``sending`` just before the SMTP DATA command and ``sent``
after the server accepted the message; each record is flushed and fsync'ed before the next step.
On a rerun, ``sent`` recipients are skipped. A recipient with ``sending`` but no ``sent`` is the
one uncertain case: the process died between handing the message over and recording the reply,
so the server may or may not have accepted it. Before DATA nothing can have been delivered (an
SMTP transaction without a completed DATA is discarded), which keeps that window as small as it
can be. See :mod:`kennisbank.newsletter.send` for what a rerun does with uncertain recipients.

A file lock stops two senders from working on the same log at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kennisbank.errors import KennisbankError

SENDING, SENT, FAILED = "sending", "sent", "failed"


@dataclass
class LogState:
    sent: set[str] = field(default_factory=set)
    uncertain: set[str] = field(default_factory=set)  # "sending" without a later "sent"/"failed"
    failed: dict[str, str] = field(default_factory=dict)


class SendLog:
    """Open with ``with SendLog(path) as log:``; :attr:`state` is what earlier runs recorded."""

    def __init__(self, path: Path, issue: int):
        self.path = path
        self.issue = issue
        self._handle: IO[str] | None = None
        self.state = LogState()

    def __enter__(self) -> SendLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise KennisbankError(f"{self.path} is in use: another `newsletter send` is running for this issue") from None
        self._handle = handle
        handle.seek(0)
        text = handle.read()
        if text and not text.endswith("\n"):  # a record torn by a kill: its step never finished
            text = text[: text.rfind("\n") + 1]
            os.ftruncate(handle.fileno(), len(text.encode("utf-8")))
        self.state = read_state(text, self.issue, self.path)
        handle.seek(0, os.SEEK_END)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            self._handle.close()  # closing releases the lock
            self._handle = None

    def record(self, event: str, email: str, **extra: object) -> None:
        """Append one record and make it durable before returning."""
        assert self._handle is not None, "use SendLog as a context manager"
        entry = {"event": event, "email": email, "issue": self.issue,
                 "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), **extra}
        self._handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())


def read_state(text: str, issue: int, path: Path) -> LogState:
    """Replay a log (whole lines only; a torn last record was cut off when the log was opened)."""
    state = LogState()
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise KennisbankError(f"{path}:{number}: damaged send log line; fix or remove it") from None
        if entry.get("issue") != issue:
            raise KennisbankError(f"{path}:{number}: this log belongs to issue {entry.get('issue')}, not {issue}")
        key = str(entry.get("email", "")).lower()
        event = entry.get("event")
        if event == SENDING:
            state.uncertain.add(key)
        elif event == SENT:
            state.uncertain.discard(key)
            state.failed.pop(key, None)
            state.sent.add(key)
        elif event == FAILED:
            state.uncertain.discard(key)
            state.failed[key] = str(entry.get("error", ""))
    return state


def peek_state(path: Path, issue: int) -> LogState:
    """What a log records, without locking or creating it (for ``--dry-run``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LogState()
    return read_state(text[: text.rfind("\n") + 1], issue, path)


def claim(registry: Path, issue: int, recipients_list: str, log_path: Path, force: bool = False) -> None:
    """Tie ``log_path`` to (issue, list): the first log used for a pair is the only one accepted.

    Two logs for one issue and one list would each think nobody got the issue yet and mail everyone
    twice, so a second log is refused unless ``force`` (then it replaces the first in the registry).
    ``registry`` is a small JSON file kept with the list (``<list>.send-logs.json``).
    """
    registry.parent.mkdir(parents=True, exist_ok=True)
    with registry.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        try:
            claims = json.loads(handle.read() or "{}")
        except json.JSONDecodeError:
            raise KennisbankError(f"{registry}: damaged send-log registry; fix or remove it") from None
        key = f"{issue} {recipients_list}"
        wanted = str(log_path.resolve())
        earlier = claims.get(key)
        if earlier and earlier != wanted and Path(earlier).exists() and not force:
            raise KennisbankError(
                f"issue {issue} was already sent to {recipients_list} with the send log {earlier}; use that log "
                "(--log) so nobody gets the issue twice, or --force-log to start over with this one")
        claims[key] = wanted
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(claims, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
