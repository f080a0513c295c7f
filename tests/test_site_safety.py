"""Sanitising on render: unsafe content never reaches a page, even when `check` is bypassed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kennisbank import dutch
from kennisbank.sanitize import body_html, safe_url

UNSAFE_BODY = """Gewone tekst met **vet**.

<script>alert('body')</script>

<img src="x.png" onerror="alert('img')">

[klik](javascript:alert('link'))

<a href="JaVaScRiPt:alert('mixed')" onclick="alert('click')">hier</a>

<iframe src="https://evil.example/"></iframe>

Een alinea met attributen
{: onclick="alert('attr')" }

<div style="background:url(javascript:alert('css'))">stijl</div>

![extern](https://tracker.example/pixel.png)
"""


def test_body_html_keeps_markdown_and_drops_everything_unsafe():
    html = body_html(UNSAFE_BODY, "content/nieuws/2020/x.md")
    assert "<strong>vet</strong>" in html
    assert "<script" not in html and "<iframe" not in html
    assert not [a for a in attributes(html) if a.startswith("on")]
    assert "javascript:" not in html.lower()
    assert "style=" not in html
    assert "tracker.example/pixel.png" not in re.findall(r'src="([^"]*)"', html)


def attributes(html: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.extend(name for name, _ in attrs)
    parser.feed(html)
    return found


def test_body_html_keeps_no_state_between_bodies():
    """The converter is reused between bodies: ids, footnote-like state and picture paths must not leak."""
    first = body_html("## Kop\n\n![foto](a.jpg)\n\n<div>raw</div>", "content/nieuws/2020/een.md")
    second = body_html("## Kop\n\n![foto](a.jpg)", "cases/kerken/twee.md")
    assert 'id="kop"' in first and 'id="kop"' in second
    assert 'src="/media/content/nieuws/2020/a.jpg"' in first
    assert 'src="/media/cases/kerken/a.jpg"' in second and "raw" not in second
    assert body_html("## Kop", "x.md", "p-") == '<h2 id="p-kop">Kop</h2>'


def test_safe_url_allows_only_web_mail_phone_and_relative():
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("/nieuws/") == "/nieuws/"
    assert safe_url("mailto:a@example.org")
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", ""):
        assert safe_url(bad) is None


def test_planted_unsafe_content_never_reaches_a_page(tmp_path, repo):
    """Build with an item whose body and fields are unsafe, skipping `check` entirely."""
    from kennisbank.config import load_settings
    from kennisbank.content import Repository
    from kennisbank.context import BuildContext
    from kennisbank.site import render_site, stage_site

    news = repo.of_type("news")[0]
    church = repo.of_type("churches")[0]
    news.body = UNSAFE_BODY
    object.__setattr__(news, "meta", news.meta.model_copy(update={
        "title": "Titel <script>alert('title')</script>",
        "summary": "Samenvatting <img src=x onerror=alert('summary')>",
        "links": [type(news.meta.links[0] if news.meta.links else church.meta.links[0])
                  .model_construct(title="<b onmouseover=alert('lt')>x</b>", url="javascript:alert('url')")],
        "tags": ["<script>alert('tag')</script>"],
    }))
    planted = Repository(root=repo.root, registries=repo.registries, items=list(repo.items))
    context = BuildContext(planted, load_settings(repo.root), tmp_path)
    stage_site(context)  # no check: straight to staging
    render_site(context)
    pages = list((tmp_path / "site").rglob("*.html"))
    assert pages
    for page in pages:
        found = Executable()
        found.feed(page.read_text(encoding="utf-8"))
        assert found.problems == [], page
    title_page = (tmp_path / "site" / "nieuws" / repo.of_type("news")[0].slug / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert" in title_page  # shown as text, not run


class Executable(HTMLParser):
    """Everything in a page that could run: script text, on* handlers, javascript: URLs, frames."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if tag in ("iframe", "object", "embed"):
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.problems.append("script: " + data[:60])


@pytest.fixture(autouse=True)
def _restore_repo(repo):
    """The planting test mutates one item of the shared repository; put it back afterwards."""
    news = repo.of_type("news")[0]
    saved = news.body, news.meta
    yield
    news.body = saved[0]
    object.__setattr__(news, "meta", saved[1])


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2020-06-12", None, "12 juni 2020"),
    ("2020-10-08", "2020-10-09", "8–9 oktober 2020"),
    ("2020-09-30", "2020-10-02", "30 september – 2 oktober 2020"),
    ("2020-12-30", "2021-01-02", "30 december 2020 – 2 januari 2021"),
    ("2020-12-15 14:00", "2020-12-15 16:00", "15 december 2020, 14.00–16.00 uur"),
    ("2020-12-15 09:30", None, "15 december 2020, 09.30 uur"),
    ("2020-03-02 10:00", "2020-03-03 12:00", "2 maart 2020 10.00 uur – 3 maart 2020 12.00 uur"),
])
def test_dutch_date_ranges(start, end, expected):
    import datetime as dt

    def parse(text):
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M") if " " in text else dt.date.fromisoformat(text)

    assert dutch.when(parse(start), parse(end) if end else None) == expected
