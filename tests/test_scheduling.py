"""Scheduled publishing: "today" is SOURCE_DATE_EPOCH or the clock, items dated later wait."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from site_helpers import copy_repository, page_file

SEPTEMBER_10 = dt.date(2020, 9, 10)


def _epoch(day: dt.date) -> str:
    return str(int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp()))


@pytest.fixture(scope="module")
def early(sample_root):
    """The sample content seen from 10 September 2020: the items of the autumn are scheduled."""
    from kennisbank.content import load_repository

    return load_repository(sample_root, today=SEPTEMBER_10)


def test_build_today_is_source_date_epoch_when_set(monkeypatch):
    from kennisbank.clock import build_now, build_today
    from kennisbank.errors import KennisbankError

    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(SEPTEMBER_10))
    assert build_today() == SEPTEMBER_10 and build_now().hour == 12
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gisteren")
    with pytest.raises(KennisbankError, match="SOURCE_DATE_EPOCH: not a Unix timestamp"):
        build_today()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_today() == dt.datetime.now(dt.UTC).date()


def test_items_dated_after_today_are_in_no_output(early, settings):
    from kennisbank.content.issues import published_issues
    from kennisbank.feeds import FeedCatalog
    from kennisbank.search.documents import build_documents
    from kennisbank.site.stage import site_pages

    later = {i.id for i in early.items if i.date and i.date > SEPTEMBER_10 and not i.draft}
    assert later and {i.id for i in early.scheduled} == later
    assert later.isdisjoint(i.id for i in early.published)
    documents, _ = build_documents(early)
    assert later.isdisjoint(d["id"] for d in documents) and documents
    fed = {entry.key for feed in FeedCatalog(early, settings).feeds.values() for entry in feed.entries}
    assert later.isdisjoint(fed) and fed
    issues = published_issues(early, settings)
    assert max(issue.month for issue in issues) <= SEPTEMBER_10
    assert later.isdisjoint(item.id for issue in issues for item in issue.items)
    staged = site_pages(early, settings).pages
    assert all(f"{key}.md" not in staged for key in later)
    assert not any("kb-scheduled" in page.html for page in staged.values())


def test_future_publishes_scheduled_items_labelled_gepland(sample_root, settings):
    from kennisbank.content import load_repository
    from kennisbank.site.stage import site_pages

    repo = load_repository(sample_root, today=SEPTEMBER_10, future=True)
    later = [i for i in repo.scheduled if i.type.name == "news"]
    assert later and all(i in repo.published for i in later)
    staged = site_pages(repo, settings).pages
    page = staged[f"{later[0].id}.md"].html
    assert 'class="kb-scheduled"' in page and "Gepland" in page and "verschijnt op" in page
    assert "17 september 2020" in staged["nieuws/be-reel-bouwt-nationaal-netwerk-rond-renovatie-uit.md"].html
    listing = staged["nieuws/index.md"].html
    card = re.search(rf'<li class="kb-card"><a class="kb-card__title" href="{later[0].url}">.*?</li>', listing, re.S)
    assert card and "Gepland" in card.group(0)
    shown_now = next(i for i in repo.of_type("news") if not i.scheduled)
    other = re.search(rf'<li class="kb-card"><a class="kb-card__title" href="{shown_now.url}">.*?</li>', listing, re.S)
    assert other and "Gepland" not in other.group(0)


def test_home_lists_upcoming_events_from_today_not_from_the_newest_content(sample_root, settings):
    from kennisbank.content import load_repository
    from kennisbank.site.views import home_page

    spring = home_page(load_repository(sample_root, today=dt.date(2020, 2, 1)), settings).html
    assert "Komende activiteiten" in spring
    assert 'href="/agenda/eerste-stuurgroep-smart-flanders-2020/"' in spring  # announced 30 January
    assert "/agenda/slotevent-databroker/" not in spring  # announced 10 February: still scheduled
    later = home_page(load_repository(sample_root, today=dt.date(2026, 11, 29)), settings).html
    assert 'href="/agenda/netwerkmoment-tijdelijk-gebruik-2027/"' in later  # starts 21 January 2027
    assert 'href="/agenda/slotevent-databroker/"' not in later  # long over


def test_check_counts_scheduled_items(sample_root, monkeypatch):
    from kennisbank.cli import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(SEPTEMBER_10))
    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(sample_root), "check"])
    assert result.exit_code == 0, result.output
    count = int(re.search(r"; (\d+) scheduled \(first: (\S+) on 2020-09-1\d\)", result.stderr).group(1))
    assert count > 5
    github = runner.invoke(cli, ["--root", str(sample_root), "check", "--format", "github"])
    notices = [line for line in github.stdout.splitlines() if line.startswith("::notice ")]
    assert len(notices) == count and "title=gepland::verschijnt op 2020-" in notices[0]
    one = runner.invoke(cli, ["--root", str(sample_root), "check", "content/agenda"])
    assert "; 7 scheduled (first: content/agenda/" in one.stderr, one.stderr  # 5 of 2020, 2 announced in December for 2027
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    now = runner.invoke(cli, ["--root", str(sample_root), "check"])
    assert now.exit_code == 0 and "scheduled" not in now.stderr


def test_a_scheduled_item_waits_for_a_build_on_its_date(tmp_path, sample_root, monkeypatch):
    from kennisbank.cli import cli

    root = copy_repository(sample_root, tmp_path / "repo")
    (root / "content" / "nieuws" / "2031").mkdir()
    (root / "content" / "nieuws" / "2031" / "later-bericht.md").write_text(
        "---\ntitle: Een bericht voor later\nsummary: Verschijnt pas in 2031.\ndate: 2031-03-02\n"
        "category: beleid\n---\n\nTekst.\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(dt.date(2031, 3, 1)))
    runner = CliRunner()
    built = runner.invoke(cli, ["--root", str(root), "build"])
    assert built.exit_code == 0, built.output
    assert "1 scheduled" in built.stderr
    site = root / "build" / "site"
    assert not page_file(site, "/nieuws/later-bericht/").exists()
    assert "later-bericht" not in (site / "feeds" / "alles.xml").read_text(encoding="utf-8")
    assert "<lastmod>2031-03-01</lastmod>" in (site / "sitemap.xml").read_text(encoding="utf-8")
    preview = runner.invoke(cli, ["--root", str(root), "build", "--future", "--out", "voorvertoning"])
    assert preview.exit_code == 0, preview.output
    assert "Gepland" in page_file(root / "voorvertoning" / "site", "/nieuws/later-bericht/").read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(dt.date(2031, 3, 2)))
    assert runner.invoke(cli, ["--root", str(root), "build"]).exit_code == 0
    page = page_file(site, "/nieuws/later-bericht/").read_text(encoding="utf-8")
    assert "Een bericht voor later" in page and "Gepland" not in page
    assert "later-bericht" in (site / "feeds" / "alles.xml").read_text(encoding="utf-8")


def test_a_bad_source_date_epoch_is_a_message_not_a_traceback(tmp_path, sample_root, monkeypatch):
    from kennisbank.cli import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "morgen")
    result = CliRunner().invoke(cli, ["--root", str(sample_root), "build", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "SOURCE_DATE_EPOCH: not a Unix timestamp: 'morgen'" in result.stderr
    assert "Traceback" not in result.output
