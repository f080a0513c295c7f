"""Safe snippet HTML: the text escaped, matches wrapped in ``<mark>`` and nothing else.

tantivy's own ``Snippet.to_html`` escapes but marks with ``<b>`` and cannot be told otherwise, so
snippets are assembled here from the fragment and its highlighted byte ranges.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

ELLIPSIS = "…"


def marked_html(fragment: str, ranges: Iterable[tuple[int, int]]) -> str:
    """``fragment`` as HTML with ``<mark>`` around each (start, end) *byte* range (UTF-8)."""
    data = fragment.encode("utf-8")
    out: list[str] = []
    position = 0
    for start, end in sorted(ranges):
        start, end = max(start, position), min(end, len(data))
        if start >= end:
            continue
        out.append(escape(data[position:start].decode("utf-8", "replace")))
        out.append("<mark>" + escape(data[start:end].decode("utf-8", "replace")) + "</mark>")
        position = end
    out.append(escape(data[position:].decode("utf-8", "replace")))
    return "".join(out)


def plain_snippet(text: str, max_chars: int) -> str:
    """The start of ``text`` (cut at a word boundary) as escaped HTML, for hits without a match
    in their text (e.g. a filter-only search)."""
    if len(text) <= max_chars:
        return escape(text)
    cut = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
    return escape(cut) + ELLIPSIS
