"""Settings are validated like content: mkdocs.yml (extra.kennisbank) and search/*.yml."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from site_helpers import copy_repository

from kennisbank.cli import cli
from kennisbank.config import load_settings, read_settings
from kennisbank.errors import ContentInvalid
from kennisbank.search.settings import load_search_settings

GOOD_TOP = "site_name: Test\nsite_url: https://kennisbank.example.org/\n"


@pytest.fixture
def root(sample_root, tmp_path):
    """A repository with the sample's settings files only (no content is needed to read them)."""
    shutil.copy(sample_root / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(sample_root / "search", tmp_path / "search")
    return tmp_path


def run_cli(root, args):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def _errors(root, text: str) -> list[str]:
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    return [str(e) for e in read_settings(root)[1]]


def test_the_sample_settings_are_valid(sample_root):
    settings, errors = read_settings(sample_root)
    assert errors == [] and settings.newsletter_skip_months == (7,) and settings.feed_limit == 50


def test_every_bad_value_is_reported_with_its_line_in_one_run(root):
    text = GOOD_TOP + ("extra:\n  generator: false\n  kennisbank:\n    feed_limit: veel\n    page_size: 0\n"
                       "    newsletter_skip_months: [7, 13]\n    newsletter_first_month: 2020-1\n    kleur: rood\n")
    errors = _errors(root, text)
    assert errors[:-1] == [
        "mkdocs.yml:6: extra.kennisbank.feed_limit: Input should be a valid integer (got 'veel')",
        "mkdocs.yml:7: extra.kennisbank.page_size: Input should be greater than or equal to 1 (got 0)",
        "mkdocs.yml:8: extra.kennisbank.newsletter_skip_months[1]: Input should be less than or equal to 12 (got 13)",
        "mkdocs.yml:9: extra.kennisbank.newsletter_first_month: String should match pattern "
        "'^\\d{4}-(0[1-9]|1[0-2])$' (got '2020-1')",
    ]
    assert errors[-1].startswith("mkdocs.yml:10: extra.kennisbank.kleur: unknown setting; known: feed_limit, page_size,")


@pytest.mark.parametrize(("text", "expected"), [
    ("- site_name: Test\n", "mkdocs.yml:1: front matter: mkdocs.yml must be a mapping of settings (key: value)"),
    (GOOD_TOP + "extra: 5\n", "mkdocs.yml:3: extra: Input should be a valid dictionary or instance of _Extra (got 5)"),
    (GOOD_TOP + "extra:\n  kennisbank: [1]\n", "mkdocs.yml:4: extra.kennisbank: Input should be a valid dictionary"),
    (GOOD_TOP + "extra:\n  kennisbank:\n    page_size: -5\n", "mkdocs.yml:5: extra.kennisbank.page_size: Input should "
     "be greater than or equal to 1 (got -5)"),
    ("site_url: [\n", "mkdocs.yml:2: file: YAML syntax error"),
])
def test_impossible_shapes_are_errors_not_tracebacks(root, text, expected):
    errors = _errors(root, text)
    assert len(errors) == 1 and errors[0].startswith(expected)


def test_mkdocs_python_tags_are_read_as_text(root):
    text = GOOD_TOP + ("markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions"
                       ".emoji.twemoji\n")
    assert _errors(root, text) == []
    assert read_settings(root)[0].site_name == "Test"


@pytest.mark.parametrize("command", [["check"], ["build"], ["newsletter", "build"], ["index", "build"]])
def test_commands_report_settings_errors_with_exit_1(sample_root, tmp_path, command):
    repo = copy_repository(sample_root, tmp_path / "repo")
    text = (repo / "mkdocs.yml").read_text(encoding="utf-8").replace("feed_limit: 50", 'feed_limit: "veel"')
    (repo / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = run_cli(repo, command)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    output = result.stdout + result.stderr
    assert "mkdocs.yml:" in output and "extra.kennisbank.feed_limit: Input should be a valid integer" in output


def test_search_settings_report_every_error_with_lines(root):
    (root / "search" / "index.yml").write_text(
        "searchable:\n  - {field: titel}\n  - {field: body, boost: -1}\nfacets:\n  - {field: kleur, label: Kleur}\n"
        "  - {field: city}\nfacetten: []\n", encoding="utf-8")
    (root / "search" / "stopwords.yml").write_text("- de\n- twee woorden\n", encoding="utf-8")
    with pytest.raises(ContentInvalid) as raised:
        load_search_settings(root)
    found = [str(e) for e in raised.value.errors]
    assert [line.split(": ", 2)[:2] for line in found] == [
        ["search/index.yml:2", "searchable[0].field"],
        ["search/index.yml:3", "searchable[1].boost"],
        ["search/index.yml:5", "facets[0].field"],
        ["search/index.yml:6", "facets[1].label"],
        ["search/index.yml:7", "facetten"],
        ["search/stopwords.yml:2", "[1]"],
    ]
    assert "unknown facet field 'kleur'" in found[2] and "Field required" in found[3]


def test_check_reports_search_settings_too(sample_root, tmp_path):
    repo = copy_repository(sample_root, tmp_path / "repo")
    (repo / "search" / "synonyms.yml").write_text("- [OCMW]\n", encoding="utf-8")
    result = run_cli(repo, ["check"])
    assert result.exit_code == 1
    assert "search/synonyms.yml:1: [0]: List should have at least 2 items" in result.stdout


def test_load_settings_raises_all_errors(root):
    (root / "mkdocs.yml").write_text(GOOD_TOP + "extra:\n  kennisbank:\n    page_size: 0\n    feed_limit: 0\n",
                                     encoding="utf-8")
    with pytest.raises(ContentInvalid) as raised:
        load_settings(root)
    assert [e.field for e in raised.value.errors] == ["extra.kennisbank.page_size", "extra.kennisbank.feed_limit"]
