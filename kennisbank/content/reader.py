"""Read one Markdown file: front matter as data, with the line of every key, and the body.

YAML is parsed once with libyaml (``CSafeLoader``) into a node tree; the nodes give both the data
and the line of each key, so every later error can name its line. Dates are *not* turned into
``datetime.date`` by YAML: an impossible date such as 2020-02-30 would then raise without a line.
They stay strings and the model parses them, with the field's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import frontmatter
import yaml

from kennisbank.errors import ContentError

MAX_FILE_BYTES = 1_000_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DateAsTextLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as text (see module docstring)."""


_DateAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}

_FRONT_MATTER_START = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_HANDLER = frontmatter.YAMLHandler()

Path_ = tuple[str | int, ...]


@dataclass
class SourceFile:
    """A content file after reading: its data, where each key is, and its Markdown body."""

    path: str  # relative to the repository root, with forward slashes
    data: dict[str, object] = field(default_factory=dict)
    lines: dict[Path_, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1

    def line_of(self, loc: Path_) -> int:
        """The line of the deepest known key on ``loc``; line 1 when nothing matches."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 2 if self.lines else 1


def read_source(path: str, raw: bytes) -> tuple[SourceFile | None, list[ContentError]]:
    """Parse ``raw`` (the bytes of ``path``); return the file or the errors that stop reading it."""
    if len(raw) > MAX_FILE_BYTES:
        size = f"{len(raw) / 1_000_000:.1f} MB"
        return None, [ContentError(path, 1, "file", f"file is {size}; the limit is 1 MB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save as UTF-8"
        return None, [ContentError(path, line, "file", message)]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [ContentError(path, line, "file", "contains a NUL character; not a text file")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _FRONT_MATTER_START.match(text):
        return None, [ContentError(path, 1, "front matter", "missing: the file must start with a '---' line")]
    try:
        matter, body = _HANDLER.split(text.lstrip("\ufeff"))
    except ValueError:
        return None, [ContentError(path, 1, "front matter", "not closed: add a '---' line after it")]
    body_line = matter.count("\n") + 3
    source = SourceFile(path=path, body=body, body_line=body_line)
    try:
        loader = _DateAsTextLoader(matter)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 2
        problem = exc.problem or "invalid YAML"
        return None, [ContentError(path, line, "front matter", f"YAML syntax error: {problem}")]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return None, [ContentError(path, 2, "front matter", f"YAML error: {exc}")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        return None, [ContentError(path, 2, "front matter", f"must be a mapping of fields, not a {kind}")]
    source.data = data
    _collect_lines(node, (), source.lines)
    return source, []


def _collect_lines(node: yaml.Node | None, prefix: Path_, lines: dict[Path_, int]) -> None:
    """Record the file line (1-based, counting the opening '---') of every key and list entry."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            loc = (*prefix, key)
            lines.setdefault(loc, key_node.start_mark.line + 2)
            _collect_lines(value_node, loc, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            loc = (*prefix, index)
            lines.setdefault(loc, child.start_mark.line + 2)
            _collect_lines(child, loc, lines)
