"""`kennisbank review`: housing-policy instruments due for review, grouped by city and contact."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from kennisbank.review import add_months


def _epoch(day: dt.date) -> str:
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()))


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2020, 6, 30), 6, dt.date(2020, 12, 30)),
    (dt.date(2020, 8, 31), 6, dt.date(2021, 2, 28)),
    (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),
    (dt.date(2020, 12, 15), 1, dt.date(2021, 1, 15)),
])
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_due_from_the_day_the_last_review_is_six_months_old(sample_root, settings):
    from kennisbank.content import load_repository
    from kennisbank.review import due_fiches

    day = dt.date(2020, 12, 30)
    seen = load_repository(sample_root, today=day)
    instruments = seen.of_type("housing-instruments")
    reviewed = {i.path: i.meta.last_reviewed for i in instruments}
    due = due_fiches(seen, settings)
    assert {f.path for f in due} == {p for p, r in reviewed.items() if add_months(r, 6) <= day}
    assert due and len(due) < len(instruments)
    assert [f.city_label.lower() for f in due] == sorted(f.city_label.lower() for f in due)


def test_text_markdown_and_json_group_by_city_and_contact(sample_root):
    from kennisbank.cli import cli

    runner = CliRunner()
    text = runner.invoke(cli, ["--root", str(sample_root), "review"])
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0].startswith("14 fiche(s) te herzien op ")
    gent = lines.index("Gent (1)")
    assert lines[gent + 1] == "  Ines De Clercq <ines.de.clercq@example.org>"
    assert lines[gent + 2].startswith("    cases/woonbeleid/huurgarantie-via-het-sociaal-verhuurkantoor-in-gent.md: ")
    markdown = runner.invoke(cli, ["--root", str(sample_root), "review", "--format", "markdown", "--city", "gent"])
    assert markdown.exit_code == 0
    assert "\n## Gent\n\n**Ines De Clercq \\<ines.de.clercq@example.org\\>**\n\n- [ ] [Huurgarantie" in markdown.stdout
    assert "(https://kennisbank.example.org/woonbeleid/huurgarantie-via-het-sociaal-verhuurkantoor-in-gent/)" \
        in markdown.stdout
    assert "## Antwerpen" not in markdown.stdout
    data = json.loads(runner.invoke(cli, ["--root", str(sample_root), "review", "--format", "json"]).stdout)
    assert len(data) == 14 and data[0]["city"] == "aalst" and data[0]["due"] == "2021-06-15"


def test_nothing_due_and_unknown_city(sample_root, monkeypatch):
    from kennisbank.cli import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(dt.date(2020, 9, 1)))
    runner = CliRunner()
    quiet = runner.invoke(cli, ["--root", str(sample_root), "review", "--format", "markdown"])
    assert quiet.exit_code == 0 and "Er zijn geen fiches te herzien." in quiet.stdout
    unknown = runner.invoke(cli, ["--root", str(sample_root), "review", "--city", "atlantis"])
    assert unknown.exit_code == 2 and "--city: unknown city 'atlantis'" in unknown.stderr


def test_interval_is_a_setting_per_collection(tmp_path, sample_root):
    from site_helpers import copy_repository

    from kennisbank.cli import cli

    root = copy_repository(sample_root, tmp_path / "repo")
    config = root / "mkdocs.yml"
    original = config.read_text(encoding="utf-8")
    assert "\n  kennisbank:\n" in original
    config.write_text(original.replace("\n  kennisbank:\n", "\n  kennisbank:\n    review_months: {woonbeleid: 120}\n"),
                      encoding="utf-8")
    runner = CliRunner()
    relaxed = runner.invoke(cli, ["--root", str(root), "review", "--format", "json"])
    assert relaxed.exit_code == 0 and json.loads(relaxed.stdout) == []
    config.write_text(original.replace("\n  kennisbank:\n", "\n  kennisbank:\n    review_months: {nieuws: 6}\n"),
                      encoding="utf-8")
    wrong = runner.invoke(cli, ["--root", str(root), "review"])
    assert wrong.exit_code == 1
    expected = "mkdocs.yml: extra.kennisbank.review_months.nieuws: not a collection with a last_reviewed field"
    assert expected in wrong.stderr
