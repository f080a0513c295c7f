"""`kennisbank check` on tests/fixtures/broken/: every planted error, with its exact line and field.

The fixture is a mini repository (own registries, one theme) whose files each plant one class of
error from the issue. The table below is the complete expected output: an extra or a missing
error fails the test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kennisbank.cli import cli
from kennisbank.content.check import check_repository

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"

# (path, line, field, a fragment of the message)
EXPECTED = [
    ("cases/kerken/kerk-zonder-alt.md", 9, "coordinates.lat", "less than or equal to 90 (got 95.5)"),
    ("cases/kerken/kerk-zonder-alt.md", 11, "photos[0].alt", "required field is missing"),
    ("cases/woonbeleid/slecht-e-mailadres.md", 11, "contacts[0].email", "not a valid e-mail address: 'an.peeters(at)gent.be'"),
    ("content/agenda/2020/einde-voor-begin.md", 9, "end", "end (2020-05-01 16:00) lies before start (2020-05-02 14:00)"),
    ("content/nieuws/2020/Slecht Genoemd Bestand.md", 1, "file", "badly named"),
    ("content/nieuws/2020/ftp-link.md", 8, "links[0].url", "must be an http(s) URL, not 'ftp://"),
    ("content/nieuws/2020/geen-front-matter.md", 1, "front matter", "missing"),
    ("content/nieuws/2020/latin1.md", 3, "file", "not UTF-8 (byte 0xe9"),
    ("content/nieuws/2020/onbekende-verwijzingen.md", 5, "category", "unknown news_categories value 'roddel'"),
    ("content/nieuws/2020/onbekende-verwijzingen.md", 7, "themes[0]", "unknown theme 'wonne'; did you mean 'wonen'?"),
    ("content/nieuws/2020/onbekende-verwijzingen.md", 9, "cities[0]", "unknown city 'atlantis'"),
    ("content/nieuws/2020/onmogelijke-datum.md", 4, "date", "impossible date '2020-02-30'"),
    ("content/nieuws/2020/ontbrekende-afbeelding.md", 7, "image.src", "'fotos/bestaat-niet.jpg' does not exist"),
    ("content/nieuws/2020/ontbrekende-afbeelding.md", 13, "body", "'fotos/weg.png' does not exist"),
    ("content/nieuws/2020/ontbrekende-afbeelding.md", 13, "body", "has no alt text"),
    ("content/nieuws/2020/ontbrekende-afbeelding.md", 15, "body", "<img> without alt text"),
    ("content/nieuws/2020/ontbrekende-velden.md", 1, "category", "required field is missing"),
    ("content/nieuws/2020/ontbrekende-velden.md", 1, "summary", "required field is missing"),
    ("content/nieuws/2020/onveilige-html.md", 2, "title", "event-handler attributes (on…=)"),
    ("content/nieuws/2020/onveilige-html.md", 8, "links[0].url", "must be an http(s) URL"),
    ("content/nieuws/2020/onveilige-html.md", 8, "links[0].url", "unsafe URL: javascript:"),
    ("content/nieuws/2020/onveilige-html.md", 11, "body", "<script> is not allowed"),
    ("content/nieuws/2020/onveilige-html.md", 13, "body", "<iframe> is not allowed"),
    ("content/nieuws/2020/onveilige-html.md", 15, "body", "<object> is not allowed"),
    ("content/nieuws/2020/onveilige-html.md", 17, "body", "event-handler attributes (on…=)"),
    ("content/nieuws/2020/onveilige-html.md", 19, "body", "unsafe URL: javascript:"),
    ("content/nieuws/2020/te-lange-samenvatting.md", 3, "summary", "is 419 characters; the limit is 400"),
    ("content/nieuws/2020/titel-typo.md", 1, "title", "required field is missing"),
    ("content/nieuws/2020/titel-typo.md", 2, "titel", "unknown field 'titel': did you mean 'title'?"),
    ("content/nieuws/2020/verkeerde-types.md", 6, "draft", "valid boolean"),
    ("content/nieuws/2020/verkeerde-types.md", 7, "themes", "valid list (got 'wonen')"),
    ("content/nieuws/2020/yaml-fout.md", 3, "front matter", "YAML syntax error: mapping values are not allowed"),
    ("content/nieuws/2021/dubbel.md", 1, "file", "duplicate id nieuws/dubbel: content/nieuws/2020/dubbel.md"),
    ("content/nieuwsbrief/121.md", 2, "number", "issue 121 (2020-03) comes after issue 121 (2020-01, mkdocs.yml "
     "(newsletter_first_number, newsletter_first_month)): numbers increase with the month"),
    ("content/nieuwsbrief/121.md", 5, "items[0]", "unknown item 'nieuws/een-geldig-bericht-dat-niet-bestaat'"),
    ("content/themas/kring-a.md", 4, "parent", "themes form a cycle: kring-a → kring-b → kring-a"),
    ("content/themas/kring-b.md", 5, "parent", "themes form a cycle: kring-b → kring-a → kring-b"),
]


@pytest.fixture(scope="module")
def result():
    return check_repository(BROKEN)


@pytest.mark.parametrize(("path", "line", "field", "fragment"), EXPECTED,
                         ids=[f"{p.rsplit('/', 1)[-1]}:{ln}:{f}" for p, ln, f, _ in EXPECTED])
def test_planted_error_is_reported_with_its_line_and_field(result, path, line, field, fragment):
    found = [e for e in result.errors if (e.path, e.line, e.field) == (path, line, field)]
    assert found, f"no error at {path}:{line}: {field}; got {[str(e) for e in result.errors if e.path == path]}"
    assert any(fragment in e.message for e in found), [e.message for e in found]


def test_nothing_else_is_reported(result):
    reported = sorted((e.path, e.line, e.field) for e in result.errors)
    assert reported == sorted((p, ln, f) for p, ln, f, _ in EXPECTED)


def test_valid_files_of_the_fixture_stay_valid(result):
    # The first of the two duplicates keeps its id; the second is the one reported.
    assert sorted(item.path for item in result.items) == [
        "content/nieuws/2020/dubbel.md", "content/nieuws/2020/goed-bericht.md", "content/themas/wonen.md"]


def test_one_worker_and_a_pool_report_the_same(result):
    assert check_repository(BROKEN, workers=2).errors == result.errors


def _run(*args: str):
    return CliRunner().invoke(cli, ["--root", str(BROKEN), "check", *args])


def test_cli_reports_every_error_in_one_run_and_exits_1():
    run = _run()
    assert run.exit_code == 1
    lines = [line for line in run.stdout.splitlines() if line]
    assert len(lines) == len(EXPECTED)
    for path, line, field, _ in EXPECTED:
        assert any(out.startswith(f"{path}:{line}: {field}: ") for out in lines), (path, line, field)
    assert f"{len(EXPECTED)} error(s) in 20 file(s)" in run.stderr


def test_cli_json_format_is_a_parsable_list():
    run = _run("--format", "json")
    assert run.exit_code == 1
    records = json.loads(run.stdout)
    assert [(r["path"], r["line"], r["field"]) for r in records] == sorted((p, ln, f) for p, ln, f, _ in EXPECTED)
    assert all(set(r) == {"path", "line", "field", "message"} and r["message"] for r in records)


def test_cli_github_format_prints_annotations():
    run = _run("--format", "github")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert len(lines) == len(EXPECTED)
    assert "::error file=content/nieuws/2020/yaml-fout.md,line=3,title=kennisbank check::front matter: YAML syntax error" in run.stdout
    assert all(line.startswith("::error file=") and ",line=" in line for line in lines)


def test_cli_paths_limit_the_report_to_those_files():
    run = _run(str(BROKEN / "content/nieuws/2020/titel-typo.md"))
    assert run.exit_code == 1
    assert run.stdout.splitlines() == [
        "content/nieuws/2020/titel-typo.md:1: title: required field is missing",
        "content/nieuws/2020/titel-typo.md:2: titel: unknown field 'titel': did you mean 'title'?",
    ]
    assert _run(str(BROKEN / "content/nieuws/2020/goed-bericht.md")).exit_code == 0


def test_file_over_one_megabyte(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(BROKEN, root)
    big = root / "content/nieuws/2020/heel-groot.md"
    filler = "Een zin die vaak herhaald wordt. " * 32_000
    big.write_text(f"---\ntitle: Groot\nsummary: Kort.\ndate: 2020-03-02\ncategory: beleid\n---\n\n{filler}\n", encoding="utf-8")
    assert big.stat().st_size > 1_000_000
    errors = [e for e in check_repository(root).errors if e.path.endswith("heel-groot.md")]
    assert [(e.line, e.field) for e in errors] == [(1, "file")]
    assert "the limit is 256 KB" in errors[0].message


def test_the_repository_itself_is_clean(sample_root):
    run = CliRunner().invoke(cli, ["--root", str(sample_root), "check"])
    assert run.exit_code == 0, run.stdout
    assert run.stdout == ""
    assert "OK:" in run.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_reaches_every_file(workers):
    calls = []
    check_repository(BROKEN, workers=workers, progress=lambda done, total: calls.append((done, total)))
    files = len(list(BROKEN.glob("content/**/*.md"))) + len(list(BROKEN.glob("cases/**/*.md")))
    assert calls and calls[-1] == (files, files)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_github_annotation_escapes_separators_in_the_file_property():
    from kennisbank.errors import ContentError

    error = ContentError("cases/kerken/a,b:c.md", 4, "title", "50% te lang\nregel twee")
    assert error.as_github() == ("::error file=cases/kerken/a%2Cb%3Ac.md,line=4,title=kennisbank check::"
                                 "title: 50%25 te lang%0Aregel twee")
