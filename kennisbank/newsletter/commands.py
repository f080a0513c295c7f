"""What ``kennisbank newsletter build`` and ``newsletter send`` do, behind their thin Click layer.

Both report through an ``echo`` callable and a rich progress bar on stderr, so the CLI stays a
parser and these stay testable without a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.newsletter.output import issue_folder, select_issues, write_issues
from kennisbank.newsletter.recipients import RecipientSource
from kennisbank.newsletter.send import PartialSend, Plan, plan, read_issue, send, smtp_config
from kennisbank.newsletter.sendlog import SendLog, claim, peek_state
from kennisbank.staging import StagedFiles

if TYPE_CHECKING:
    from kennisbank.subscribers.config import SubscriberConfig

Echo = Callable[[str], None]


def _progress(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True,
                    console=Console(stderr=True))


def build_command(root: Path, out: Path, month: str | None, every: bool, echo: Echo) -> list[Path]:
    """Write the issue of ``month`` (default: the newest issue) or, with ``every``, all issues."""
    settings = load_settings(root)
    repo = load_repository(root)
    issues = select_issues(repo, settings, month)
    if not every and month is None:
        issues = issues[:1]
    with _progress("Nieuwsbrieven") as bar:
        task = bar.add_task("build", total=len(issues))
        folders = write_issues(repo, settings, issues, StagedFiles(out), progress=lambda issue: bar.advance(task))
    for folder in folders:
        echo(str(folder))
    return folders


def recipient_source(root: Path, recipients_csv: Path | None) -> RecipientSource:
    """``--to list.csv``, or else the confirmed subscribers in the store."""
    from kennisbank.newsletter.recipients import CsvRecipients
    from kennisbank.subscribers.config import subscriber_config
    from kennisbank.subscribers.source import StoreRecipients

    config = subscriber_config(load_settings(root))
    if recipients_csv is not None:
        return CsvRecipients(recipients_csv, _store_opt_outs(config))
    return StoreRecipients(config)


def _store_opt_outs(config: SubscriberConfig) -> Callable[[list[str]], set[str]] | None:
    """The subscriber store's unsubscriptions and erasures, for a CSV send; None when there is no
    store yet (a SQLite file that does not exist is not created for this)."""
    from kennisbank.subscribers.store import sqlite_file

    file = sqlite_file(config.database_url)
    if file is not None and not file.is_file():
        return None

    def opted_out(emails: list[str]) -> set[str]:
        store = config.open_store()
        try:
            return store.opted_out(emails)
        finally:
            store.close()

    return opted_out


def send_command(root: Path, number: int, source: RecipientSource, issues_dir: Path, log_path: Path | None,
                 dry_run: bool, rate: float | None, uncertain: str, echo: Echo, force_log: bool = False) -> None:
    settings = load_settings(root)
    eml = issue_folder(issues_dir, number) / "issue.eml"
    template = read_issue(eml, number)
    recipients, duplicates = source.load()
    if duplicates:
        echo(f"{duplicates} duplicate address(es) in {source.description} ignored: each reader gets one copy")
    if source.left_out:
        echo(f"{source.left_out} address(es) in {source.description} unsubscribed or were erased in the "
             "subscriber store: left out")
    log_path = log_path or source.default_log(number)
    if dry_run:
        todo = plan(recipients, peek_state(log_path, number), uncertain)
        _announce(todo, number, log_path, uncertain, echo)
        for recipient in todo.to_send:
            echo(f"would send to {recipient.address()}")
        echo(f"dry run: {len(todo.to_send)} message(s) would be sent; nothing was sent")
        return
    config = smtp_config(os.environ)
    claim(source.log_registry(), number, source.identity, log_path, force_log)
    with SendLog(log_path, number) as log:
        todo = plan(recipients, log.state, uncertain)
        _announce(todo, number, log_path, uncertain, echo)
        echo(f"sending issue {number} to {len(todo.to_send)} recipient(s) via {config.describe()}")
        with _progress(f"Nieuwsbrief {number}") as bar:
            task = bar.add_task("send", total=len(todo.to_send))
            report = send(settings, number, template, todo.to_send, log, config, rate,
                          lambda recipient: bar.advance(task), prepare=source.prepare)
    echo(f"sent {report.sent} message(s)")
    if report.skipped:
        echo(f"{len(report.skipped)} reader(s) unsubscribed during the send: skipped")
    if report.refused:
        for recipient, problem in report.refused:
            echo(f"refused: {recipient.email} (line {recipient.line}): {problem}")
        raise PartialSend(f"{len(report.refused)} recipient(s) could not be sent to (reasons above, also in the "
                          "send log); run the same command again to retry them (the others are not sent twice)")


def _announce(todo: Plan, number: int, log_path: Path, uncertain: str, echo: Echo) -> None:
    if todo.already_sent:
        echo(f"{len(todo.already_sent)} recipient(s) already have issue {number} (send log {log_path}): skipped")
    for recipient in todo.uncertain:
        action = "sending again" if uncertain == "resend" else "skipping (--uncertain skip)"
        echo(f"uncertain: an earlier run was stopped while sending to {recipient.email}; {action}")
