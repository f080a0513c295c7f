"""Markdown to the plain text a visitor reads, for indexing and snippets.

Rendering every body to HTML with Python-Markdown and parsing the HTML back cost ~0.5 ms a
document (53 s for 100,000 items); search needs only the words, in order, without markup or
link targets. So the markup is stripped with a few regular expressions (~20 µs a document).
What is kept matches what the rendered page shows: link and image texts, code, table cells,
the text inside inline HTML; what is dropped: link targets, reference definitions, heading,
list, quote and emphasis markers, fences, rules, ``{: attr_list}`` blocks, tags and comments.
``tests/test_search_units.py`` compares it with the rendered-HTML route on many cases.
"""

from __future__ import annotations

import re
from html import unescape

_ESCAPABLE = r"\\`*_{}\[\]()#+\-.!|<>"
_ESCAPED = re.compile(rf"\\([{_ESCAPABLE}])")
_PLACEHOLDER = 0xE000
"""Escaped characters are parked in the private-use area while markers are stripped."""
_RESTORE = re.compile("[\ue000-\ue0ff]")

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,}).*$", re.M)
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+|[^<>\s@]+@[^<>\s]+\.[^<>\s]+)>")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>")
_BLOCK_TAGS = frozenset({"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th",
                         "table", "thead", "tbody", "blockquote", "pre", "div", "hr", "dl", "dt", "dd"})
_LINK = re.compile(r"!?\[([^\[\]]*)\](?:\([^()\s]*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\)|\[[^\[\]]*\])")
_ATTR_LIST = re.compile(r"\{:?[ \t]*[#.][^{}\n]*\}")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$", re.M)
_RULE = re.compile(r"^ {0,3}(?:[-*_=][ \t]*){3,}$", re.M)
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
_LINE_MARKER = re.compile(r"^[ \t]*(?:#{1,6}(?=[ \t]|$)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))", re.M)
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.M)
_STARS = re.compile(r"\*+")
_UNDERSCORES = re.compile(r"(?<![^\W_])_+|_+(?![^\W_])")
"""Underscores at a word's edge mark emphasis; inside a word (snake_case) they are text."""


def markdown_to_text(source: str) -> str:
    """Markdown as the plain text a visitor reads: no markup, no link targets, single spaces.

    Each pattern runs only when its marker character occurs: most bodies are plain paragraphs."""
    escaped = "\\" in source
    text = _ESCAPED.sub(lambda m: chr(_PLACEHOLDER + ord(m.group(1))), source) if escaped else source
    if "<" in text:
        text = _COMMENT.sub(" ", text)
        text = _AUTOLINK.sub(r"\1", text)
        text = _TAG.sub(lambda m: " " if m.group(1).lower() in _BLOCK_TAGS else "", text)
    if "```" in text or "~~~" in text:
        text = _FENCE.sub(" ", text)
    if "[" in text:
        text = _REF_DEFINITION.sub(" ", text)
        previous = None
        while previous != text:  # an image inside a link: [![alt](src)](href)
            previous, text = text, _LINK.sub(r"\1", text)
    if "{" in text:
        text = _ATTR_LIST.sub("", text)
    if "|" in text:
        text = _TABLE_RULE.sub(" ", text).replace("|", " ")
    text = _RULE.sub(" ", text)
    if ">" in text:
        text = _QUOTE.sub("", text)
    text = _LINE_MARKER.sub("", text)
    if "#" in text:
        text = _CLOSING_HASHES.sub("", text)
    if "*" in text:
        text = _STARS.sub("", text)
    if "_" in text:
        text = _UNDERSCORES.sub("", text)
    text = text.replace("`", "").replace("~~", "")
    if escaped:
        text = _RESTORE.sub(lambda m: chr(ord(m.group()) - _PLACEHOLDER), text)
    if "&" in text:
        text = unescape(text)
    return " ".join(text.split())
