"""What a branch changes in the content: items added, changed and removed, by type.

The pull-request workflow writes its Markdown into the job summary, so a reviewer sees at a
glance "2 news items added, 1 church fiche changed" before opening the built site. It compares
the working tree (committed or not, plus untracked files) with the merge base of ``base`` and
``HEAD``, the way a pull request's diff does.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kennisbank.content.check import CONTENT_ROOTS, check_repository
from kennisbank.content.types import CONTENT_TYPES, type_for_path
from kennisbank.errors import KennisbankError, UsageError
from kennisbank.sanitize import escape_markdown

KINDS = ("added", "changed", "removed")
_HEADINGS = {"added": "Toegevoegd", "changed": "Gewijzigd", "removed": "Verwijderd"}


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    type_name: str
    path: str
    title: str = ""


@dataclass
class ContentChanges:
    base: str
    changes: list[Change] = field(default_factory=list)

    def count(self, type_name: str, kind: str) -> int:
        return sum(1 for c in self.changes if c.type_name == type_name and c.kind == kind)

    def as_dict(self) -> dict[str, object]:
        return {"base": self.base, "changes": [c.__dict__ for c in self.changes]}

    def markdown(self) -> str:
        """A Dutch summary: a table by type, then the items, each with its title and file."""
        lines = [f"## Inhoud gewijzigd ten opzichte van `{self.base}`", ""]
        if not self.changes:
            return "\n".join([*lines, "Geen items toegevoegd, gewijzigd of verwijderd.", ""])
        lines += ["| Type | Toegevoegd | Gewijzigd | Verwijderd |", "|---|---:|---:|---:|"]
        for ctype in CONTENT_TYPES:
            counts = [self.count(ctype.name, kind) for kind in KINDS]
            if any(counts):
                lines.append(f"| {ctype.label_plural} | " + " | ".join(map(str, counts)) + " |")
        labels = {t.name: t.label for t in CONTENT_TYPES}
        for kind in KINDS:
            chosen = [c for c in self.changes if c.kind == kind]
            if chosen:
                lines += ["", f"### {_HEADINGS[kind]}", ""]
                lines += [f"- {labels[c.type_name]}: {escape_markdown(c.title) + ' — ' if c.title else ''}`{c.path}`"
                          for c in chosen]
        return "\n".join(lines) + "\n"


def content_changes(root: Path, base: str) -> ContentChanges:
    """Items added, changed and removed since the merge base of ``base`` and ``HEAD``."""
    statuses = _git(root, "diff", "--name-status", "-M", "--no-color", "--merge-base", base, "--", *CONTENT_ROOTS)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--", *CONTENT_ROOTS)
    raw: list[tuple[str, str]] = []
    for line in statuses.splitlines():
        status, *paths = line.split("\t")
        if status.startswith("R"):
            raw += [("removed", paths[0]), ("added", paths[1])] if _type(paths[0]) != _type(paths[1]) \
                else [("changed", paths[1])]
        else:
            raw.append(({"A": "added", "D": "removed"}.get(status[0], "changed"), paths[-1]))
    raw += [("added", path) for path in untracked.splitlines()]
    titles = {item.path: item.title for item in check_repository(root).items}
    changes = [Change(kind, ctype.name, path, titles.get(path, "") if kind != "removed" else "")
               for kind, path in raw if path.endswith(".md") and (ctype := type_for_path(path)) is not None]
    changes.sort(key=lambda c: (KINDS.index(c.kind), c.type_name, c.path))
    return ContentChanges(base, changes)


def _type(path: str) -> str | None:
    ctype = type_for_path(path)
    return ctype.name if ctype else None


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise KennisbankError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed"
        raise UsageError(f"git: {message} (is --base a branch or commit of this repository?)")
    return done.stdout
