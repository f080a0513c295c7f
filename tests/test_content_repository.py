"""load_repository and the Item/Repository API every output stage reads."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kennisbank.content import CONTENT_TYPES, Item, Repository, content_type, load_repository
from kennisbank.errors import ContentInvalid

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "fixtures" / "broken"


def test_broken_content_raises_with_every_error():
    with pytest.raises(ContentInvalid) as caught:
        load_repository(BROKEN)
    assert len(caught.value.errors) == 37
    assert caught.value.exit_code == 1


def test_sample_repository(repo):
    assert isinstance(repo, Repository) and repo.items
    assert all(isinstance(item, Item) for item in repo.items)
    assert [i.sort_key for i in repo.items] == sorted(i.sort_key for i in repo.items)  # newest first
    assert len(repo.by_id) == len(repo.items)
    for item in repo.items:
        assert item.id == f"{item.type.section}/{item.slug}" and item.url == f"/{item.type.section}/{item.slug}/"
        assert item.title and item.type in CONTENT_TYPES
        assert item.year == (item.date.year if item.date else None)
    themes = list(repo.themes.values())
    assert [(t.meta.order, t.title) for t in themes] == sorted((t.meta.order, t.title) for t in themes)
    assert repo.of_type("news") == repo.of_type("nieuws")


@pytest.fixture
def drafts(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "content/registries", root / "content/registries")
    news = root / "content/nieuws/2020"
    news.mkdir(parents=True)
    for slug, draft in (("gepubliceerd", False), ("klad", True)):
        (news / f"{slug}.md").write_text(
            f"---\ntitle: {slug}\nsummary: Kort.\ndate: 2020-0{1 + draft}-01\ncategory: beleid\n"
            f"cities: [gent]\ndraft: {str(draft).lower()}\n---\n\nTekst.\n", encoding="utf-8")
    (root / "cases/kerken").mkdir(parents=True)
    (root / "cases/kerken/kerk.md").write_text(
        "---\ntitle: Kerk\nsummary: Kort.\ndate: 2020-01-01\nmunicipality: leuven\ncountry: BE\n"
        "current_functions: [cultuur]\nstatus: gerealiseerd\ncities: [gent, leuven]\n---\n", encoding="utf-8")
    (root / "content/nieuwsbrief").mkdir()
    (root / "content/nieuwsbrief/123.md").write_text("---\nnumber: 123\nmonth: 2020-03\n---\nIntro.\n", encoding="utf-8")
    return load_repository(root)


def test_drafts_are_never_published(drafts):
    assert sorted(i.id for i in drafts.items) == ["kerken/kerk", "nieuws/gepubliceerd", "nieuws/klad", "nieuwsbrief/123"]
    assert "nieuws/klad" not in {i.id for i in drafts.published}
    assert [i.id for i in drafts.of_type("news")] == ["nieuws/gepubliceerd"]
    assert [i.id for i in drafts.of_type("news", include_drafts=True)] == ["nieuws/klad", "nieuws/gepubliceerd"]


def test_item_derived_values(drafts):
    church = drafts.by_id["kerken/kerk"]
    assert church.cities == ("leuven", "gent")  # its own municipality first, no repeats
    assert church.type is content_type("kerken") and church.type.is_case
    issue = drafts.by_id["nieuwsbrief/123"]
    assert issue.title == "Nieuwsbrief 123" and issue.date == dt.date(2020, 3, 1) and issue.summary == ""
    assert drafts.city("gent").label == "Gent"
    assert drafts.label("church_status", "gerealiseerd") == "Gerealiseerd"


def test_a_pool_of_processes_gives_the_same_items(tmp_path):
    from kennisbank.content.check import check_repository

    one = check_repository(ROOT, workers=1)
    two = check_repository(ROOT, workers=2)
    assert len(one.items) == len(two.items) > 0
    assert [(i.id, i.meta, i.body, i.type is j.type) for i, j in zip(one.items, two.items, strict=False)] == \
           [(i.id, i.meta, i.body, True) for i in two.items]
    assert one.errors == two.errors == []
