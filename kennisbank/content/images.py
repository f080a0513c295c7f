"""Pictures: every image a file shows must exist and say what it shows (alt text)."""

from __future__ import annotations

import re
from pathlib import Path

from kennisbank.content.reader import SourceFile
from kennisbank.errors import ContentError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"}
# Bounded repetitions: a mangled body full of "![" or "<img" must not make the scan quadratic.
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\(\s*<?([^)\s>]{1,500})>?(?:\s+[\"'][^)\n]{0,500}[\"'])?\s*\)")
_HTML_IMG = re.compile(r"<img\b[^>]{0,2000}>", re.I)
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
            if not _ALT_ATTR.search(match.group(0)):
                line = source.body_line + body.count("\n", 0, match.start())
                errors.append(ContentError(source.path, line, "body", "<img> without alt text"))
    return errors


def image_problem(root: Path, relative: str, src: str) -> str | None:
    """Why image ``src`` referenced from file ``relative`` is unusable, or None when it is fine."""
    if _HTTP.match(src):
        return None
    if ":" in src.split("/")[0] or src.startswith("//"):
        return f"image {src!r}: only relative paths or http(s) URLs"
    target = (root / relative).parent / src.split("#")[0].split("?")[0]
    try:
        resolved = target.resolve()
        resolved.relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return f"image {src!r} points outside the repository"
    if resolved.suffix.lower() not in IMAGE_SUFFIXES:
        return f"image {src!r} is not a picture ({', '.join(sorted(IMAGE_SUFFIXES))})"
    if not resolved.is_file():
        return f"image {src!r} does not exist"
    return None
