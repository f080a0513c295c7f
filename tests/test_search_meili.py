"""The Meilisearch engine's pure parts, tested without a server: the settings payload, filter
expressions (no injection), snippets, ids, and key redaction. The engine itself is tested by the
contract suite (test_search_contract.py) when MEILI_URL points at a real server."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kennisbank.search import meili
from kennisbank.search.settings import load_search_settings


@pytest.fixture(scope="module")
def settings(sample_root):
    return load_search_settings(sample_root)


def test_settings_payload_follows_search_yml(settings):
    payload = meili.settings_payload(settings)
    assert payload["searchableAttributes"] == ["title", "topics", "tags", "summary", "body"]
    assert set(settings.facet_fields) <= set(payload["filterableAttributes"])
    assert payload["sortableAttributes"] == ["date_key"]
    assert "de" in payload["stopWords"]
    assert payload["synonyms"]["ocmw"] == ["sociaal huis", "openbaar centrum voor maatschappelijk welzijn"]
    assert "ocmw" in payload["synonyms"]["sociaal huis"]
    assert payload["synonyms"]["tijdelijke invulling"] == ["tijdelijk gebruik"]
    assert payload["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert payload["localizedAttributes"] == [{"attributePatterns": ["*"], "locales": ["nld"]}]
    assert payload["pagination"]["maxTotalHits"] >= 50 * 1000


def test_synonym_groups_are_symmetric():
    mapping = meili.synonym_map([["IoT", "internet of things"], ["a", "b", "c"]])
    assert mapping == {"a": ["b", "c"], "b": ["a", "c"], "c": ["a", "b"],
                       "internet of things": ["iot"], "iot": ["internet of things"]}


def test_filter_expression_ors_values_and_ands_fields():
    expression = meili.filter_expression({"theme": ["wonen", "diversiteit"], "city": ["gent"], "year": []})
    assert expression == '(city = "gent") AND (theme = "wonen" OR theme = "diversiteit")'
    assert meili.filter_expression({}) is None


@pytest.mark.parametrize(("value", "literal"), [
    ('gent" OR type = "news', r'"gent\" OR type = \"news"'),
    ("back\\slash", r'"back\\slash"'),
    ('end\\"', r'"end\\\""'),
    ("NOT x", '"NOT x"'),
    ("a) OR (b", '"a) OR (b"'),
])
def test_filter_values_become_one_quoted_literal(value, literal):
    assert meili.quote(value) == literal
    assert meili.filter_expression({"city": [value]}) == f"(city = {literal})"


def _unquote(literal: str) -> str:
    """Read one literal back the way Meilisearch's filter parser does; fail if it ends early."""
    assert literal[0] == '"' and literal[-1] == '"'
    out, i, body = [], 0, literal[1:-1]
    while i < len(body):
        if body[i] == "\\":
            out.append(body[i + 1])
            i += 2
        else:
            assert body[i] != '"', "an unescaped quote would end the literal"
            out.append(body[i])
            i += 1
    return "".join(out)


@given(st.text(max_size=80))
def test_any_value_round_trips_as_a_single_literal(value):
    assert _unquote(meili.quote(value)) == value


def test_field_names_are_checked():
    with pytest.raises(ValueError):
        meili.filter_expression({"city = 1 OR x": ["a"]})


def test_snippets_escape_and_mark():
    formatted = {"body": f"…een <script>x</script> {meili.PRE}kerk{meili.POST} & co…", "summary": "x"}
    assert meili.snippet_html(formatted, {}) == "…een &lt;script&gt;x&lt;/script&gt; <mark>kerk</mark> &amp; co…"
    unbalanced = meili.snippet_html({"body": f"{meili.PRE}kerk"}, {})
    assert unbalanced == "<mark>kerk</mark>"
    assert meili.snippet_html({}, {"summary": "<b>Samenvatting</b>"}) == "&lt;b&gt;Samenvatting&lt;/b&gt;"


def test_ids_are_meilisearch_safe_and_reversible():
    key = meili.meili_key("tijdelijk-gebruik/creatieve-hub-in-gent")
    assert key == "tijdelijk-gebruik__creatieve-hub-in-gent"
    assert key.replace("__", "/") == "tijdelijk-gebruik/creatieve-hub-in-gent"
    docs = meili.meili_documents([{"id": "nieuws/a"}], "v1", "2020-01-01T00:00:00Z")
    assert docs == [{"id": "nieuws/a", "key": "nieuws__a", "index_version": "v1", "built_at": "2020-01-01T00:00:00Z"}]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_errors_never_show_the_master_key(monkeypatch, settings):
    secret = "s3cr3t-master-key-0123456789"
    monkeypatch.setenv("MEILI_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("MEILI_MASTER_KEY", secret)
    connection = meili.Connection.from_environment()
    assert secret not in repr(connection)
    with pytest.raises(meili.MeiliError) as caught:
        meili.push(connection, [{"id": "nieuws/a", "title": "A"}], settings)
    assert "Meilisearch" in str(caught.value) and secret not in str(caught.value)
    assert meili.redact(f"bad key {secret}!", secret) == "bad key [redacted]!"


def test_cli_push_without_url_is_a_clear_error(monkeypatch, sample_root):
    from click.testing import CliRunner

    from kennisbank.cli import cli

    monkeypatch.delenv("MEILI_URL", raising=False)
    result = CliRunner().invoke(cli, ["--root", str(sample_root), "index", "push"])
    assert result.exit_code == 2 and "MEILI_URL" in result.output


def test_cli_push_redacts_the_key(monkeypatch, sample_root):
    from click.testing import CliRunner

    from kennisbank.cli import cli

    secret = "another-secret-master-key-42"
    monkeypatch.setenv("MEILI_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("MEILI_MASTER_KEY", secret)
    result = CliRunner().invoke(cli, ["--root", str(sample_root), "index", "push"])
    assert result.exit_code == 1 and "Meilisearch" in result.output and secret not in result.output
