"""Item bodies to safe HTML, and URLs that may appear in an ``href``.

`check` rejects unsafe HTML, but the site must stay safe even when `check` is bypassed (a
hand-edited build, a bug in a rule). So every body is rendered Markdown → HTML here and the
*result* is cleaned by nh3 with a strict allow-list. Cleaning after rendering is the only point
where every route is closed at once: raw HTML, ``javascript:`` links written in Markdown syntax,
and attributes added by Markdown extensions. The clean HTML is staged as one HTML block, which
any Markdown renderer passes through unchanged.

Pictures: a relative image is served from ``/media/<its path in the repository>``; an external
image would make visitors' browsers contact another host, so it becomes a plain link instead.
"""

from __future__ import annotations

import posixpath
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

MEDIA_PREFIX = "/media/"

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "time": {"datetime"},
    **{f"h{n}": {"id"} for n in range(2, 7)},
}
_SCHEMES = {"http", "https", "mailto", "tel"}
_SAFE_SCHEMES = re.compile(r"^(?:https?:|mailto:|tel:|/|#|\.|[^:/?#]+(?:[/?#]|$))", re.I)


def stays_below(item_path: str, src: str) -> bool:
    """Whether relative picture ``src`` lies beside or below the file ``item_path`` (no ``..`` out
    of its folder, no absolute path): the only pictures a content file may publish."""
    path = src.split("#")[0].split("?")[0]
    folder = posixpath.dirname(item_path)
    joined = posixpath.normpath(posixpath.join(folder, path))
    inside = joined.startswith(folder + "/") if folder else not (joined == ".." or joined.startswith("../"))
    return bool(path) and not path.startswith("/") and inside


def media_url(item_path: str, src: str) -> str:
    """Site URL of picture ``src`` referenced from content file ``item_path`` (repository-relative)."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(item_path), src.split("#")[0].split("?")[0]))
    return MEDIA_PREFIX + joined.lstrip("/")


def is_external(src: str) -> bool:
    return bool(urlsplit(src).scheme) or src.startswith("//")


def safe_url(url: object) -> str | None:
    """``url`` when it is http(s), mailto, tel or site-relative; None for anything else."""
    text = str(url or "").strip()
    if not text or any(ch in text for ch in "\x00\n\r\t") or not _SAFE_SCHEMES.match(text):
        return None
    return text


class _Pictures(Treeprocessor):
    """Point relative pictures at /media/, turn external pictures into links, demote h1."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.item_path = ""  # set before each conversion

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.tag == "h1":
                element.tag = "h2"
            if element.tag != "img":
                continue
            src = element.get("src", "")
            if is_external(src):
                alt = element.get("alt") or "afbeelding"
                element.tag = "a"
                element.attrib = {"href": src}
                element.text = f"{alt} (externe afbeelding)"
            elif stays_below(self.item_path, src):
                element.set("src", media_url(self.item_path, src))
                element.set("loading", "lazy")
            else:  # `check` refuses it; the page never points outside the item's folder either
                element.attrib.pop("src", None)


class _PicturesExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_Pictures(md), "kb_pictures", 0)


_converters = threading.local()  # per thread: id_prefix → a reusable Markdown instance


def _pictures(md: markdown.Markdown) -> _Pictures:
    processor = md.treeprocessors["kb_pictures"]
    assert isinstance(processor, _Pictures)
    return processor


def _converter(id_prefix: str) -> markdown.Markdown:
    """Setting up Python-Markdown costs as much as converting a short body; reuse one instance
    (``reset()`` between bodies) per thread and heading prefix."""
    cache: dict[str, markdown.Markdown] = _converters.__dict__.setdefault("by_prefix", {})
    md = cache.get(id_prefix)
    if md is None:
        md = cache[id_prefix] = markdown.Markdown(
            extensions=["tables", "sane_lists", "toc", _PicturesExtension()],
            extension_configs={"toc": {"permalink": False, "slugify": _heading_slug(id_prefix)}},
            output_format="html",
        )
    return md


