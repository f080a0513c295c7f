"""``kennisbank check``: the content (with mkdocs.yml, which its rules read) and the search settings.

Content rules live in :mod:`kennisbank.content.check`; the search settings belong to the search
stage, so the model never imports an output. This module puts both reports into one run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kennisbank.content.check import CheckResult, check_repository, relative_path, within
from kennisbank.content.parallel import Progress
from kennisbank.search.settings import SETTINGS_FOLDER, read_search_settings


def check_project(root: Path, only: Iterable[Path] | None = None, progress: Progress | None = None) -> CheckResult:
    """Every error in the content, mkdocs.yml and ``search/*.yml`` (sorted, one run)."""
    wanted = None if only is None else list(only)
    result = check_repository(root, wanted, progress=progress)
    if (result.root / SETTINGS_FOLDER).is_dir():
        _, errors = read_search_settings(result.root)
        if wanted is not None:
            paths = [relative_path(result.root, p) for p in wanted]
            errors = [e for e in errors if any(within(e.path, w) for w in paths)]
        result.errors = sorted(result.errors + errors)
    return result

