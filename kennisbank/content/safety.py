"""Unsafe HTML in front matter and bodies: what `check` refuses before anything is rendered.

The site renders Markdown, which passes raw HTML through; so a ``<script>``, an ``on…=`` handler
or a ``javascript:`` link in any file would run in every visitor's browser. The scan is cheap
when a file holds nothing suspicious (one prefilter search), and exact when it does: every
finding names its line. Entity-encoded and tab-split ``javascript:`` URLs are caught too,
because browsers decode and strip them before following a link.

Then the body goes through the same Markdown renderer and allow-list as the site
(:func:`kennisbank.sanitize.dropped`): whatever the sanitiser would silently drop (``<style>``,
``data:`` links, entity-split ``javascript:``, attributes after a quoted ``>``, SVG) is reported
with the line of its block, so the editor learns it instead of the page quietly losing it.
Front-matter strings and registry labels are plain text: markup in them is refused.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from kennisbank.content.reader import SourceFile
from kennisbank.errors import ContentError, format_loc
from kennisbank.sanitize import dropped, rendered

_TAG = re.compile(r"<\s*(script|iframe|object|embed|applet|frame|frameset|base|form|meta)\b", re.I)
_HANDLER = re.compile(r"<[a-z][^>]{0,1000}?[\s/\"']on[a-z]+\s*=", re.I)  # bounded: no quadratic scans
_JS_URL = re.compile(r"(?:j[\t\n]*a[\t\n]*v[\t\n]*a|v[\t\n]*b)[\t\n]*s[\t\n]*c[\t\n]*r[\t\n]*i[\t\n]*p[\t\n]*t[\t\n]*:", re.I)


def _suspect(text: str, markers: str) -> bool:
    """Nothing above can match a text without one of ``markers`` or the word "script"
    (substring tests: much faster than a case-insensitive regex over every file)."""
    return any(marker in text for marker in markers) or "script" in text.lower()

_MARKUP = re.compile(r"<[A-Za-z/!?]")
_ODD_LINK = re.compile(r"\]\(\s*<?[^)\s/]*[:&]|^\s*\[[^\]]+\]:", re.M)  # a link target with a scheme or entity
MARKUP_MESSAGE = "markup is not allowed in a plain-text field: write the text without HTML tags"
TAG_MESSAGE = "unsafe HTML: <{0}> is not allowed"
HANDLER_MESSAGE = "unsafe HTML: event-handler attributes (on…=) are not allowed"
JS_MESSAGE = "unsafe URL: javascript: links are not allowed"


def unsafe_html(source: SourceFile, render: bool = True) -> list[ContentError]:
    """Every unsafe construct in the fields and the body of ``source``; ``render=False`` skips
    the comparison with the sanitiser for bodies too heavy to render here (see content.limits)."""
    errors = []
    if _suspect(source.matter, "<\\"):  # YAML escapes (\x3c) hide a '<' in the raw text
        for loc, text in _strings(source.data, ()):
            messages = list(_findings_in_text(text)) or ([MARKUP_MESSAGE] if _MARKUP.search(text) else [])
            for message in messages:
                errors.append(ContentError(source.path, source.line_of(loc), format_loc(loc), message))
    body = source.body
    found = []
    if _suspect(body, "<&\t"):
        for offset, message in _findings_in_body(body):
            found.append(ContentError(source.path, source.body_line + body.count("\n", 0, offset), "body", message))
    if render and not found and ("<" in body or "&" in body or _ODD_LINK.search(body)):
        found = [ContentError(source.path, line, "body", f"unsafe HTML: {message} (the site would drop it)")
                 for line, message in _dropped_in_body(source)]
    return errors + found


def plain_text_errors(path: str, line: int, field: str, text: str) -> list[ContentError]:
    """Registry labels and names are plain text, like front-matter fields."""
    messages = list(_findings_in_text(text)) or ([MARKUP_MESSAGE] if _MARKUP.search(text) else [])
    return [ContentError(path, line, field, message) for message in messages]


def _dropped_in_body(source: SourceFile) -> Iterator[tuple[int, str]]:
    """(line, message) for what the sanitiser would drop, located by block (blank-line separated)."""
    if not dropped(rendered(source.body, source.path)):
        return
    located = False
    line = source.body_line
    for block in source.body.split("\n\n"):
        for message in dropped(rendered(block, source.path)) if block.strip() else ():
            located = True
            yield line + len(block) - len(block.lstrip("\n")), message  # skip the block's leading newlines
        line += block.count("\n") + 2
    if not located:
        yield source.body_line, "HTML the site would drop"


def _findings_in_text(text: str) -> Iterator[str]:
    if match := _TAG.search(text):
        yield TAG_MESSAGE.format(match.group(1).lower())
    if _HANDLER.search(text):
        yield HANDLER_MESSAGE
    if _JS_URL.search(text) or ("&" in text and _JS_URL.search(html.unescape(text))):
        yield JS_MESSAGE


def _findings_in_body(body: str) -> Iterator[tuple[int, str]]:
    """(offset, message) for every finding; entity-encoded URLs are decoded line by line."""
    for match in _TAG.finditer(body):
        yield match.start(), TAG_MESSAGE.format(match.group(1).lower())
    for match in _HANDLER.finditer(body):
        yield match.start(), HANDLER_MESSAGE
    found_lines = set()
    for match in _JS_URL.finditer(body):
        found_lines.add(body.count("\n", 0, match.start()))
        yield match.start(), JS_MESSAGE
    if "&" in body:
        offset = 0
        for number, line in enumerate(body.split("\n")):
            if "&" in line and number not in found_lines and _JS_URL.search(html.unescape(line).replace("\n", " ")):
                yield offset, JS_MESSAGE
            offset += len(line) + 1


def _strings(value: object, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, (*loc, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, (*loc, index))
