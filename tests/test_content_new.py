"""`kennisbank new TYPE "Titel"`: correctly named files that pass `check`, from options or prompts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kennisbank.cli import cli
from kennisbank.content.check import check_repository
from kennisbank.content.slugs import slugify

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root(tmp_path):
    """An empty repository with the real registries, themes and settings."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "content/registries", repo / "content/registries")
    shutil.copytree(ROOT / "content/themas", repo / "content/themas")
    shutil.copyfile(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    return repo


def new(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--root", str(root), "new", *args], input=input)


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def assert_clean(root: Path) -> None:
    assert [str(e) for e in check_repository(root).errors] == []


def test_slug_folds_accents_and_keeps_words():
    assert slugify("Coördinatie één") == "coordinatie-een"
    assert slugify("  Stad & Land: 2020!  ") == "stad-land-2020"
    long = slugify("woord " * 40)
    assert len(long) <= 80 and not long.endswith("-") and long.startswith("woord-woord")


def test_news_from_options(root):
    run = new(root, "news", "Coördinatie één", "--set", "category=beleid", "--summary", "Kort en goed.",
              "--date", "2020-05-04", "--set", "cities=gent, leuven", "--set", "themes=europa", "--no-input")
    assert run.exit_code == 0, run.output
    path = root / "content/nieuws/2020/coordinatie-een.md"
    assert run.stdout.strip() == "content/nieuws/2020/coordinatie-een.md"
    data = front_matter(path)
    assert data["title"] == "Coördinatie één" and data["category"] == "beleid"
    assert data["cities"] == ["gent", "leuven"] and data["themes"] == ["europa"]
    assert_clean(root)


def test_dutch_section_name_works_as_type(root):
    run = new(root, "nieuws", "Via de mapnaam", "--set", "category=beleid", "--summary", "Kort.", "--date", "2019-12-31", "--no-input")
    assert run.exit_code == 0, run.output
    assert (root / "content/nieuws/2019/via-de-mapnaam.md").is_file()


def test_news_with_prompts_asks_again_for_a_rejected_value(root):
    run = new(root, "news", "Gevraagd bericht", "--date", "2020-02-02", input="Een samenvatting.\nroddel\nbeleid\n")
    assert run.exit_code == 0, run.output
    assert "category" in run.stdout and "aankondiging" in run.stdout  # the prompt lists the choices
    assert "unknown value(s): roddel" in run.stderr
    data = front_matter(root / "content/nieuws/2020/gevraagd-bericht.md")
    assert data["summary"] == "Een samenvatting." and data["category"] == "beleid"
    assert_clean(root)


def test_study_gets_the_iso_week_of_its_date(root):
    run = new(root, "study", "Een studie over wonen", "--date", "2021-01-03", "--summary", "Kort.",
              "--set", "publisher=KU Leuven", "--set", "url=https://example.org/studie", "--no-input")
    assert run.exit_code == 0, run.output
    data = front_matter(root / "content/studies/2021/een-studie-over-wonen.md")
    assert data["week"] == "2020-W53"  # 3 January 2021 belongs to the last ISO week of 2020
    assert_clean(root)


def test_study_week_follows_a_date_given_at_the_prompt(root):
    run = new(root, "study", "Studie met datum", "--date", "2020-02-30", "--summary", "Kort.",
              "--set", "publisher=VUB", "--set", "url=https://example.org/s", input="2020-06-10\n")
    assert run.exit_code == 0, run.output
    assert front_matter(root / "content/studies/2020/studie-met-datum.md")["week"] == "2020-W24"
    assert_clean(root)


def test_event_lives_in_the_folder_of_its_start_year(root):
    answers = "Een studiedag.\nstudiedag\n2021-02-03 14:00\nLeuven\nKenniscentrum Vlaamse Steden, Stad Leuven\n"
    run = new(root, "event", "Studiedag herbestemming", "--date", "2020-12-01", input=answers)
    assert run.exit_code == 0, run.output
    path = root / "content/agenda/2021/studiedag-herbestemming.md"
    data = front_matter(path)
    assert data["start"] == "2021-02-03 14:00" and data["organisers"] == ["Kenniscentrum Vlaamse Steden", "Stad Leuven"]
    assert_clean(root)


def test_case_collection_church(root):
    run = new(root, "churches", "Sint-Jozefkerk Leuven", "--summary", "Een herbestemde kerk.",
              "--set", "municipality=leuven", "--set", "country=BE", "--set", "current_functions=cultuur,wonen",
              "--set", "status=gerealiseerd", "--no-input")
    assert run.exit_code == 0, run.output
    assert front_matter(root / "cases/kerken/sint-jozefkerk-leuven.md")["current_functions"] == ["cultuur", "wonen"]
    assert_clean(root)


def test_case_collection_housing_instrument_with_prompts(root):
    answers = "Premie voor renovatie.\ngent\nrenovatie\neigenaars, huurders\n2020-06-30\n"
    run = new(root, "woonbeleid", "Renovatiepremie Gent", "--date", "2020-07-01", input=answers)
    assert run.exit_code == 0, run.output
    assert (root / "cases/woonbeleid/renovatiepremie-gent.md").is_file()
    assert_clean(root)


def test_a_new_issue_takes_the_next_free_number_after_the_last_issue_before_its_month(root):
    first = new(root, "newsletter", "--set", "month=2020-01", "--no-input")
    second = new(root, "nieuwsbrief", "--set", "month=2020-04", "--no-input")
    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert first.stdout.strip() == "content/nieuwsbrief/121.md"
    assert second.stdout.strip() == "content/nieuwsbrief/124.md"  # February and March have default issues
    assert front_matter(root / "content/nieuwsbrief/124.md") == {"month": "2020-04", "number": 124}
    august = new(root, "newsletter", "--set", "month=2020-08", "--no-input")
    assert august.stdout.strip() == "content/nieuwsbrief/127.md"  # May 125, June 126, no July issue
    assert_clean(root)
    again = new(root, "newsletter", "--set", "month=2020-04", "--no-input")
    assert again.exit_code == 2 and "2020-04 already has issue 124 (content/nieuwsbrief/124.md)" in again.output
    july = new(root, "newsletter", "--set", "month=2020-07", "--no-input")
    assert july.exit_code == 2 and "2020-07 has no issue" in july.output


def test_unknown_type_is_a_usage_error(root):
    run = new(root, "blog", "Titel")
    assert run.exit_code == 2
    assert "unknown type 'blog'" in run.stderr and "news/nieuws" in run.stderr


def test_missing_values_without_input_name_every_field(root):
    run = new(root, "news", "Onvolledig", "--no-input")
    assert run.exit_code == 2
    assert "missing summary, category" in run.stderr and "--set summary=..." in run.stderr
    assert not (root / "content/nieuws").exists()


def test_unknown_reference_without_input_is_refused_before_writing(root):
    run = new(root, "news", "Verkeerde stad", "--summary", "Kort.", "--set", "category=beleid",
              "--set", "cities=atlantis", "--no-input")
    assert run.exit_code == 2
    assert "cities: unknown value(s): atlantis" in run.stderr
    assert not (root / "content/nieuws").exists()


def test_end_of_input_at_a_prompt_is_a_usage_error(root):
    run = new(root, "news", "Half ingevuld", input="Een samenvatting.\n")
    assert run.exit_code == 2
    assert "no value for category" in run.stderr


def test_existing_file_is_never_overwritten(root):
    args = ("news", "Twee keer", "--summary", "Kort.", "--set", "category=beleid", "--date", "2020-01-01", "--no-input")
    assert new(root, *args).exit_code == 0
    path = root / "content/nieuws/2020/twee-keer.md"
    before = path.read_bytes()
    run = new(root, *args)
    assert run.exit_code == 2 and "already exists" in run.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    (("news",), "give a TITLE"),
    (("news", "!!!", "--summary", "Kort.", "--set", "category=beleid", "--no-input"), "empty file name"),
    (("news", "Titel", "--set", "category"), "--set takes FIELD=VALUE"),
])
def test_other_usage_errors(root, args, message):
    run = new(root, *args)
    assert run.exit_code == 2
    assert message in run.stderr


