"""The e-mail of every sample issue: .eml structure and headers, size, HTML for mail clients."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kennisbank.context import BuildContext
from kennisbank.errors import KennisbankError
from kennisbank.newsletter import published_issues, stage_newsletter
from kennisbank.newsletter import render as render_module
from kennisbank.newsletter.render import GMAIL_CLIP_BYTES, render_issue


@pytest.fixture(scope="module")
def staged(repo, settings, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("newsletter")
    stage_newsletter(BuildContext(repo, settings, tmp))
    return tmp


@pytest.fixture(scope="module")
def issues(repo, settings):
    return published_issues(repo, settings)


def load_eml(staged: Path, number: int) -> EmailMessage:
    return message_from_bytes((staged / "newsletter" / f"{number:03d}" / "issue.eml").read_bytes(), policy=default)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def test_every_issue_has_html_text_and_eml(staged, issues):
    assert [i.number for i in issues] == sorted((i.number for i in issues), reverse=True)
    assert issues[-1].number == 121 and issues[-1].month.isoformat() == "2020-01-01"
    for issue in issues:
        folder = staged / "newsletter" / f"{issue.number:03d}"
        assert sorted(p.name for p in folder.iterdir()) == ["issue.eml", "issue.html", "issue.txt"]


def test_eml_is_multipart_alternative_with_reproducible_headers(staged, issues, settings):
    for issue in issues:
        message = load_eml(staged, issue.number)
        assert message.get_content_type() == "multipart/alternative"
        parts = [part.get_content_type() for part in message.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        assert message["From"] == settings.newsletter_from
        assert f"Nieuwsbrief {issue.number}" in message["Subject"]
        date = parsedate_to_datetime(message["Date"])
        assert (date.year, date.month, date.day, date.hour) == (issue.date.year, issue.date.month, 1, 9)
        assert message["Message-ID"] == f"<nieuwsbrief-{issue.number}@kennisbank.example.org>"
        assert message["List-Unsubscribe"] == settings.list_unsubscribe
        assert message["List-Unsubscribe-Post"] is None  # mailto only: one-click needs an https URI
        text = message.get_body(("plain",)).get_content()
        for item in issue.items:
            assert settings.absolute(item.url) in text
        assert issue.title in text


def test_one_click_unsubscribe_header_with_an_https_address(repo, settings, issues):
    https = settings.model_copy(update={"list_unsubscribe": "<https://kennisbank.example.org/uit?l=1>, <mailto:uit@example.org>"})
    message = message_from_bytes(render_issue(repo, https, issues[0]).eml, policy=default)
    assert message["List-Unsubscribe"].strip() == "<https://kennisbank.example.org/uit?l=1>, <mailto:uit@example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_encoded_html_part_stays_under_gmail_clipping(staged, issues):
    for issue in issues:
        raw = (staged / "newsletter" / f"{issue.number:03d}" / "issue.eml").read_bytes()
        message = message_from_bytes(raw)  # compat32: get_payload() is the encoded text as sent
        html_part = next(p for p in message.walk() if p.get_content_type() == "text/html")
        assert html_part["Content-Transfer-Encoding"] == "quoted-printable"
        assert 5_000 < len(html_part.get_payload().encode("ascii")) <= GMAIL_CLIP_BYTES


def test_oversized_issue_is_refused(monkeypatch, repo, settings, issues):
    monkeypatch.setattr(render_module, "GMAIL_CLIP_BYTES", 2_000)
    with pytest.raises(KennisbankError, match="Gmail clips"):
        render_issue(repo, settings, issues[0])


def test_html_is_a_table_layout_with_inlined_css_dark_mode_and_preheader(staged, issues, settings):
    for issue in issues:
        html = load_eml(staged, issue.number).get_body(("html",)).get_content()
        found = tags(html)
        assert html.startswith("<!DOCTYPE html>") and '<html lang="nl">' in html
        assert any(t == "table" and a.get("role") == "presentation" for t, a in found)
        assert all("style" in a for t, a in found if t == "td"), "every cell carries its inlined style"
        styles = re.findall(r"<style>(.*?)</style>", html, re.S)
        assert len(styles) == 1 and "prefers-color-scheme: dark" in styles[0]
        assert '<meta name="color-scheme" content="light dark">' in html
        preheader = re.search(r'<div class="kb-preheader" style="([^"]*)">([^<]*)', html)
        assert preheader and "display: none" in preheader[1] and preheader[2].startswith(issue.summary[:40])
        for tag, attrs in found:
            if tag == "img":
                assert attrs.get("alt"), attrs
                assert (attrs.get("src") or "").startswith(settings.site_url)
            if tag == "a":
                href = attrs.get("href") or ""
                assert href.startswith((settings.site_url, "mailto:", "https://")), href


def test_items_and_intro_follow_the_override(staged, repo, issues):
    by_number = {issue.number: issue for issue in issues}
    html = load_eml(staged, 122).get_body(("html",)).get_content()
    override = repo.by_id["nieuwsbrief/122"]
    positions = [html.index(repo.by_id[key].url) for key in override.meta.items]
    assert positions == sorted(positions), "explicit items keep the editor's order"
    assert [item.id for item in by_number[122].items] == override.meta.items
    assert "Februari staat in het teken van data en verweving" in html


def test_output_is_reproducible(staged, repo, settings, tmp_path):
    stage_newsletter(BuildContext(repo, settings, tmp_path))
    for path in sorted((staged / "newsletter").rglob("*")) + sorted((staged / "docs").rglob("*")):
        if path.is_file():
            assert (tmp_path / path.relative_to(staged)).read_bytes() == path.read_bytes(), path
