"""Hostile content from a pull request: nothing private is published, no markup slips through.

Each test plants one attack in a copy of the sample repository (or feeds it to the part that
failed) and asserts the defence: a content error with its line, and nothing in the output.
"""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from site_helpers import copy_repository

from kennisbank.content.check import check_repository

NEWS = """---
title: Een bericht
summary: Een korte samenvatting.
date: 2020-05-04
category: beleid
{extra}---

{body}
"""


@pytest.fixture
def root(tmp_path, sample_root) -> Path:
    root = copy_repository(sample_root, tmp_path / "repo")
    (root / "leden.csv").write_text("email,name\ngeheim@example.org,Geheim\n", encoding="utf-8")
    return root


def plant(root: Path, body: str = "Tekst.", extra: str = "", name: str = "aanval") -> str:
    relative = f"content/nieuws/2020/{name}.md"
    (root / relative).write_text(NEWS.format(body=body, extra=extra), encoding="utf-8")
    return relative


def errors_in(root: Path, relative: str) -> list[tuple[int, str, str]]:
    return [(e.line, e.field, e.message) for e in check_repository(root).errors if e.path == relative]


@pytest.mark.parametrize("body", [
    '<img src="../../../leden.csv" alt="logo">',
    "![logo](../../../leden.csv)",
    '<p>Zie <img alt="x" src=../../../mkdocs.yml></p>',
    "![logo](../../../content/registries/cities.yml)",
    "![ander](../../agenda/2020/foto.png)",  # a picture, but of another item's folder
])
def test_a_body_cannot_publish_a_file_outside_its_folder(root, body):
    relative = plant(root, body=f"Inleiding.\n\n{body}\n")
    found = errors_in(root, relative)
    assert any(line == 10 and field == "body" and ("beside or below" in message or "not a picture" in message)
               for line, field, message in found), found


def test_the_site_copies_only_publishable_pictures_even_when_check_is_bypassed(root):
    from kennisbank.content import load_repository
    from kennisbank.site.stage import media_files

    repo = load_repository(root)
    item = next(i for i in repo.published if i.type.name == "news")
    item.body = '<img src="../../../leden.csv" alt="logo">\n\n![x](../../../mkdocs.yml)'
    copied = {source.name for source in media_files(repo).values()}
    assert "leden.csv" not in copied and "mkdocs.yml" not in copied


def test_a_photo_field_cannot_publish_a_file_outside_its_folder(root):
    relative = plant(root, extra="image:\n  src: ../../../leden.csv\n  alt: logo\n")
    assert any(field == "image.src" and line == 7 for line, field, _ in errors_in(root, relative))


def test_an_svg_that_runs_script_is_refused(root):
    (root / "content/nieuws/2020/fotos").mkdir(exist_ok=True)
    (root / "content/nieuws/2020/fotos/kaart.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', encoding="utf-8")
    relative = plant(root, body="![kaart](fotos/kaart.svg)\n")
    assert any("active content" in message for _, _, message in errors_in(root, relative))


def test_feed_texts_are_escaped_once_for_their_context(settings):
    from kennisbank.feeds.catalog import Feed, FeedEntry
    from kennisbank.feeds.writer import atom_bytes, rss_bytes

    hostile = '</title><img alt=">" src=x onerror=alert(1)>'
    entry = FeedEntry("nieuwsbrief/121", hostile, "/nieuwsbrief/121/", hostile, dt.date(2020, 1, 1))
    feed = Feed("nieuwsbrief", "Nieuwsbrief", "Nieuwsbrief – K", "Elke maand.", "/nieuwsbrief/", "Algemeen", (entry,))
    rss = ET.fromstring(rss_bytes(feed, settings))
    description = rss.find("channel/item/description").text
    assert description == html.escape(hostile, quote=False)  # as HTML, it shows the text, runs nothing
    assert "<img" not in description
    atom = ET.fromstring(atom_bytes(feed, settings))
    summary = atom.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary.get("type") == "text" and summary.text == hostile


@pytest.mark.parametrize(("body", "fragment"), [
    ('<a href="java&NewLine;script:alert(1)">klik</a>', "unsafe URL"),
    ('<a href="jav&#x0A;ascript:alert(1)">klik</a>', "unsafe URL"),
    ('<p title=">" onclick="alert(1)">t</p>', "onclick"),
    ("[klik](data:text/html;base64,PHNjcmlwdD4=)", "unsafe URL"),
    ("<style>body{display:none}</style>", "<style>"),
    ('<link rel="stylesheet" href="https://example.org/x.css">', "<link>"),
    ("<svg><set attributeName=onmouseover to=alert(1)></svg>", "<svg>"),
])
def test_check_reports_what_the_sanitiser_would_drop_with_its_line(root, body, fragment):
    relative = plant(root, body=f"Eerste alinea.\n\nTweede alinea.\n\n{body}\n")
    found = errors_in(root, relative)
    assert any(line == 12 and field == "body" and fragment in message for line, field, message in found), found


@pytest.mark.parametrize("title", ['</title><img alt=">" src=x onerror=alert(1)>', "Wonen <b>nu</b>"])
def test_check_refuses_markup_in_plain_text_fields(root, title):
    relative = "content/nieuwsbrief/121.md"
    path = root / relative
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('month: "2020-01"\n', f'month: "2020-01"\ntitle: \'{title}\'\n'), encoding="utf-8")
    assert any(field == "title" and line == 4 for line, field, _ in errors_in(root, relative))


