"""Safe snippet HTML: the text escaped, matches wrapped in ``<mark>`` and nothing else.

tantivy's own ``Snippet.to_html`` escapes but marks with ``<b>`` and cannot be told otherwise, so
snippets are assembled here from the fragment and its highlighted byte ranges.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

ELLIPSIS = "…"


def marked_html(fragment: str, ranges: Iterable[tuple[int, int]]) -> str:
    """``fragment`` as HTML with ``<mark>`` around each (start, end) *byte* range (UTF-8).

    The ranges are cut into the bytes as two control characters (any already in the text become
    spaces, which keeps the byte offsets: they have no place in HTML text), the whole is escaped
    once, and the control characters become the tags: one ``escape`` per snippet, not per piece."""
    data = fragment.encode("utf-8").replace(_OPEN, b" ").replace(_CLOSE, b" ")
    pieces: list[bytes] = []
    position = 0
    for start, end in sorted(ranges):
        start, end = max(start, position), min(end, len(data))
        if start >= end:
            continue
        pieces += [data[position:start], _OPEN, data[start:end], _CLOSE]
        position = end
    pieces.append(data[position:])
    text = escape(b"".join(pieces).decode("utf-8", "replace"))
    return text.replace(_OPEN.decode(), "<mark>").replace(_CLOSE.decode(), "</mark>")


_OPEN, _CLOSE = b"\x01", b"\x02"


def plain_snippet(text: str, max_chars: int) -> str:
    """The start of ``text`` (cut at a word boundary) as escaped HTML, for hits without a match
    in their text (e.g. a filter-only search)."""
    if len(text) <= max_chars:
        return escape(text)
    cut = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
    return escape(cut) + ELLIPSIS