def _forget_converter(id_prefix: str) -> None:
    _converters.__dict__.setdefault("by_prefix", {}).pop(id_prefix, None)


def body_html(text: str, item_path: str, id_prefix: str = "") -> str:
    """Markdown body of the item at ``item_path`` → clean HTML (headings get stable ids)."""
    md = _converter(id_prefix)
    _pictures(md).item_path = item_path
    try:
        return clean(md.convert(text), item_path)
    except RecursionError:  # `check` refuses such nesting; never a traceback if it is bypassed
        _forget_converter(id_prefix)  # its state is broken half-way through a conversion
        return clean(f"<p>{escape(text[:2000])}</p>")
    finally:
        md.reset()


def clean(html: str, item_path: str = "") -> str:
    """Strict allow-list: no scripts, styles, event handlers, forms, frames or unsafe URLs.

    Pictures written as raw ``<img>`` get the same treatment as Markdown ones: relative ones are
    served from /media/, external ones lose their ``src`` (no request to another host)."""

    def pictures(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            if value.startswith(MEDIA_PREFIX):
                return value
            if is_external(value) or not item_path or not stays_below(item_path, value):
                return None
            return media_url(item_path, value)
        return value

    return nh3.clean(
        html,
        attribute_filter=pictures,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _heading_slug(prefix: str) -> Callable[[str, str], str]:
    from markdown.extensions.toc import slugify_unicode

    def slug(value: str, separator: str) -> str:
        return prefix + (slugify_unicode(value, separator) or "kop")

    return slug


class _Elements(HTMLParser):
    """(tag, attribute, value) of every start tag, entities decoded as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, None, None))
        self.found.extend((tag, name, value) for name, value in attrs)


def _elements(markup: str) -> list[tuple[str, str | None, str | None]]:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser.found


_RENDERER_MADE = {("th", "style"), ("td", "style")}  # table alignment: dropped, but not the editor's doing


def _url_allowed(value: str) -> bool:
    text = "".join(ch for ch in value if ch > " " and ch != "\x7f")  # browsers drop these in URLs
    scheme = urlsplit(text).scheme.lower() if ":" in text.split("/")[0] else ""
    return not scheme or scheme in _SCHEMES


def dropped(markup: str) -> list[str]:
    """What :func:`clean` would silently remove from ``markup`` (HTML from the Markdown renderer),
    as short English descriptions for `check`: the same allow-list, and nh3 itself as the judge of
    anything the description misses (so a parser difference cannot hide a removal)."""
    findings: list[str] = []
    kept: list[tuple[str, str | None, str | None]] = []
    for tag, name, value in _elements(markup):
        if tag not in _TAGS:
            if name is None:
                findings.append(f"<{tag}> is not allowed")
        elif name is not None and name not in _ATTRIBUTES.get(tag, set()) and (tag, name) not in _RENDERER_MADE:
            findings.append(f"the attribute {name}= on <{tag}> is not allowed")
        elif name in ("href", "src") and value is not None and not _url_allowed(value):
            findings.append(f"unsafe URL in {name}= on <{tag}>: only http(s), mailto, tel and relative links")
        elif not (tag == "img" and name == "src"):
            kept.append((tag, name, value))
    if not findings:
        cleaned = _elements(clean(markup))
        missing = [entry for entry in kept if entry not in cleaned and not (entry[0] == "a" and entry[1] == "rel")]
        if missing:
            findings.append(f"<{missing[0][0]}> markup would be dropped by the site")
    return list(dict.fromkeys(findings))


def rendered(text: str, item_path: str = "") -> str:
    """The HTML the Markdown renderer makes of ``text``, before cleaning (for `check`)."""
    md = _converter("")
    _pictures(md).item_path = item_path
    try:
        return md.convert(text)
    except RecursionError:
        _forget_converter("")
        return ""
    finally:
        md.reset()


def escape_markdown(text: str) -> str:
    """Plain text made literal inside Markdown (GitHub issue bodies, job summaries)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|#" else ch for ch in text)
