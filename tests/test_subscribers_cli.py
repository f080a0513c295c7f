"""`kennisbank subscribers list|add|import|export|delete|stats` on a real SQLite store."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kennisbank.cli import cli
from kennisbank.subscribers.store import open_store


@pytest.fixture()
def run(sample_root, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 's.sqlite'}")
    runner = CliRunner()

    def invoke(*args: str):
        if args[0] in ("add", "import") and "--help" not in args:
            args = (*args, "--no-check-domain")  # no DNS here
        return runner.invoke(cli, ["--root", str(sample_root), "subscribers", *args], catch_exceptions=False)
    return invoke


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_marks_the_source_and_never_undoes_an_unsubscribe_or_erasure(run, tmp_path):
    lijst = write(tmp_path / "leden.csv", "email,name,organisation,consent_at\n"
                  "an@example.org,An,Stad Gent,2019-05-01\nbo@example.org,Bo,,\nAN@example.org,dubbel,,\n")
    result = run("import", lijst)
    assert result.exit_code == 0 and result.output.startswith("2 added, 0 already subscribed")
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite'}")
    an = store.find("an@example.org")
    assert (an.source, an.organisation, an.consent_at.date().isoformat()) == ("import:leden.csv", "Stad Gent", "2019-05-01")
    store.unsubscribe(store.find("bo@example.org").id)
    assert run("delete", "an@example.org").exit_code == 0
    again = run("import", lijst, "--source", "ledenlijst 2019")
    assert "0 added, 0 already subscribed, 1 skipped (unsubscribed earlier), 1 skipped (erased on request)" in again.output
    assert [s.status for s in store.all()] == ["deleted", "unsubscribed"]


def test_import_checks_every_row_first_and_imports_nothing_on_errors(run, tmp_path):
    bad = write(tmp_path / "fout.csv", "email,name\nok@example.org,Ok\ngeen-adres,X\nb@example.org,\"Jan\nBcc\"\n")
    result = run("import", bad)
    assert result.exit_code == 1
    assert "fout.csv:3: email: 'geen-adres' is not a valid e-mail address" in result.output
    assert "fout.csv:5: name: name contains a line break" in result.output
    assert run("list").output == ""
    assert run("import", write(tmp_path / "x.csv", "naam\nJan\n")).exit_code == 1


def test_add_list_export_delete_stats(run, tmp_path):
    assert run("add", "cis@example.org", "--name", "Cis", "--organisation", "VGC").output == "added cis@example.org\n"
    assert "already subscribed" in run("add", "CIS@example.org").output
    listed = run("list", "--status", "confirmed").output
    assert "Cis <cis@example.org> (VGC)" in listed and "bron: beheer" in listed
    rows = list(csv.DictReader(io.StringIO(run("export").output)))
    assert [(r["email"], r["name"], r["status"], r["source"]) for r in rows] == [("cis@example.org", "Cis", "confirmed", "beheer")]
    assert list(csv.DictReader(io.StringIO(run("export", "--email", "niemand@example.org").output))) == []
    stats = json.loads(run("stats", "--json").output)
    assert stats["status"]["confirmed"] == 1 and stats["months"][0]["confirmed"] == 1
    assert "confirmed         1" in run("stats").output
    assert run("delete", "cis@example.org").exit_code == 0
    assert run("export").output.strip() == "id,email,name,organisation,status,source,consent_at,confirmed_at," \
                                           "unsubscribed_at,created_at"
    refused = run("add", "cis@example.org")
    assert refused.exit_code == 1 and "--resubscribe" in refused.output
    assert run("add", "cis@example.org", "--resubscribe").exit_code == 0
    missing = run("delete", "nooit@example.org")
    assert missing.exit_code == 1 and "not in the subscriber store" in missing.output


def test_bad_address_is_a_usage_error(run):
    result = run("add", "a@b@example.org")
    assert result.exit_code == 2 and "not a valid e-mail address" in result.output


def test_every_command_has_help(run):
    for command in ("list", "add", "import", "export", "delete", "stats"):
        assert run(command, "--help").exit_code == 0
