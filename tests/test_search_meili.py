"""The Meilisearch engine's pure parts, tested without a server: the settings payload, filter
expressions (no injection), snippets, ids, and key redaction. The engine itself is tested by the
contract suite (test_search_contract.py) when MEILI_URL points at a real server."""

from __future__ import annotations

import json
import socket
import threading
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
    assert payload["searchableAttributes"] == ["title", "topics", "tags", "summary", "body", "forms"]
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
    plan = meili.synonym_plan([["IoT", "internet of things"], ["a", "b", "c"]], frozenset({"de"}))
    assert plan.synonyms == {"a": ["b", "c"], "b": ["a", "c"], "c": ["a", "b"],
                             "internet of things": ["iot"], "iot": ["internet of things"]}
    assert plan.stop_words == ["de"] and plan.changes == []


def test_sort_is_the_first_ranking_rule_so_an_explicit_date_sort_wins(settings):
    """Meilisearch applies ``sort`` where it sits in rankingRules, and only when a search has a
    ``sort`` parameter; after words/typo/proximity/attribute it would order only within ties."""
    rules = meili.settings_payload(settings)["rankingRules"]
    assert rules[0] == "sort"
    assert rules[1:] == ["words", "typo", "proximity", "attribute", "exactness"]


def test_stop_words_inside_synonyms_stay_searchable_and_are_reported(settings):
    """Meilisearch drops stop words from synonyms and builds query n-grams from consecutive
    words only, so `internet of things` could never fire while `of` is a stop word."""
    plan = meili.synonym_plan(settings.synonyms, settings.stop_words)
    pushed_stop_words = set(plan.stop_words)
    assert {"of", "en"} <= settings.stop_words and not {"of", "en"} & pushed_stop_words
    assert "de" in pushed_stop_words  # stop words no synonym uses stay stop words
    assert "internet of things" in plan.synonyms and "beleids en beheerscyclus" in plan.synonyms
    for key in plan.synonyms:
        assert len(key.split()) <= meili.MAX_SYNONYM_WORDS and not set(key.split()) & pushed_stop_words
    report = "\n".join(plan.changes)
    assert "'of'" in report and "internet of things" in report and "'en'" in report


def test_synonyms_of_more_than_three_words_are_only_targets(settings):
    plan = meili.synonym_plan(settings.synonyms, settings.stop_words)
    long_member = "openbaar centrum voor maatschappelijk welzijn"
    assert long_member not in plan.synonyms
    assert long_member in plan.synonyms["ocmw"] and long_member in plan.synonyms["sociaal huis"]
    assert any(long_member in change and "5 words" in change for change in plan.changes)
    assert "voor" in plan.stop_words  # only keys keep stop words searchable


def test_documents_carry_the_other_dutch_forms_of_their_words():
    """Meilisearch does not stem Dutch: kerk/kerken and woning/woningen are two edits apart."""
    docs = [{"id": "a/1", "title": "Kerken en woningen", "summary": "", "body": "", "tags": []},
            {"id": "a/2", "title": "Een kerk", "summary": "", "body": "één woning", "tags": []},
            {"id": "a/3", "title": "Fietsen", "summary": "", "body": "", "tags": ["fietser"]}]
    uploaded = {d["id"]: d for d in meili.meili_documents(docs, "v1", "2020-01-01T00:00:00Z")}
    assert {"kerk", "woning"} <= set(uploaded["a/1"]["forms"])
    assert {"kerken", "woningen"} <= set(uploaded["a/2"]["forms"])
    assert not {"kerk", "woning", "kerken", "woningen"} & set(uploaded["a/3"]["forms"])


@pytest.mark.parametrize(("text", "version"), [("1.12.0", (1, 12, 0)), ("1.13.2-rc.1", (1, 13, 2)),
                                               ("v1.9", (1, 9, 0)), ("", (0, 0, 0))])
def test_server_versions_compare_as_numbers(text, version):
    assert meili.parse_version(text) == version


class _RecordingClient:
    """Stands in for the ``meilisearch`` client object to check *our* control flow: which calls
    push makes and in which order. The answers are the shapes Meilisearch's source returns
    (``GET /version`` -> pkgVersion). This is not a server and tests nothing about one."""

    def __init__(self, version: str):
        self.version = version
        self.calls: list[str] = []

    def get_version(self):
        self.calls.append("get_version")
        return {"pkgVersion": self.version, "commitSha": "x", "commitDate": "2025-01-01"}

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls.append(name)
            raise AssertionError(f"push changed something on a refused server: {name}")
        return record


def test_a_too_old_server_is_refused_before_anything_changes(monkeypatch, settings):
    client = _RecordingClient("1.11.3")
    connection = meili.Connection(url="http://127.0.0.1:1", key="k")
    monkeypatch.setattr(meili.Connection, "client", lambda self: client)
    with pytest.raises(meili.MeiliError) as caught:
        meili.push(connection, [{"id": "nieuws/a", "title": "A"}], settings)
    assert "1.11.3" in str(caught.value) and "1.12.0 or newer" in str(caught.value)
    assert client.calls == ["get_version"]


def test_no_master_key_means_no_search_key():
    assert meili.search_key(meili.Connection(url="http://127.0.0.1:1", key=None)) is None


