"""Property-based tests: whatever a content file holds, `check` reports errors, never a traceback.

Hypothesis feeds random bytes, mangled copies of valid files (truncated, BOM, CRLF, tabs, random
unicode), random YAML structures (huge numbers, NaN, deep nesting, odd keys), aliases and
anchors. The properties: check_file and check_repository return; every error names the file and
a line that exists in it; the CLI exits 0 or 1.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kennisbank.cli import cli
from kennisbank.content.check import check_file, check_repository
from kennisbank.errors import ContentError

ROOT = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# One valid file per kind of front matter, to be mangled.
VALID = {
    "content/nieuws/2020/bericht.md": (
        "---\ntitle: Een bericht over wonen\nsummary: Kort en duidelijk.\ndate: 2020-03-02\n"
        "category: beleid\nthemes:\n  - europa\ncities: [gent, leuven]\ntags: [wonen]\n"
        "links:\n  - title: Rapport\n    url: https://example.org/rapport\n"
        "image:\n  src: https://example.org/foto.jpg\n  alt: Een foto\n---\n\n"
        "Tekst met ![een kaart](https://example.org/kaart.png) en een [link](https://example.org).\n"
    ),
    "content/agenda/2020/activiteit.md": (
        "---\ntitle: Studiedag\nsummary: Over stadsvernieuwing.\ndate: 2020-01-10\nkind: studiedag\n"
        "start: 2020-02-03 09:30\nend: 2020-02-03 16:00\nlocation: Gent\norganisers: [Kenniscentrum]\n"
        "registration: https://example.org/inschrijven\n---\n\nProgramma.\n"
    ),
    "cases/kerken/kerk.md": (
        "---\ntitle: Sint-Jozefkerk\nsummary: Een herbestemde kerk.\ndate: 2020-01-10\nmunicipality: leuven\n"
        "country: BE\ncurrent_functions: [cultuur, wonen]\nstatus: gerealiseerd\n"
        "coordinates: {lat: 50.88, lon: 4.7}\ncontacts:\n  - name: An Peeters\n    email: an@leuven.be\n---\n\nTekst.\n"
    ),
    "content/nieuwsbrief/121.md": "---\nnumber: 121\nmonth: 2020-03\nitems: [nieuws/bericht]\n---\n\nIntro.\n",
    "content/themas/wonen.md": "---\ntitle: Wonen\nsummary: Thema wonen.\norder: 2\n---\n\nTekst.\n",
}
PATHS = sorted(VALID)
NEWS = "content/nieuws/2020/bericht.md"


def _assert_errors_are_well_formed(errors: list[ContentError], relative: str | None, raw: bytes) -> None:
    lines = raw.count(b"\n") + raw.count(b"\r") + 2  # generous: CR and CRLF both count as breaks
    for error in errors:
        assert isinstance(error, ContentError)
        assert relative is None or error.path == relative
        assert isinstance(error.line, int) and 1 <= error.line <= lines, (error, lines)
        assert error.field and error.message and "\n" not in error.field + error.message
        str(error), error.as_github(), error.as_dict()


def _check_bytes(relative: str, raw: bytes) -> list[ContentError]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / relative
        path.parent.mkdir(parents=True)
        path.write_bytes(raw)
        item, errors = check_file(Path(tmp), relative)
    assert item is None or not errors
    _assert_errors_are_well_formed(errors, relative, raw)
    return errors


@FUZZ
@given(relative=st.sampled_from(PATHS), raw=st.binary(max_size=2000))
@example(relative=PATHS[0], raw=b"---\n\xff\xfe\n---\n")
@example(relative=PATHS[0], raw=b"\xef\xbb\xbf---\ntitle: x\n---\n")
@example(relative=PATHS[0], raw=b"---\x00\n")
def test_random_bytes(relative, raw):
    _check_bytes(relative, raw)


@st.composite
def mangled(draw):
    """A valid file with a few edits: cut, insert, delete, duplicate, BOM, CRLF, tabs."""
    relative = draw(st.sampled_from(PATHS))
    text = VALID[relative]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "insert", "delete", "crlf", "cr", "bom", "tab", "dup", "swap"]))
        at = draw(st.integers(0, len(text)))
        if op == "cut":
            text = text[:at]
        elif op == "insert":
            text = text[:at] + draw(st.text(min_size=1, max_size=12)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif op == "crlf":
            text = text.replace("\n", "\r\n")
        elif op == "cr":
            text = text.replace("\n", "\r")
        elif op == "bom":
            text = "\ufeff" + text
        elif op == "tab":
            text = text[:at] + "\t" + text[at:]
        elif op == "dup":
            text = text[:at] + text[at : at + 40] + text[at:]
        else:
            other = draw(st.integers(0, len(text)))
            a, b = sorted((at, other))
            text = text[:a] + text[b:] + text[a:b]
    return relative, text


@FUZZ
@given(case=mangled())
def test_mangled_valid_files(case):
    relative, text = case
    _check_bytes(relative, text.encode("utf-8", "surrogatepass"))


KEYS = st.sampled_from(["title", "summary", "date", "category", "themes", "cities", "tags", "draft", "links",
                        "image", "start", "end", "coordinates", "photos", "contacts", "number", "month", "items",
                        "lat", "url", "src", "alt", "titel", "", "<<", "on", "1"]) | st.text(max_size=8)
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10**400), max_value=10**400)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30) | st.dates().map(str)
           | st.sampled_from(["2020-02-30", "2020-13-01", "24:61", "javascript:x", "<script>", "ftp://x", "a@", "gent"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=25)


@FUZZ
@given(relative=st.sampled_from(PATHS), data=st.dictionaries(KEYS, VALUES, max_size=10),
       style=st.sampled_from([None, True, False]), body=st.text(max_size=200))
def test_random_yaml_structures(relative, data, style, body):
    try:
        matter = yaml.safe_dump(data, default_flow_style=style, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    _check_bytes(relative, f"---\n{matter}---\n{body}".encode("utf-8", "surrogatepass"))


@FUZZ
@given(relative=st.sampled_from(PATHS), matter=st.text(max_size=300))
def test_random_unicode_front_matter(relative, matter):
    _check_bytes(relative, f"---\n{matter}\n---\nTekst.\n".encode("utf-8", "surrogatepass"))


@settings(max_examples=25, deadline=None)
@given(depth=st.integers(1, 3000), flow=st.booleans())
def test_deeply_nested_yaml(depth, flow):
    if flow:
        matter = "title: " + "[" * depth + "x" + "]" * depth
    else:
        matter = "".join(" " * level + f"k{level}:\n" for level in range(depth)) + " " * depth + "x\n"
    errors = _check_bytes(PATHS[0], f"---\n{matter}\n---\n".encode())
    assert errors


def test_aliases_cannot_explode():
    """A 'billion laughs' front matter is refused at once instead of expanded."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    errors = _check_bytes(PATHS[0], ("---\n" + "\n".join(lines) + "\n---\n").encode())
    assert any("aliases" in e.message for e in errors)


