"""`newsletter send` to the subscriber store: personal one-click links, skipping mid-send unsubscribes."""

from __future__ import annotations

import json
import threading

import pytest
from newsletter_smtp import Recorder, SmtpServer
from subscribers_helpers import SECRET, links_in
from test_newsletter_send import ISSUE, run_cli, smtp_env

from kennisbank.subscribers.store import NewSubscriber, open_store
from kennisbank.subscribers.tokens import UNSUBSCRIBE, Signer


@pytest.fixture(scope="module")
def issues(sample_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("issues")
    run_cli(sample_root, ["newsletter", "build", "--month", "2020-03", "--out", str(out)], env={}, check=True)
    return out


def filled_store(path, count: int):
    store = open_store(f"sqlite:///{path}")
    for n in range(count):
        store.add(NewSubscriber(f"abonnee{n}@example.org", f"Abonnee {n}"), resubscribe=False)
    store.request(NewSubscriber("wacht@example.org"), address_limit=3)  # pending: gets nothing
    return store


def store_env(db) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{db}", "KENNISBANK_SECRET": SECRET}


def test_send_goes_to_confirmed_subscribers_with_a_personal_one_click_link(sample_root, issues, tmp_path):
    db = tmp_path / "s.sqlite"
    store = filled_store(db, 3)
    args = ["newsletter", "send", str(ISSUE), "--issues", str(issues)]
    with SmtpServer(Recorder()) as server:
        result = run_cli(sample_root, args, store_env(db) | smtp_env(server))
    assert result.returncode == 0, result.stderr
    received = {rcpt[0]: message for rcpt, message in server.recorder.messages}
    assert sorted(received) == [f"abonnee{n}@example.org" for n in range(3)]
    signer = Signer(SECRET)
    for email, message in received.items():
        (header,) = message.get_all("List-Unsubscribe")
        url = header.strip("<>")
        assert url.startswith("https://kennisbank.example.org/api/subscriptions/unsubscribe?token=")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = signer.verify(url.split("token=")[1], UNSUBSCRIBE)
        assert token.subscriber == store.find(email).id
        assert links_in(message) == [url, url]  # the footer link of the text and the HTML part
        assert "mailto:uitschrijven" not in message.as_string()
    log = tmp_path / f"subscribers.{ISSUE}.send-log.jsonl"
    assert [json.loads(line)["event"] for line in log.read_text().splitlines()] == ["sending", "sent"] * 3


def test_a_reader_who_unsubscribes_during_the_send_gets_nothing_more(sample_root, issues, tmp_path):
    db = tmp_path / "s.sqlite"
    store = filled_store(db, 6)
    recorder = Recorder(hold_after=2)
    args = ["newsletter", "send", str(ISSUE), "--issues", str(issues)]
    with SmtpServer(recorder) as server:
        outcome = {}
        sender = threading.Thread(target=lambda: outcome.update(result=run_cli(
            sample_root, args, store_env(db) | smtp_env(server))))
        sender.start()
        assert recorder.holding.wait(60)
        store.unsubscribe(store.find("abonnee4@example.org").id)
        recorder.hold_after = None
        recorder.release.set()
        sender.join(120)
    result = outcome["result"]
    assert result.returncode == 0, result.stderr
    assert sorted(recorder.received_by()) == [f"abonnee{n}@example.org" for n in (0, 1, 2, 3, 5)]
    assert "1 reader(s) unsubscribed during the send: skipped" in result.stderr


def test_without_a_secret_the_store_send_stops_before_sending(sample_root, issues, tmp_path):
    db = tmp_path / "s.sqlite"
    filled_store(db, 1)
    with SmtpServer(Recorder()) as server:
        result = run_cli(sample_root, ["newsletter", "send", str(ISSUE), "--issues", str(issues)],
                         {"DATABASE_URL": f"sqlite:///{db}"} | smtp_env(server))
    assert result.returncode == 2 and "KENNISBANK_SECRET" in result.stderr and "Traceback" not in result.stderr
    assert server.recorder.messages == []
