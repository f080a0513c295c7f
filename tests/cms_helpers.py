"""Helpers for the web-editor tests: a throw-away git copy of the sample repository with the
editor running on it (:mod:`kennisbank.cms.sandbox`; never this checkout: decap-server in git
mode switches branches and runs ``git add .`` there)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from kennisbank.cms.sandbox import Editor, git, git_copy
from kennisbank.cms.sandbox import running_editor as _running_editor

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "node_modules" / "decap-cms" / "dist"

__all__ = ["DIST", "Editor", "git", "git_repository", "running_editor"]


def git_repository(target: Path) -> Path:
    """A copy of the sample repository as a git repository on branch ``main`` with one commit."""
    return git_copy(ROOT, target)


@contextlib.contextmanager
def running_editor(repository: Path, out: Path) -> Iterator[Editor]:
    with _running_editor(ROOT, repository, out) as editor:
        yield editor
