"""Bounds on the work one body may cause, so no single file stalls or crashes a build.

Python-Markdown is quadratic on some inputs that are valid Markdown: measured on a shared 2-core
machine, 2,000 ``[`` in one paragraph took 15 s, 2,000 ``![`` 29 s, 2,000 ``<a `` 11 s, and a
list nested 400 levels deep raised ``RecursionError``. `check` therefore refuses, with the line
of the paragraph:

* more than :data:`MAX_MARKERS` of one of ``[ < * _ ``` in one paragraph (blank-line separated);
* indentation deeper than :data:`MAX_INDENT` columns (about 30 nested lists) or more than
  :data:`MAX_QUOTE_DEPTH` nested ``>`` quotes;
* a file over :data:`~kennisbank.content.reader.MAX_FILE_BYTES` (see the reader).

What passes these rules and still looks heavy (many markers, or a long body) is rendered once in a
separate process with a time budget (:mod:`kennisbank.content.budget`); one that runs over is
stopped and reported, so an unknown slow pattern is an error message, not a hung build.
"""

from __future__ import annotations

from kennisbank.content.reader import SourceFile
from kennisbank.errors import ContentError

MAX_MARKERS = {"[": 300, "<": 300, "*": 3000, "_": 3000, "`": 3000}
MAX_INDENT = 64
MAX_QUOTE_DEPTH = 16
HEAVY_MARKERS = 50  # a paragraph with this many of one marker is rendered under the time budget
HEAVY_BODY_CHARS = 64_000


def _indent(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _quote_depth(line: str) -> int:
    depth = 0
    for ch in line:
        if ch == ">":
            depth += 1
        elif ch not in " \t":
            break
    return depth


def body_limit_errors(source: SourceFile) -> list[ContentError]:
    """Paragraphs the renderer could not handle in reasonable time or depth, with their line."""
    errors: list[ContentError] = []
    line = source.body_line
    for block in source.body.split("\n\n"):
        for marker, limit in MAX_MARKERS.items():
            if block.count(marker) > limit:
                errors.append(ContentError(source.path, line, "body",
                                           f"{block.count(marker)} × '{marker}' in one paragraph; the limit is {limit} "
                                           "(split the paragraph or remove the repeated characters)"))
        for offset, text in enumerate(block.split("\n")):
            if _indent(text) > MAX_INDENT or _quote_depth(text) > MAX_QUOTE_DEPTH:
                errors.append(ContentError(source.path, line + offset, "body",
                                           f"nested too deeply (more than {MAX_INDENT} columns of indentation or "
                                           f"{MAX_QUOTE_DEPTH} levels of '>'); flatten the list or quote"))
                break
        line += block.count("\n") + 2
    return errors


def is_heavy(body: str) -> bool:
    """Whether a body that passed :func:`body_limit_errors` is still worth rendering under a budget."""
    if len(body) > HEAVY_BODY_CHARS:
        return True
    return any(body.count(marker) >= HEAVY_MARKERS for marker in MAX_MARKERS)
