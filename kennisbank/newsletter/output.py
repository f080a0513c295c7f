"""Write issues to disk: ``<out>/<NNN>/issue.html``, ``issue.txt`` and ``issue.eml``.

Used by ``kennisbank build`` (all issues, into the build's temporary folder) and by
``kennisbank newsletter build`` (one month or all, straight into ``build/newsletter``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kennisbank.config import Settings
from kennisbank.content import Repository
from kennisbank.content.issues import Issue, issue_for, issue_sequence, published_issues
from kennisbank.content.numbering import parse_month
from kennisbank.errors import KennisbankError
from kennisbank.newsletter.render import render_issue
from kennisbank.staging import StagedFiles


def issue_folder(out: Path, number: int) -> Path:
    return out / f"{number:03d}"


def write_issue(repo: Repository, settings: Settings, issue: Issue, files: StagedFiles, under: str = "") -> Path:
    """``<under>/<NNN>/issue.html``, ``issue.txt`` and ``issue.eml`` through the build's writer."""
    rendered = render_issue(repo, settings, issue)
    folder = f"{under}/{issue.number:03d}".strip("/")
    files.write_text(f"{folder}/issue.html", rendered.html)
    files.write_text(f"{folder}/issue.txt", rendered.text)
    files.write_bytes(f"{folder}/issue.eml", rendered.eml)
    return files.root / folder


def select_issues(repo: Repository, settings: Settings, month: str | None) -> list[Issue]:
    """The issue of ``month`` (``YYYY-MM``), or every published issue when ``month`` is None."""
    if month is None:
        return published_issues(repo, settings)
    first = parse_month(month)
    issue = issue_for(repo, settings, first)
    if issue is None:
        number = issue_sequence(repo, settings).number_for(first)
        raise KennisbankError(f"no issue for {month} (issue {number}): no published items "
                              "that month, or its content/nieuwsbrief file is a draft")
    return [issue]


def write_issues(repo: Repository, settings: Settings, issues: list[Issue], files: StagedFiles, under: str = "",
                 progress: Callable[[Issue], None] = lambda issue: None) -> list[Path]:
    folders = []
    for issue in sorted(issues, key=lambda i: i.number):
        folders.append(write_issue(repo, settings, issue, files, under))
        progress(issue)
    return folders
