"""Issue numbering, the default mix, and the editor's override in content/nieuwsbrief/NNN.md."""

from __future__ import annotations

import datetime as dt

import pytest
from site_helpers import copy_repository

from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.content.check import check_repository
from kennisbank.content.issues import MIX_GROUPS, issue_sequence, mix_group
from kennisbank.content.numbering import IssueSequence
from kennisbank.errors import ContentInvalid, UsageError
from kennisbank.newsletter import issue_for, published_issues


def test_default_numbers_skip_july_and_are_configurable(repo, settings):
    sequence = issue_sequence(repo, settings)
    assert sequence.number_for(dt.date(2020, 1, 1)) == 121
    assert sequence.number_for(dt.date(2020, 8, 1)) == 127  # content/nieuwsbrief/127.md
    assert sequence.number_for(dt.date(2020, 12, 1)) == 131
    assert sequence.number_for(dt.date(2021, 6, 1)) == 137  # the real archive: 137 is June 2021
    with pytest.raises(UsageError, match="2020-07 has no issue: month 7 is in newsletter_skip_months"):
        sequence.number_for(dt.date(2020, 7, 1))
    with pytest.raises(UsageError, match="before the first numbered issue"):
        IssueSequence(settings, []).number_for(dt.date(2019, 12, 1))
    every_month = settings.model_copy(update={"newsletter_skip_months": (), "newsletter_first_number": 1,
                                              "newsletter_first_month": "2019-11"})
    assert IssueSequence(every_month, []).number_for(dt.date(2020, 7, 1)) == 9


def test_the_august_issue_also_carries_july(repo, settings):
    issue = issue_for(repo, settings, dt.date(2020, 8, 1))
    months = {item.date.replace(day=1) for item in issue.items}
    assert issue.number == 127 and months == {dt.date(2020, 7, 1), dt.date(2020, 8, 1)}
    assert 127 in {i.number for i in published_issues(repo, settings)}
    assert not any(i.month == dt.date(2020, 7, 1) for i in published_issues(repo, settings))


def test_default_issue_mixes_the_groups_round_robin(repo, settings):
    month = dt.date(2020, 11, 1)  # no override file for November
    issue = issue_for(repo, settings, month)
    assert issue is not None and issue.override is None and issue.number == 130
    pool = [i for i in repo.published if i.date and i.date.replace(day=1) == month and mix_group(i)]
    assert len(issue.items) == min(settings.newsletter_items, len(pool))
    assert all(item in pool and not item.draft for item in issue.items)
    groups = [mix_group(item) for item in issue.items]
    available = [g for g in MIX_GROUPS if any(mix_group(i) == g for i in pool)]
    first_round = groups[: len(available)]
    assert first_round == available, "one item of every available group before any group's second"


def test_round_robin_caps_at_newsletter_items(repo, settings):
    two = settings.model_copy(update={"newsletter_items": 2})
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
    (root / "content" / "nieuwsbrief" / "129.md").write_text(text, encoding="utf-8")
    return root


def test_reference_to_a_missing_item_is_a_check_error(tmp_path, sample_root):
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 129\nmonth: "2020-10"\nitems:\n'
                            "- nieuws/bestaat-niet\n---\n\nIntro.\n")
    errors = check_repository(root).errors
    assert [(e.path, e.line, e.field) for e in errors] == [("content/nieuwsbrief/129.md", 5, "items[0]")]
    assert "unknown item 'nieuws/bestaat-niet'" in errors[0].message


def test_explicit_items_title_and_summary_replace_the_mix(tmp_path, sample_root):
    repo = load_repository(sample_root)
    picks = [repo.of_type("study")[-1].id, repo.of_type("news")[0].id]
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 129\nmonth: "2020-10"\ntitle: Special\n'
                            "summary: Twee dingen.\nitems:\n" + "".join(f"- {p}\n" for p in picks) + "---\n\n"
                            "Hallo [lezer](/nieuws/).\n")
    repo = load_repository(root)
    settings = load_settings(root)
    issue = issue_for(repo, settings, dt.date(2020, 10, 1))
    assert [item.id for item in issue.items] == picks
    assert (issue.title, issue.summary) == ("Special", "Twee dingen.")
    from kennisbank.newsletter.render import render_issue, subject

    assert subject(issue) == "Nieuwsbrief 129: Special"
    assert 'href="https://kennisbank.example.org/nieuws/"' in render_issue(repo, settings, issue).html


