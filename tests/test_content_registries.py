"""Registries (cities, vocabularies): problems in them are errors with their line, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from kennisbank.content.check import check_repository
from kennisbank.content.registries import CITIES_FILE, VOCABULARIES_FILE, load_registries


def write(root: Path, cities: str | bytes, vocabularies: str = "news_categories: {beleid: Beleid}\n") -> Path:
    folder = root / "content/registries"
    folder.mkdir(parents=True)
    (folder / "cities.yml").write_bytes(cities if isinstance(cities, bytes) else cities.encode())
    (folder / "vocabularies.yml").write_text(vocabularies, encoding="utf-8")
    return root


def test_the_repository_registries(sample_root):
    registries, errors = load_registries(sample_root)
    assert errors == []
    centre = [c for c in registries.cities.values() if c.centre_city]
    assert len(centre) == 14  # 13 centre cities and the VGC
    assert registries.cities["vgc"].label == "VGC"
    assert registries.label("news_categories", "beleid") != "beleid"
    assert registries.label("news_categories", "onbekend") == "onbekend"


def test_entry_errors_name_their_line(tmp_path):
    root = write(tmp_path, "# steden\ngent: {name: Gent}\nleuven: {naam: Leuven}\nbrugge: {name: Brugge, land: BE}\n",
                 "news_categories: {beleid: Beleid}\nevent_kinds: [seminarie]\n")
    _, errors = load_registries(root)
    assert [(e.path, e.line, e.field) for e in errors] == [
        (CITIES_FILE, 3, "leuven"), (CITIES_FILE, 4, "brugge"), (VOCABULARIES_FILE, 2, "event_kinds")]
    assert "unknown key(s) land" in errors[1].message


@pytest.mark.parametrize(("content", "line", "fragment"), [
    ("gent: {name: Gent\nleuven: {name: Leuven}\n", 2, "YAML syntax error"),
    (b"gent: {name: G\xe9nt}\n", 1, "not UTF-8"),
    ("- gent\n- leuven\n", 1, "must be a mapping"),
])
def test_unusable_files_are_one_error(tmp_path, content, line, fragment):
    _, errors = load_registries(write(tmp_path, content))
    assert len(errors) == 1 and errors[0].line == line and fragment in errors[0].message


def test_missing_registries_are_reported_by_check(tmp_path):
    (tmp_path / "content").mkdir()
    errors = check_repository(tmp_path).errors
    assert [(e.path, e.message) for e in errors] == [
        (CITIES_FILE, "registry file is missing"), (VOCABULARIES_FILE, "registry file is missing")]
