"""`kennisbank newsletter send` against a real SMTP server on loopback, including kill and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from newsletter_smtp import Recorder, SmtpServer

from kennisbank.newsletter.render import message_id

ISSUE = 123
PASSWORD = "geheim-wachtwoord-42"


@pytest.fixture(scope="module")
def issues_dir(sample_root, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("issues")
    run_cli(sample_root, ["newsletter", "build", "--month", "2020-03", "--out", str(out)], env={}, check=True)
    return out


def run_cli(root: Path, args: list[str], env: dict[str, str], check: bool = False) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SMTP_")} | env
    result = subprocess.run([sys.executable, "-m", "kennisbank.cli", "--root", str(root), *args],
                            capture_output=True, text=True, env=full_env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def write_csv(path: Path, count: int, extra: str = "") -> list[str]:
    emails = [f"lezer{n:02d}@example.org" for n in range(count)]
    rows = ["email,name"] + [f"{email},Lezer {n}" for n, email in enumerate(emails)]
    path.write_text("\n".join(rows) + "\n" + extra, encoding="utf-8")
    return emails


def send_args(issues_dir: Path, csv: Path, *more: str) -> list[str]:
    return ["newsletter", "send", str(ISSUE), "--to", str(csv), "--issues", str(issues_dir), *more]


def smtp_env(server: SmtpServer) -> dict[str, str]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port)}


def test_sends_one_personal_message_per_recipient_and_logs_each(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    emails = write_csv(csv, 5)
    with SmtpServer(Recorder()) as server:
        result = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(server))
    assert result.returncode == 0, result.stderr
    assert server.recorder.received_by() == {email: 1 for email in emails}
    for (rcpt_tos, message), email in zip(server.recorder.messages, emails, strict=False):
        assert rcpt_tos == [email]
        assert message["To"].addresses[0].addr_spec == email
        assert message["Message-ID"] == message_id_for(email)
        assert message.get_content_type() == "multipart/alternative"
        assert "Nieuwsbrief 123" in message["Subject"]
    log = [json.loads(line) for line in (tmp_path / f"lijst.{ISSUE}.send-log.jsonl").read_text().splitlines()]
    assert [entry["event"] for entry in log] == ["sending", "sent"] * 5
    with SmtpServer(Recorder()) as again:
        rerun = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(again))
    assert rerun.returncode == 0 and again.recorder.messages == []
    assert "5 recipient(s) already have issue 123" in rerun.stderr


def message_id_for(email: str) -> str:
    from conftest import ROOT

    from kennisbank.config import load_settings

    return message_id(load_settings(ROOT), ISSUE, email)


def test_killed_mid_send_resumes_without_duplicates_or_gaps(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    emails = write_csv(csv, 12)
    recorder = Recorder(hold_after=5)
    with SmtpServer(recorder) as server:
        env = os.environ | smtp_env(server)
        process = subprocess.Popen([sys.executable, "-m", "kennisbank.cli", "--root", str(sample_root),
                                    *send_args(issues_dir, csv, "--rate", "50")],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert recorder.holding.wait(60), "the sender never reached the sixth message"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        assert process.returncode == -signal.SIGKILL
        assert len(recorder.messages) == 5
        recorder.hold_after = None
        recorder.release.set()
        time.sleep(0.05)
        resumed = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(server))
    assert resumed.returncode == 0, resumed.stderr
    assert "5 recipient(s) already have issue 123" in resumed.stderr
    assert recorder.received_by() == {email: 1 for email in emails}


def test_uncertain_recipient_is_resent_by_default_or_skipped_on_request(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    emails = write_csv(csv, 3)
    log = tmp_path / "log.jsonl"
    records = [{"event": "sending", "email": emails[0], "issue": ISSUE}, {"event": "sent", "email": emails[0], "issue": ISSUE},
               {"event": "sending", "email": emails[1], "issue": ISSUE}]
    text = "".join(json.dumps(r) + "\n" for r in records) + '{"event": "sent", "email": "lez'  # torn by a kill
    log.write_text(text)
    with SmtpServer(Recorder()) as server:
        skipped = run_cli(sample_root, send_args(issues_dir, csv, "--log", str(log), "--uncertain", "skip"),
                          smtp_env(server))
        assert skipped.returncode == 0, skipped.stderr
        assert server.recorder.received_by() == {emails[2]: 1}
        assert f"while sending to {emails[1]}; skipping" in skipped.stderr
    log.write_text("".join(json.dumps(r) + "\n" for r in records))
    with SmtpServer(Recorder()) as server:
        resent = run_cli(sample_root, send_args(issues_dir, csv, "--log", str(log)), smtp_env(server))
    assert resent.returncode == 0, resent.stderr
    assert server.recorder.received_by() == {emails[1]: 1, emails[2]: 1}
    assert f"while sending to {emails[1]}; sending again" in resent.stderr


def test_invalid_rows_are_reported_with_line_numbers_and_nothing_is_sent(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    write_csv(csv, 3, extra="geen-adres,Iemand\n,Leeg\nx@example.org,\"Naam, met komma\",teveel\n")
    with SmtpServer(Recorder()) as server:
        result = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(server))
    assert result.returncode == 1
    assert server.recorder.messages == []
    assert f"{csv}:5: 'geen-adres' is not a valid e-mail address" in result.stderr
    assert f"{csv}:6: email is empty" in result.stderr
    assert f"{csv}:7: more fields than columns" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_email_column_is_a_clear_error(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    csv.write_text("adres,naam\na@example.org,A\n")
    result = run_cli(sample_root, send_args(issues_dir, csv, "--dry-run"), {})
    assert result.returncode == 1 and "no `email` column" in result.stderr


def test_dry_run_lists_recipients_and_sends_nothing(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    emails = write_csv(csv, 3, extra="LEZER00@example.org,Dubbel\n")
    with SmtpServer(Recorder()) as server:
        result = run_cli(sample_root, send_args(issues_dir, csv, "--dry-run"), smtp_env(server))
    assert result.returncode == 0, result.stderr
    assert server.recorder.messages == []
    for email in emails:
        assert "would send to" in result.stderr and email in result.stderr
    assert "1 duplicate address(es)" in result.stderr
    assert not list(tmp_path.glob("*.jsonl"))  # a dry run leaves no log behind


def test_refused_recipient_gives_exit_3_and_is_retried_alone(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    emails = write_csv(csv, 4)
    with SmtpServer(Recorder(refuse={emails[1]})) as server:
        first = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(server))
    assert first.returncode == 3, first.stderr
    assert f"refused: {emails[1]}" in first.stderr
    assert server.recorder.received_by() == {e: 1 for e in emails if e != emails[1]}
    with SmtpServer(Recorder()) as server:
        retry = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(server))
    assert retry.returncode == 0, retry.stderr
    assert server.recorder.received_by() == {emails[1]: 1}


def test_smtp_problems_are_clear_errors_and_never_show_the_password(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    write_csv(csv, 2)
    with SmtpServer(Recorder()) as server:  # aiosmtpd without auth: the login cannot succeed
        result = run_cli(sample_root, send_args(issues_dir, csv),
                         smtp_env(server) | {"SMTP_USER": "redactie", "SMTP_PASSWORD": PASSWORD})
        assert server.recorder.messages == []
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "redactie" in result.stderr and PASSWORD not in result.stderr + result.stdout
    closed = run_cli(sample_root, send_args(issues_dir, csv), {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "1"})
    assert closed.returncode == 1 and "cannot connect to SMTP server 127.0.0.1:1" in closed.stderr
    unset = run_cli(sample_root, send_args(issues_dir, csv), {})
    assert unset.returncode == 2 and "SMTP_HOST" in unset.stderr


def test_sending_an_issue_that_was_not_built_says_how_to_build_it(sample_root, tmp_path):
    csv = tmp_path / "lijst.csv"
    write_csv(csv, 1)
    result = run_cli(sample_root, ["newsletter", "send", "130", "--to", str(csv), "--issues", str(tmp_path), "--dry-run"], {})
    assert result.returncode == 1 and "newsletter build" in result.stderr


def test_internationalised_addresses_are_sent_or_refused_alone_and_never_stop_the_send(sample_root, issues_dir,
                                                                                        tmp_path):
    csv = tmp_path / "lijst.csv"
    emails = write_csv(csv, 4, extra="jose@exämple.be,José\njosé@example.be,José Twee\nlaatste@example.org,Laatste\n")
    with SmtpServer(Recorder()) as plain:  # no SMTPUTF8 offered
        result = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(plain))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    received = plain.recorder.received_by()
    assert received == {**{email: 1 for email in emails}, "jose@xn--exmple-cua.be": 1, "laatste@example.org": 1}
    idna_message = next(m for rcpts, m in plain.recorder.messages if rcpts == ["jose@xn--exmple-cua.be"])
    assert idna_message["To"].addresses[0].domain == "xn--exmple-cua.be"
    assert "refused: josé@example.be" in result.stderr and "SMTPUTF8" in result.stderr
    log = [json.loads(line) for line in (tmp_path / f"lijst.{ISSUE}.send-log.jsonl").read_text().splitlines()]
    assert [e for e in log if e["event"] == "failed"] == [
        {**next(e for e in log if e["event"] == "failed"), "email": "josé@example.be"}]
    assert "SMTPUTF8" in next(e["error"] for e in log if e["event"] == "failed")
    with SmtpServer(Recorder(), smtputf8=True) as modern:  # the rerun reaches the one left, only
        rerun = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(modern))
    assert rerun.returncode == 0, rerun.stderr
    assert [rcpts for rcpts, _ in modern.recorder.messages] == [["josé@example.be"]]
    to_header = str(modern.recorder.messages[0][1]["To"]).encode("utf-8", "surrogateescape").decode("utf-8")
    assert to_header == "José Twee <josé@example.be>"  # raw UTF-8 header (SMTPUTF8)


def test_a_second_send_log_for_the_same_issue_and_list_is_refused_unless_forced(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    emails = write_csv(csv, 3)
    with SmtpServer(Recorder()) as server:
        first = run_cli(sample_root, send_args(issues_dir, csv, "--log", str(tmp_path / "a.jsonl")), smtp_env(server))
        second = run_cli(sample_root, send_args(issues_dir, csv, "--log", str(tmp_path / "b.jsonl")), smtp_env(server))
        default = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(server))
        assert first.returncode == 0, first.stderr
        assert second.returncode == 1 and default.returncode == 1
        assert "a.jsonl" in second.stderr and "--force-log" in second.stderr
        assert server.recorder.received_by() == {email: 1 for email in emails}
        same = run_cli(sample_root, send_args(issues_dir, csv, "--log", str(tmp_path / "a.jsonl")), smtp_env(server))
        assert same.returncode == 0 and server.recorder.received_by() == {email: 1 for email in emails}
        forced = run_cli(sample_root, send_args(issues_dir, csv, "--log", str(tmp_path / "b.jsonl"), "--force-log"),
                         smtp_env(server))
    assert forced.returncode == 0, forced.stderr
    assert server.recorder.received_by() == {email: 2 for email in emails}


def test_a_csv_send_leaves_out_whoever_unsubscribed_or_was_erased_in_the_store(sample_root, issues_dir, tmp_path):
    """An old export or a list from elsewhere must not reach someone who asked for nothing more:
    addresses unsubscribed or erased in the subscriber store (a real SQLite file) are left out,
    whatever their case in the list."""
    from kennisbank.subscribers.store import NewSubscriber, open_store

    url = f"sqlite:///{tmp_path / 'abonnees.sqlite'}"
    store = open_store(url)
    store.add(NewSubscriber("Lezer01@Example.org"), resubscribe=False)
    store.unsubscribe(store.find("lezer01@example.org").id)
    store.add(NewSubscriber("lezer02@example.org"), resubscribe=False)
    store.erase("lezer02@example.org")
    store.add(NewSubscriber("lezer03@example.org"), resubscribe=False)  # still subscribed: no reason to leave out
    store.close()
    csv = tmp_path / "oude-lijst.csv"
    emails = write_csv(csv, 4)
    with SmtpServer(Recorder()) as server:
        result = run_cli(sample_root, send_args(issues_dir, csv), smtp_env(server) | {"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert server.recorder.received_by() == {emails[0]: 1, emails[3]: 1}
    assert "2 address(es) in" in result.stderr and "unsubscribed or were erased" in result.stderr


def test_a_csv_send_without_a_store_does_not_create_one(sample_root, issues_dir, tmp_path):
    csv = tmp_path / "lijst.csv"
    write_csv(csv, 2)
    database = tmp_path / "nog-geen-winkel.sqlite"
    result = run_cli(sample_root, send_args(issues_dir, csv, "--dry-run"), {"DATABASE_URL": f"sqlite:///{database}"})
    assert result.returncode == 0, result.stderr
    assert not database.exists() and "left out" not in result.stderr
