"""Tags: variants listed under tag_aliases are one tag for every output; `check` warns about a new
tag that looks like one in use (singular/plural, case, accents), naming file and line."""

from __future__ import annotations

from click.testing import CliRunner
from site_helpers import copy_repository


def test_word_key_joins_singular_plural_case_and_accents():
    from kennisbank.content.tags import word_key

    assert word_key("kerk") == word_key("kerken") == word_key("Kerken")
    assert word_key("studie") == word_key("studies")
    assert word_key("café") == word_key("cafés") == word_key("cafe")
    assert word_key("bus") == "bus"


def test_aliases_make_one_tag_in_the_model(repo):
    assert all("kerken" not in item.tags for item in repo.published)
    assert sum("kerk" in item.tags for item in repo.published) >= 2


def test_check_warns_on_a_near_duplicate_new_tag_and_still_passes(tmp_path, sample_root):
    from kennisbank.cli import cli

    root = copy_repository(sample_root, tmp_path / "repo")
    church = sorted((root / "cases" / "kerken").glob("*.md"))[0]
    text = church.read_text(encoding="utf-8").replace("tags:\n", "tags:\n- herbestemmingen\n", 1)
    church.write_text(text, encoding="utf-8")
    line = text.splitlines().index("- herbestemmingen") + 1
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 0, result.output
    expected = f"cases/kerken/{church.name}:{line}: tags: waarschuwing: tag 'herbestemmingen' lijkt op de bestaande tag 'herbestemming'"
    assert expected in result.stderr
    github = CliRunner().invoke(cli, ["--root", str(root), "check", "--format", "github"])
    assert f"::warning file=cases/kerken/{church.name},line={line},title=tags::" in github.stdout
    # an alias settles it: no warning, and the variant is shown as the tag it stands for
    registry = root / "content" / "registries" / "vocabularies.yml"
    registry.write_text(registry.read_text(encoding="utf-8") + "  herbestemmingen: herbestemming\n", encoding="utf-8")
    quiet = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert quiet.exit_code == 0 and "waarschuwing" not in quiet.stderr