def test_a_server_without_master_key_answers_key_routes_with_missing_master_key(monkeypatch):
    """Meilisearch without a master key answers /keys with code ``missing_master_key``; push
    must then finish (the swap is done) and say no key is needed."""
    import requests
    from meilisearch.errors import MeilisearchApiError

    response = requests.Response()
    response.status_code = 401
    response._content = (b'{"message": "Meilisearch is running without a master key.", "code": '
                         b'"missing_master_key", "type": "auth", "link": "https://docs.meilisearch.com"}')

    class NoMasterKey:
        def get_keys(self, parameters):
            raise MeilisearchApiError("missing master key", response)

    monkeypatch.setattr(meili.Connection, "client", lambda self: NoMasterKey())
    assert meili.search_key(meili.Connection(url="http://127.0.0.1:1", key="some-key")) is None


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
    assert docs == [{"id": "nieuws/a", "key": "nieuws__a", "forms": [], "index_version": "v1",
                     "built_at": "2020-01-01T00:00:00Z"}]


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


def test_the_503_body_names_neither_the_server_nor_its_message(monkeypatch, sample_root, tmp_path):
    import httpx
    from search_helpers import live_server

    from kennisbank.config import load_settings
    from kennisbank.search.api import create_api

    port = _closed_port()
    monkeypatch.setenv("MEILI_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("MEILI_SEARCH_KEY", "search-only-key-0123")
    monkeypatch.delenv("MEILI_MASTER_KEY", raising=False)
    app = create_api(tmp_path, load_settings(sample_root))
    with live_server(app) as base:
        response = httpx.get(f"{base}/search", params={"q": "kerk"})
    assert response.status_code == 503
    body = response.text
    assert str(port) not in body and "127.0.0.1" not in body and "Connection" not in body
    assert response.json()["message"].endswith(meili.UNAVAILABLE)


def test_the_api_forgets_the_master_key_once_it_has_tried_to_derive_the_search_key(monkeypatch, settings):
    monkeypatch.setenv("MEILI_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("MEILI_MASTER_KEY", "master-key-to-forget-0123")
    monkeypatch.delenv("MEILI_SEARCH_KEY", raising=False)
    with pytest.raises(meili.EngineUnavailable) as caught:
        meili.MeiliEngine.from_environment(settings, None)
    assert "MEILI_MASTER_KEY" not in __import__("os").environ
    assert str(caught.value) == meili.UNAVAILABLE


class _LoopbackJson:
    """A real HTTP server on a free loopback port (a thread of this process): every request goes to
    :meth:`answer`, which gives the status and the JSON to reply with."""

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> tuple[int, object]:
        raise NotImplementedError

    def __enter__(self) -> str:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = server.answer(self.command, self.path, self.headers, body)
                reply = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _reply

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _EchoingServer(_LoopbackJson):
    """A hostile (or broken) server on loopback that answers every request with a 'task' holding
    the Authorization header it received, in a shape the client cannot validate. The point of the
    test is a server that misbehaves, so this is the real thing, not a stand-in for Meilisearch."""

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> tuple[int, object]:
        auth = headers.get("Authorization", "")
        return 202, {"taskUid": auth, "indexUid": auth, "status": auth, "type": auth,
                     "enqueuedAt": auth, "results": auth, "hits": auth}


def test_a_server_echoing_the_key_in_a_malformed_reply_never_gets_it_printed(monkeypatch, sample_root, settings):
    from click.testing import CliRunner

    from kennisbank.cli import cli
    from kennisbank.search.engine import EngineUnavailable, SearchRequest

    secret = "echoed-master-key-7f3a9c"
    with _EchoingServer() as url:
        monkeypatch.setenv("MEILI_URL", url)
        monkeypatch.setenv("MEILI_MASTER_KEY", secret)
        result = CliRunner().invoke(cli, ["--root", str(sample_root), "index", "push"])
        assert result.exit_code == 1, result.output
        assert "Meilisearch" in result.output and secret not in result.output
        assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
        with pytest.raises((EngineUnavailable, meili.MeiliError)) as caught:  # what `serve` would log
            engine = meili.MeiliEngine.from_environment(load_search_settings(sample_root), sample_root / "geen-index")
            engine.search(SearchRequest(q="kerk"))
        assert secret not in str(caught.value) and "[redacted]]" not in str(caught.value)


class _FacetSearchRecorder(_LoopbackJson):
    """A loopback HTTP server that keeps the JSON body of each request the real ``meilisearch``
    client sends and answers in the shape of Meilisearch's facet-search route (``facetHits``,
    per its specification 0246): the payload is what is under test, not a Meilisearch."""

    def __init__(self, hits: list[dict[str, object]]) -> None:
        self.hits = hits
        self.requests: list[tuple[str, dict[str, object]]] = []

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> tuple[int, object]:
        self.requests.append((path, json.loads(body)))
        return 200, {"facetHits": self.hits, "facetQuery": None, "processingTimeMs": 0}


def test_facet_value_search_sends_the_site_scope_as_a_filter(settings):
    recorder = _FacetSearchRecorder([{"value": "gent", "count": 2}, {"value": "genk", "count": 5}])
    with recorder as url:
        engine = meili.MeiliEngine(meili.Connection(url=url, key="search-key", index="kennisbank"), settings)
        scoped = engine.facet_values("city", "ge", 10, {"site": ("kerken",)})
        everywhere = engine.facet_values("city", "", 10)
    assert [(c.value, c.count) for c in scoped] == [("genk", 5), ("gent", 2)]
    assert recorder.requests == [
        ("/indexes/kennisbank/facet-search", {"facetName": "city", "facetQuery": "ge", "filter": '(site = "kerken")'}),
        ("/indexes/kennisbank/facet-search", {"facetName": "city", "facetQuery": None}),
    ]
    assert len(everywhere) == 2