def test_draft_override_withholds_the_issue(tmp_path, sample_root):
    root = _repo_with_issue(tmp_path, sample_root, '---\nnumber: 129\nmonth: "2020-10"\ndraft: true\n---\n\nIntro.\n')
    repo = load_repository(root)
    assert issue_for(repo, load_settings(root), dt.date(2020, 10, 1)) is None
    assert 129 not in {i.number for i in published_issues(repo, load_settings(root))}


@pytest.mark.parametrize(("name", "number", "month", "error"), [
    ("129.md", 129, "2020-09", "content/nieuwsbrief/129.md:2: number: issue 129 leaves a gap in the numbers: after "
     "issue 127 (2020-08) the issue of 2020-09 is number 128 at most (newsletter_skip_months have no issue)"),
    ("0127.md", 127, "2020-09", "content/nieuwsbrief/127.md:2: number: issue 127 is also content/nieuwsbrief/0127.md"),
    ("128.md", 128, "2020-08", "content/nieuwsbrief/128.md:3: month: 2020-08 already has issue 127 "
     "(content/nieuwsbrief/127.md)"),
    ("128.md", 128, "2019-12", "content/nieuwsbrief/121.md:2: number: issue 121 (2020-01) comes after issue 128 "
     "(2019-12): numbers increase with the month"),
])
def test_issue_numbers_must_form_a_sequence(tmp_path, sample_root, name, number, month, error):
    root = copy_repository(sample_root, tmp_path / "repo")
    (root / "content" / "nieuwsbrief" / name).write_text(f'---\nnumber: {number}\nmonth: "{month}"\n---\n\nIntro.\n',
                                                         encoding="utf-8")
    assert [str(e) for e in check_repository(root).errors] == [error]
    with pytest.raises(ContentInvalid):
        load_repository(root)


def test_a_skipped_month_may_still_have_an_issue_and_later_numbers_follow(tmp_path, sample_root):
    root = _repo_with_issue(tmp_path, sample_root, "")
    (root / "content" / "nieuwsbrief" / "129.md").unlink()
    (root / "content" / "nieuwsbrief" / "127.md").write_text('---\nnumber: 127\nmonth: "2020-07"\n---\n\nZomer.\n',
                                                          encoding="utf-8")
    assert check_repository(root).errors == []
    sequence = issue_sequence(load_repository(root), load_settings(root))
    assert [sequence.number_for(dt.date(2020, m, 1)) for m in (6, 7, 8, 9)] == [126, 127, 128, 129]


def test_a_month_whose_number_the_next_file_took_has_no_issue(tmp_path, sample_root):
    root = copy_repository(sample_root, tmp_path / "repo")
    (root / "content" / "nieuwsbrief" / "128.md").write_text('---\nnumber: 128\nmonth: "2020-10"\n---\n\nIntro.\n',
                                                          encoding="utf-8")
    repo = load_repository(root)
    settings = load_settings(root)
    with pytest.raises(UsageError, match="2020-09 has no free issue number"):
        issue_for(repo, settings, dt.date(2020, 9, 1))
    october = issue_for(repo, settings, dt.date(2020, 10, 1))
    assert {item.date.replace(day=1) for item in october.items} <= {dt.date(2020, 9, 1), dt.date(2020, 10, 1)}
    assert [i.number for i in published_issues(repo, settings)][:3] == [130, 129, 128]


def test_the_real_archive_facts(tmp_path, sample_root, settings):
    """27 = June 2011, 28 = August 2011 (no July issue), 121 = January 2020, 137 = June 2021."""
    from_2011 = IssueSequence(settings.model_copy(update={"newsletter_first_number": 27,
                                                         "newsletter_first_month": "2011-06"}), [])
    facts = {27: dt.date(2011, 6, 1), 28: dt.date(2011, 8, 1), 121: dt.date(2020, 1, 1), 137: dt.date(2021, 6, 1)}
    assert {number: from_2011.number_for(month) for number, month in facts.items()} == {n: n for n in facts}
    assert not from_2011.has_issue(dt.date(2011, 7, 1))
    root = copy_repository(sample_root, tmp_path / "repo")
    (root / "content" / "nieuwsbrief" / "137.md").write_text('---\nnumber: 137\nmonth: "2021-06"\n---\n\nIntro.\n',
                                                          encoding="utf-8")
    assert check_repository(root).errors == []  # the real issue 137 passes check
    assert issue_sequence(load_repository(root), load_settings(root)).number_for(dt.date(2021, 5, 1)) == 136