def test_plain_text_with_a_less_than_sign_is_fine(root):
    relative = plant(root, extra="", body="Voor jongeren <30 jaar & hun ouders: 3 < 4.\n")
    assert errors_in(root, relative) == []


def test_registries_are_scanned_for_markup(root):
    path = root / "content/registries/cities.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "kwaadstad:\n  name: '<img src=x onerror=alert(1)>'\n", encoding="utf-8")
    errors = [e for e in check_repository(root).errors if e.path == "content/registries/cities.yml"]
    assert errors and errors[0].line == text.count("\n") + 2


def check_in_subprocess(root: Path) -> tuple[int, str]:
    """`kennisbank check` in its own process with a deadline, so a hang fails the test instead of the run."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "kennisbank.cli", "--root", str(root), "check"],
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    return result.returncode, result.stdout + result.stderr


def test_a_fifo_named_like_content_is_refused_not_waited_for(root):
    import os

    os.mkfifo(root / "content/nieuws/2020/pijp.md")
    code, output = check_in_subprocess(root)
    assert code == 1 and "content/nieuws/2020/pijp.md:1: file: is not a regular file" in output


def test_a_link_to_dev_zero_or_outside_the_repository_is_refused(root, tmp_path):
    (root / "content/nieuws/2020/nul.md").symlink_to("/dev/zero")
    outside = tmp_path / "elders.md"
    outside.write_text(NEWS.format(body="Van buiten.", extra=""), encoding="utf-8")
    (root / "content/nieuws/2020/elders.md").symlink_to(outside)
    found = {(e.path, e.message) for e in check_repository(root).errors}
    refused = "is a link to a file outside the repository; only files inside it are read"
    assert ("content/nieuws/2020/nul.md", refused) in found
    assert any(path.endswith("elders.md") and "outside the repository" in message for path, message in found)


def test_a_billion_laughs_registry_is_refused_at_its_first_anchor(root):
    laughs = ["vocabularies:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"  {chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
               f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]" for n in range(9)]
    (root / "content/registries/vocabularies.yml").write_text("\n".join(laughs) + "\n", encoding="utf-8")
    errors = [e for e in check_repository(root).errors if e.path == "content/registries/vocabularies.yml"]
    assert [(e.line, e.field) for e in errors] == [(2, "file")] and "anchors" in errors[0].message


def test_an_oversized_registry_is_refused_before_it_is_read(root):
    with (root / "content/registries/cities.yml").open("r+b") as handle:
        handle.truncate(50_000_000)  # sparse: the test does not write 50 MB
    errors = [e for e in check_repository(root).errors if e.path == "content/registries/cities.yml"]
    assert [(e.line, e.field) for e in errors] == [(1, "file")] and "the limit is 1.0 MB" in errors[0].message


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_a_file_name_with_a_newline_cannot_forge_a_line_in_any_report(root, fmt):
    import json

    from click.testing import CliRunner

    from kennisbank.cli import cli

    forged = "x\nvals.md:1: title: VERZONNEN\x1b[2K"
    (root / f"content/nieuws/2020/{forged}.md").write_text(NEWS.format(body="Tekst.", extra=""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(root), "check", "--format", fmt])
    assert result.exit_code == 1
    if fmt == "json":
        assert any(e["path"].endswith(f"{forged}.md") for e in json.loads(result.stdout))
        return
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "VERZONNEN" in line]
    assert len(lines) == 1 and "\x1b" not in lines[0]
    assert lines[0].startswith(("content/nieuws/2020/x\\n", "::error file=content/nieuws/2020/x%0A"))


def test_the_sanitiser_never_points_a_picture_outside_its_folder():
    from kennisbank.sanitize import body_html

    html = body_html('![logo](../../../leden.csv)\n\n<img src="../../../mkdocs.yml" alt="x">\n\n![kaart](fotos/k.png)',
                     "content/nieuws/2020/x.md")
    assert "leden.csv" not in html and "mkdocs.yml" not in html
    assert 'src="/media/content/nieuws/2020/fotos/k.png"' in html
