"""Helpers for the feeds and newsletter tests: a writable copy of the sample repository."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_repository(source: Path, target: Path) -> Path:
    """Copy what `load_repository`/`load_settings` read (content, cases, mkdocs.yml) to ``target``."""
    for name in ("content", "cases"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
    shutil.copy2(source / "mkdocs.yml", target / "mkdocs.yml")
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
