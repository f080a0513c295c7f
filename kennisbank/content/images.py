"""Pictures: every image a file shows must exist, say what it shows (alt text), and be publishable.

Publishable means: a regular file of an allowed picture type, beside or below the content file
that shows it (no ``..`` out of its folder, no absolute path, no symlink leading elsewhere), and
for SVG, nothing that runs when the file is opened on its own. Anything else (``leden.csv``,
``mkdocs.yml``, a picture of another item's folder) would be copied to ``/media/`` and served to
everyone, so it is a content error with its line; the build copies only what passes this rule.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from kennisbank.content.reader import SourceFile
from kennisbank.errors import ContentError
from kennisbank.sanitize import stays_below

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"}
# Bounded repetitions: a mangled body full of "![" or "<img" must not make the scan quadratic.
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\(\s*<?([^)\s>]{1,500})>?(?:\s+[\"'][^)\n]{0,500}[\"'])?\s*\)")
_HTML_IMG = re.compile(r"<img\b[^>]{0,2000}>", re.I)
_SRC_ATTR = re.compile(r"\bsrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))", re.I)
_SVG_ACTIVE = re.compile(rb"<script|<foreignobject|<iframe|<embed|<object|\son[a-z]+\s*=|javascript:|<set\b|"
                         rb"<animate|<handler|<listener", re.I)
SVG_MAX_BYTES = 2_000_000
_ALT_ATTR = re.compile(r"\balt\s*=\s*(\"[^\"]+\"|'[^']+'|[^\s>\"']+)", re.I)
_HTTP = re.compile(r"^https?://", re.I)


def body_image_errors(root: Path, source: SourceFile) -> list[ContentError]:
    """Markdown and HTML images in the body: missing files and missing alt texts."""
    errors = []
    body = source.body
    if "![" in body:
        for match in _MD_IMAGE.finditer(body):
            line = source.body_line + body.count("\n", 0, match.start())
            alt, src = match.groups()
            if not alt.strip():
                errors.append(ContentError(source.path, line, "body", f"image {src} has no alt text: write ![what it shows]({src})"))
            problem = image_problem(root, source.path, src)
            if problem:
                errors.append(ContentError(source.path, line, "body", problem))
    if "<img" in body or "<IMG" in body or "<Img" in body:
        for match in _HTML_IMG.finditer(body):
            line = source.body_line + body.count("\n", 0, match.start())
            if not _ALT_ATTR.search(match.group(0)):
                errors.append(ContentError(source.path, line, "body", "<img> without alt text"))
            src_match = _SRC_ATTR.search(match.group(0))
            src = next((g for g in src_match.groups() if g is not None), None) if src_match else None
            if src and (problem := image_problem(root, source.path, src)):
                errors.append(ContentError(source.path, line, "body", problem))
    return errors


def image_problem(root: Path, relative: str, src: str) -> str | None:
    """Why image ``src`` referenced from file ``relative`` is unusable, or None when it is fine."""
    if _HTTP.match(src):
        return None
    if ":" in src.split("/")[0] or src.startswith("//"):
        return f"image {src!r}: only relative paths or http(s) URLs"
    if not stays_below(relative, src):
        return f"image {src!r}: only pictures beside or below this file are published (no ../ or /)"
    target = (root / relative).parent / src.split("#")[0].split("?")[0]
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return f"image {src!r} is not a picture ({', '.join(sorted(IMAGE_SUFFIXES))})"
    try:
        resolved = target.resolve()
        resolved.relative_to((root / relative).parent.resolve())
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        return f"image {src!r} does not exist"
    except (ValueError, OSError, RuntimeError):
        return f"image {src!r} points outside this file's folder (a link?)"
    if not stat.S_ISREG(mode):
        return f"image {src!r} is not a regular file"
    if resolved.suffix.lower() == ".svg":
        return _svg_problem(resolved, src)
    return None


def _svg_problem(path: Path, src: str) -> str | None:
    """An SVG opened on its own runs its scripts on the site's origin: allow only passive drawings."""
    with path.open("rb") as handle:
        data = handle.read(SVG_MAX_BYTES + 1)
    if len(data) > SVG_MAX_BYTES:
        return f"image {src!r}: an SVG may be at most {SVG_MAX_BYTES // 1_000_000} MB"
    if match := _SVG_ACTIVE.search(data):
        return f"image {src!r}: SVG with active content ({match.group(0).decode('ascii', 'replace').strip()}) is not allowed"
    return None


def publishable_picture(root: Path, relative: str, src: str) -> Path | None:
    """The file to publish for picture ``src`` of content file ``relative``, or None when it may not
    be published (:func:`image_problem` says why); external pictures are never copied."""
    if _HTTP.match(src) or image_problem(root, relative, src) is not None:
        return None
    return ((root / relative).parent / src.split("#")[0].split("?")[0]).resolve()
