"""Issue numbering, the default mix, and the editor's override in content/nieuwsbrief/NNN.md."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.content.check import check_repository
from kennisbank.content.numbering import month_for, number_for
from kennisbank.errors import ContentInvalid, KennisbankError, UsageError
from kennisbank.newsletter import issue_for, published_issues
from kennisbank.content.issues import MIX_GROUPS, mix_group
from tests.site_helpers import copy_repository


def test_numbering_follows_history_and_is_configurable(settings):
    assert number_for(settings, dt.date(2020, 1, 1)) == 121
    assert number_for(settings, dt.date(2020, 12, 1)) == 132
    assert number_for(settings, dt.date(2021, 1, 1)) == 133
    assert month_for(settings, 145) == dt.date(2022, 1, 1)
    with pytest.raises(UsageError):
        number_for(settings, dt.date(2019, 12, 1))
    other = dataclasses.replace(settings, newsletter_first_number=1, newsletter_first_month="2019-11")
    assert number_for(other, dt.date(2020, 1, 1)) == 3 and month_for(other, 3) == dt.date(2020, 1, 1)


def test_default_issue_mixes_the_groups_round_robin(repo, settings):
    month = dt.date(2020, 11, 1)  # no override file for November
    issue = issue_for(repo, settings, month)
    assert issue is not None and issue.override is None and issue.number == 131
    pool = [i for i in repo.published if i.date and i.date.replace(day=1) == month and mix_group(i)]
    assert len(issue.items) == min(settings.newsletter_items, len(pool))
    assert all(item in pool and not item.draft for item in issue.items)
    groups = [mix_group(item) for item in issue.items]
    available = [g for g in MIX_GROUPS if any(mix_group(i) == g for i in pool)]
    first_round = groups[: len(available)]
    assert first_round == available, "one item of every available group before any group's second"


def test_round_robin_caps_at_newsletter_items(repo, settings):
    two = dataclasses.replace(settings, newsletter_items=2)
    issue = issue_for(repo, two, dt.date(2020, 10, 1))
    assert issue is not None and len(issue.items) == 2
    assert len({mix_group(item) for item in issue.items}) == 2


def test_override_exclusion_is_refilled_from_the_mix(repo, settings):
    issue = issue_for(repo, settings, dt.date(2020, 3, 1))  # 123.md excludes one item
    excluded = repo.by_id["nieuwsbrief/123"].meta.exclude
    assert issue is not None and excluded
    assert not {item.id for item in issue.items} & set(excluded)
    pool = [i for i in repo.published if i.date and i.date.replace(day=1) == dt.date(2020, 3, 1) and mix_group(i)]
    assert len(issue.items) == min(settings.newsletter_items, len(pool) - len(excluded))
    assert issue.intro.startswith("Beste lezer")


def _repo_with_issue(tmp_path, sample_root, text: str):
    root = copy_repository(sample_root, tmp_path / "repo")
    (root / "content" / "nieuwsbrief" / "130.md").write_text(text, encoding="utf-8")
    return root


def test_reference_to_a_missing_item_is_a_check_error(tmp_path, sample_root):
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 130\nmonth: "2020-10"\nitems:\n'
                            "- nieuws/bestaat-niet\n---\n\nIntro.\n")
    errors = check_repository(root).errors
    assert [(e.path, e.line, e.field) for e in errors] == [("content/nieuwsbrief/130.md", 5, "items[0]")]
    assert "unknown item 'nieuws/bestaat-niet'" in errors[0].message


def test_explicit_items_title_and_summary_replace_the_mix(tmp_path, sample_root):
    repo = load_repository(sample_root)
    picks = [repo.of_type("study")[-1].id, repo.of_type("news")[0].id]
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 130\nmonth: "2020-10"\ntitle: Special\n'
                            "summary: Twee dingen.\nitems:\n" + "".join(f"- {p}\n" for p in picks) + "---\n\n"
                            "Hallo [lezer](/nieuws/).\n")
    repo = load_repository(root)
    settings = load_settings(root)
    issue = issue_for(repo, settings, dt.date(2020, 10, 1))
    assert [item.id for item in issue.items] == picks
    assert (issue.title, issue.summary) == ("Special", "Twee dingen.")
    from kennisbank.newsletter.render import render_issue, subject

    assert subject(issue) == "Nieuwsbrief 130: Special"
    assert 'href="https://kennisbank.example.org/nieuws/"' in render_issue(repo, settings, issue).html


def test_draft_override_withholds_the_issue(tmp_path, sample_root):
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 130\nmonth: "2020-10"\ndraft: true\n---\n\nIntro.\n')
    repo = load_repository(root)
    assert issue_for(repo, load_settings(root), dt.date(2020, 10, 1)) is None
    assert 130 not in {i.number for i in published_issues(repo, load_settings(root))}


def test_override_whose_month_does_not_match_its_number_is_a_check_error(tmp_path, sample_root):
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 130\nmonth: "2020-09"\n---\n\nIntro.\n')
    with pytest.raises(ContentInvalid) as raised:
        load_repository(root)
    assert [str(e) for e in raised.value.errors] == [
        "content/nieuwsbrief/130.md:3: month: issue 130 covers 2020-10, not 2020-09 (numbering: 121 = 2020-01 in mkdocs.yml)"]


def test_selection_refuses_an_override_that_other_numbering_settings_contradict(tmp_path, sample_root):
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 130\nmonth: "2020-10"\n---\n\nIntro.\n')
    shifted = dataclasses.replace(load_settings(root), newsletter_first_month="2020-02")
    with pytest.raises(KennisbankError, match=r"130\.md: month 2020-10 does not match issue 130 \(issue 130 covers 2020-11\)"):
        published_issues(load_repository(root), shifted)
