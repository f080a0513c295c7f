"""Read one Markdown file: front matter as data, with the line of every key, and the body.

The front matter is delimited as python-frontmatter defines it (its ``YAMLHandler.FM_BOUNDARY``),
but split here by position so that the body's first line is exact. YAML is parsed once with
libyaml (``CSafeLoader``) into a node tree; one walk over the nodes builds the data *and* records
the line of each key, so every later error can name its line. The walk also refuses what front
matter never needs and what would make later stages hang or crash: anchors and aliases (a few
lines can expand into billions of values), keys that are not text, duplicate keys (YAML would
silently keep the last) and nesting deeper than :data:`MAX_DEPTH`.

Dates are *not* turned into ``datetime.date`` by YAML: an impossible date such as 2020-02-30
would then raise without a line. They stay strings and the model parses them, with the field's
line.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field

import frontmatter
import yaml

from kennisbank.errors import ContentError, Path_, format_loc

MAX_FILE_BYTES = 256_000  # a long article is 30 KB; far below what makes Markdown rendering slow


class FileRefused(Exception):
    """A file `check` will not read: not a regular file, outside the repository, or too large."""


def size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size // 1000} KB"


def read_limited(root: str | os.PathLike[str], relative: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``root/relative``, refusing (before reading anything) what is not a regular
    file inside the repository or is larger than ``limit``: a FIFO would block forever, a link to
    ``/dev/zero`` never ends, a link elsewhere would publish a file from outside the repository."""
    full = os.path.join(root, relative)
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        real, base = os.path.realpath(full), os.path.realpath(root)
        if not real.startswith(base + os.sep):
            raise FileRefused("is a link to a file outside the repository; only files inside it are read") from None
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("is not a regular file (a pipe, device or socket); only regular files are read")
        if info.st_size > limit:
            raise FileRefused(f"file is {size_text(info.st_size)}; the limit is {size_text(limit)}")
        chunks, total = [], 0
        while total <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise FileRefused(f"file grew past the limit of {size_text(limit)} while it was read")
    return b"".join(chunks)
MAX_DEPTH = 20

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _DateAsTextLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as text (see module docstring)."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """PyYAML's resolver without path resolvers (unused here): a third of the parse time."""
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = _STR
                for candidate, regexp in _RESOLVERS.get(value[:1], ()):
                    if regexp.match(value):
                        tag = candidate
                        break
                if len(value) <= 40 and len(_RESOLVED) < 50_000:  # keys and vocabulary values repeat
                    _RESOLVED[value] = tag
            return tag
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


