"""Helpers for the web-editor tests: a throw-away git repository served with the local backend.

decap-server in git mode switches branches and runs ``git add .`` in the working tree it is
given, so the tests always point it at a fresh copy, never at this checkout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search_helpers import live_server
from site_helpers import copy_repository

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "node_modules" / "decap-cms" / "dist"


def git(repository: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    return subprocess.run(["git", "-C", str(repository), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def git_repository(target: Path) -> Path:
    """A copy of the sample repository as a git repository on branch ``main`` with one commit."""
    copy_repository(ROOT, target)
    shutil.copy2(ROOT / ".gitignore", target / ".gitignore")
    git(target, "init", "-q", "-b", "main")
    git(target, "config", "user.name", "test")
    git(target, "config", "user.email", "test@example.org")
    git(target, "add", ".")
    git(target, "commit", "-q", "-m", "sample content")
    return target


@dataclass
class Editor:
    repository: Path
    url: str  # base URL of the site; the editor is at url + "/admin/"


@contextlib.contextmanager
def running_editor(repository: Path, out: Path) -> Iterator[Editor]:
    """Build the repository's site (with /admin/) into ``out``, start decap-server in git mode on
    the repository and serve the site with kennisbank's app; yield the base URL."""
    from kennisbank.build import build
    from kennisbank.cms.admin import DIST_ENV
    from kennisbank.cms.proxy import DecapServer
    from kennisbank.serve import create_app

    previous = os.environ.get(DIST_ENV)
    os.environ[DIST_ENV] = str(DIST)
    try:
        build(repository, out)
    finally:
        if previous is None:
            os.environ.pop(DIST_ENV, None)
        else:
            os.environ[DIST_ENV] = previous
    with DecapServer(ROOT, repository) as proxy:
        app = create_app(repository, out, watch=False, report=lambda message: None, cms_api=proxy.api_url)
        with live_server(app) as url:
            yield Editor(repository, url)
