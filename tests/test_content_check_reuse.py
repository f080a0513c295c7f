"""The live preview's per-file check reuse (FileChecks): only files saved since are read and
validated again, and the result is the same as a check from scratch."""

from __future__ import annotations

import os
import re

import pytest
from site_helpers import copy_repository

import kennisbank.content.check as check
from kennisbank.content.check import FileChecks, check_repository


@pytest.fixture
def copied(sample_root, tmp_path):
    return copy_repository(sample_root, tmp_path / "repo")


def outcome(result):
    return [str(e) for e in result.errors], [(i.path, i.title) for i in result.items]


def test_only_changed_files_are_checked_again_with_the_same_result(copied, monkeypatch):
    seen: list[str] = []
    original = check._check

    def counting(root, relative):
        seen.append(relative)
        return original(root, relative)

    monkeypatch.setattr(check, "_check", counting)
    checks = FileChecks()
    first = check_repository(copied, workers=1, reuse=checks)
    everything = len(seen)
    assert everything > 100 and not first.errors

    news = next(i for i in first.items if i.type.name == "news")
    path = copied / news.path
    path.write_text(re.sub(r"^title: .*$", "title: Een nieuwe titel", path.read_text(encoding="utf-8"), count=1,
                           flags=re.MULTILINE), encoding="utf-8")
    gone = next(i for i in first.items if i.type.name == "news" and i.path != news.path)
    (copied / gone.path).unlink()
    seen.clear()
    again = check_repository(copied, workers=1, reuse=checks)
    assert seen == [news.path]
    assert outcome(again) == outcome(check_repository(copied, workers=1))
    assert any(title == "Een nieuwe titel" for _, title in outcome(again)[1])
    assert gone.path not in [p for p, _ in outcome(again)[1]]


def test_a_file_broken_since_is_reported_and_its_earlier_check_forgotten(copied):
    checks = FileChecks()
    first = check_repository(copied, workers=1, reuse=checks)
    item = next(i for i in first.items if i.type.name == "news")
    path = copied / item.path
    stat = path.stat()
    path.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time: the size and inode still tell
    broken = check_repository(copied, workers=1, reuse=checks)
    assert [e for e in broken.errors if e.path == item.path]
    assert outcome(broken) == outcome(check_repository(copied, workers=1))