def test_self_referencing_alias():
    errors = _check_bytes(PATHS[0], b"---\ntitle: &t [*t]\n---\n")
    assert [(e.line, e.field) for e in errors] == [(2, "title[0]")]


def test_duplicate_key_names_both_lines():
    text = VALID[NEWS].replace("date: 2020-03-02\n", "date: 2020-03-02\ntitle: Nog een titel\n")
    errors = _check_bytes(NEWS, text.encode())
    assert [(e.line, e.field) for e in errors] == [(5, "title")]
    assert "already given on line 2" in errors[0].message


def test_every_valid_sample_is_valid():
    for relative in PATHS:
        assert _check_bytes(relative, VALID[relative].encode()) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.tuples(st.sampled_from(PATHS),
                                st.binary(max_size=300) | mangled().map(lambda c: c[1].encode("utf-8", "surrogatepass"))),
                      min_size=1, max_size=4))
def test_repository_and_cli_never_crash(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "content/registries", root / "content/registries")
        for relative, raw in files:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(raw)
        result = check_repository(root)
        _assert_errors_are_well_formed(result.errors, None, b"\n" * 10_000)
        assert result.errors == sorted(result.errors)
        run = CliRunner().invoke(cli, ["--root", str(root), "check", "--format", "json"])
        assert run.exit_code in (0, 1), run.output
        assert run.exception is None or isinstance(run.exception, SystemExit)
        assert (run.exit_code == 1) == bool(result.errors)
