"""Internal links and anchors of a built site: every ``href``/``src`` inside the site must name a
file that exists, and every ``#fragment`` an id on the page it points to.

Runs on the rendered files only (no server, no network): the pull-request check runs it on the
site it just built (`kennisbank site-links`), and the tests run it on the sample site. External
links are `kennisbank links`' business.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINKING_TAGS = ("a", "link", "script", "img", "iframe", "source")


class PageLinks(HTMLParser):
    """The links (tag, URL) and the ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        for attr in ("href", "src"):
            url = values.get(attr)
            if url and tag in LINKING_TAGS:
                self.links.append((tag, url))


def parse_page(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> tuple[int, list[str]]:
    """(pages checked, one ``/page/index.html: link (reason)`` line per broken internal link)."""
    pages = {path: parse_page(path) for path in sorted(site.rglob("*.html"))}
    broken = []
    for path, parsed in pages.items():
        page_url = "/" + path.relative_to(site).as_posix()
        for _tag, link in parsed.links:
            problem = _problem(site, pages, page_url, link)
            if problem:
                broken.append(f"{page_url}: {link} ({problem})")
    return len(pages), broken


def _problem(site: Path, pages: dict[Path, PageLinks], page_url: str, link: str) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or link.startswith("//"):
        return None
    absolute = urlsplit(urljoin(page_url, link))
    target = site / unquote(absolute.path).lstrip("/")
    if target.is_dir() or absolute.path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return "no such file"
    fragment = unquote(absolute.fragment)
    if fragment and target.suffix == ".html":
        known = pages[target].ids if target in pages else parse_page(target).ids
        if fragment not in known:
            return f"no id {fragment!r}"
    return None