def test_an_impossible_date_given_with_set_is_a_usage_error_naming_the_field(root):
    run = new(root, "woonbeleid", "Premie", "--set", "last_reviewed=2026-02-30", "--set", "city=gent")
    assert run.exit_code == 2 and "Traceback" not in run.output
    assert "last_reviewed: " in run.output and "day value is outside expected range" in run.output
    assert not (root / "cases/woonbeleid/premie.md").exists()
    unknown = new(root, "news", "Bericht", "--set", "kleur=rood", "--no-input")
    assert unknown.exit_code == 2 and "kleur: unknown field" in unknown.output


def test_each_answer_is_checked_when_it_is_given(root):
    """A mistyped city is asked again at once, before the next question."""
    answers = "Premie voor renovatie.\nGentt\ngent\nrenovatie\neigenaars, huurders\n2026-02-30\n2020-06-30\n"
    run = new(root, "woonbeleid", "Renovatiepremie", "--date", "2020-07-01", input=answers)
    assert run.exit_code == 0, run.output
    prompts = [line.split(" [")[0].split(":")[0] for line in run.stdout.splitlines() if line.strip()]
    city = prompts.index("city")
    assert prompts[city + 1] == "city", prompts  # asked again right away, not after the others
    assert "unknown value(s): Gentt" in run.stderr and "last_reviewed: " in run.stderr
    data = front_matter(root / "cases/woonbeleid/renovatiepremie.md")
    assert data["city"] == "gent" and data["last_reviewed"] == "2020-06-30"
    assert_clean(root)