_RESOLVERS = {
    first: tuple((tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp")
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_RESOLVED: dict[str, str] = {}
assert None not in _RESOLVERS, "wildcard resolvers are not supported by _DateAsTextLoader.resolve"

_FRONT_MATTER_START = re.compile(r"\A---[ \t]*\n")
_BOUNDARY: re.Pattern[str] = frontmatter.default_handlers.YAMLHandler.FM_BOUNDARY

_SCALARS = {
    "tag:yaml.org,2002:null": _Loader.construct_yaml_null,
    "tag:yaml.org,2002:bool": _Loader.construct_yaml_bool,
    "tag:yaml.org,2002:int": _Loader.construct_yaml_int,
    "tag:yaml.org,2002:float": _Loader.construct_yaml_float,
    # A plain "=" or "<<" as a *value* is just text (as a key, "<<" is refused as a merge key).
    "tag:yaml.org,2002:value": lambda loader, node: node.value,
    "tag:yaml.org,2002:merge": lambda loader, node: node.value,
}

@dataclass
class SourceFile:
    """A content file after reading: its data, where each key is, and its Markdown body."""

    path: str  # relative to the repository root, with forward slashes
    data: dict[str, object] = field(default_factory=dict)
    lines: dict[Path_, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    matter: str = ""  # the raw front matter, for cheap text prefilters

    def line_of(self, loc: Path_) -> int:
        """The line of the deepest known key on ``loc``; line 1 when nothing matches."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 2 if self.lines else 1


class _Refused(Exception):
    """A YAML construct front matter does not allow; carries the file line and the field."""

    def __init__(self, line: int, loc: Path_, message: str):
        super().__init__(message)
        self.line, self.loc, self.message = line, loc, message


def read_source(path: str, raw: bytes) -> tuple[SourceFile | None, list[ContentError]]:
    """Parse ``raw`` (the bytes of ``path``); return the file (None when unreadable) and errors."""
    if len(raw) > MAX_FILE_BYTES:
        message = f"file is {size_text(len(raw))}; the limit is {size_text(MAX_FILE_BYTES)}"
        return None, [ContentError(path, 1, "file", message)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save as UTF-8"
        return None, [ContentError(path, line, "file", message)]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [ContentError(path, line, "file", "contains a NUL character; not a text file")]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.removeprefix("\ufeff")
    if not _FRONT_MATTER_START.match(text):
        return None, [ContentError(path, 1, "front matter", "missing: the file must start with a '---' line")]
    opening_end = text.index("\n")
    closing = _BOUNDARY.search(text, opening_end + 1)
    if closing is None:
        return None, [ContentError(path, 1, "front matter", "not closed: add a '---' line after it")]
    matter = text[opening_end + 1 : closing.start()]
    closing_end = text.find("\n", closing.start())
    body = "" if closing_end == -1 else text[closing_end + 1 :]
    source = SourceFile(path=path, body=body, body_line=matter.count("\n") + 3, matter=matter)
    errors: list[ContentError] = []
    try:
        data = _parse_matter(matter, source.lines, errors, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 2
        problem = exc.problem or exc.context or "invalid YAML"
        start = exc.context_mark
        if exc.problem and exc.context and start is not None and mark is not None and start.line != mark.line:
            problem += f" ({exc.context} that starts on line {start.line + 2})"
        return None, [ContentError(path, line, "front matter", f"YAML syntax error: {problem}")]
    except yaml.reader.ReaderError as exc:
        line = matter.count("\n", 0, max(0, exc.position)) + 2
        character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return None, [ContentError(path, line, "front matter",
                                   f"character U+{character:04X} is not allowed in YAML ({exc.reason}); remove it")]
    except _Refused as exc:
        return None, [ContentError(path, exc.line, format_loc(exc.loc), exc.message)]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        return None, [ContentError(path, 2, "front matter", f"YAML error: {' '.join(str(exc).split())[:200]}")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "text" if isinstance(data, str) else type(data).__name__
        return None, [ContentError(path, 2, "front matter", f"must be a mapping of fields (key: value), not a {kind}")]
    source.data = data
    return source, errors


def _parse_matter(matter: str, lines: dict[Path_, int], errors: list[ContentError], path: str) -> object:
    loader = _DateAsTextLoader(matter)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _Builder(loader, lines, errors, path, track_aliases="*" in matter).build(node, (), 0)
    finally:
        loader.dispose()


class _Builder:
    """Turns a composed YAML node tree into data, recording lines (1-based, counting '---')."""

    def __init__(self, loader: yaml.SafeLoader, lines: dict[Path_, int], errors: list[ContentError], path: str,
                 track_aliases: bool):
        self.loader = loader
        self.lines = lines
        self.errors = errors
        self.path = path
        self.seen: set[int] | None = set() if track_aliases else None  # an alias needs a '*'

    def build(self, node: yaml.Node, loc: Path_, depth: int) -> object:
        if self.seen is not None:
            if id(node) in self.seen:
                raise _Refused(node.start_mark.line + 2, loc,
                               "YAML anchors and aliases (&name, *name) are not allowed; write the value out")
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _Refused(node.start_mark.line + 2, loc, f"nested more than {MAX_DEPTH} levels deep")
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _STR:
                return node.value
            construct = _SCALARS.get(tag)
            if construct is not None:
                return construct(self.loader, node)
            return self._other(node, loc)
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                return self._other(node, loc)
            out = []
            plain = self.seen is None  # no aliases possible: plain text needs no recursive call
            for index, child in enumerate(node.value):
                child_loc = (*loc, index)
                self.lines[child_loc] = child.start_mark.line + 2
                if plain and child.tag == _STR and type(child) is yaml.ScalarNode:
                    out.append(child.value)
                else:
                    out.append(self.build(child, child_loc, depth + 1))
            return out
        if tag != _MAP:
            return self._other(node, loc)
        mapping: dict[str, object] = {}
        plain = self.seen is None
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 2
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(line, loc, "a key must be a plain name, not a list or mapping")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(line, loc, "YAML merge keys (<<) are not allowed; write the fields out")
            key = key_node.value
            key_loc = (*loc, key)
            if key in mapping:
                self.errors.append(ContentError(self.path, line, format_loc(key_loc),
                                                f"duplicate key: {key!r} is already given on line {self.lines[key_loc]}"))
            else:
                self.lines[key_loc] = line
            if plain and value_node.tag == _STR and type(value_node) is yaml.ScalarNode:
                mapping[key] = value_node.value
            else:
                mapping[key] = self.build(value_node, key_loc, depth + 1)
        return mapping

    def _other(self, node: yaml.Node, loc: Path_) -> object:
        """Explicit tags (``!!binary``, ``!!set``, ...): refused, they are never front matter."""
        raise _Refused(node.start_mark.line + 2, loc, f"YAML tag {node.tag!r} is not allowed in front matter")
