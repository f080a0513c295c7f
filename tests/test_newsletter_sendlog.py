"""Send-log replay, recipients parsing and the rate limit, without a server."""

from __future__ import annotations

import json

import pytest

from kennisbank.errors import KennisbankError, UsageError
from kennisbank.newsletter import send as send_module
from kennisbank.newsletter.recipients import RecipientsInvalid, read_recipients
from kennisbank.newsletter.send import plan, smtp_config
from kennisbank.newsletter.sendlog import SendLog, read_state


def test_log_replay_tracks_sent_uncertain_and_failed(tmp_path):
    lines = [{"event": "sending", "email": "A@x.org", "issue": 5}, {"event": "sent", "email": "a@x.org", "issue": 5},
             {"event": "sending", "email": "b@x.org", "issue": 5},
             {"event": "sending", "email": "c@x.org", "issue": 5}, {"event": "failed", "email": "c@x.org", "issue": 5,
                                                                    "error": "550 no"}]
    state = read_state("".join(json.dumps(line) + "\n" for line in lines), 5, tmp_path / "log")
    assert (state.sent, state.uncertain, state.failed) == ({"a@x.org"}, {"b@x.org"}, {"c@x.org": "550 no"})
    with pytest.raises(KennisbankError, match="belongs to issue 5, not 6"):
        read_state(json.dumps(lines[0]) + "\n", 6, tmp_path / "log")
    with pytest.raises(KennisbankError, match=r"log:1: damaged"):
        read_state("{nonsense\n", 5, tmp_path / "log")


def test_torn_last_record_is_cut_off_and_the_log_stays_appendable(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps({"event": "sent", "email": "a@x.org", "issue": 7}) + '\n{"event": "sen')
    with SendLog(path, 7) as log:
        assert log.state.sent == {"a@x.org"}
        log.record("sending", "b@x.org")
    with SendLog(path, 7) as log:
        assert log.state.uncertain == {"b@x.org"}
    assert all(json.loads(line) for line in path.read_text().splitlines())


def test_a_second_sender_on_the_same_log_is_refused(tmp_path):
    path = tmp_path / "log.jsonl"
    with SendLog(path, 7), pytest.raises(KennisbankError, match="another `newsletter send` is running"), SendLog(path, 7):
        pass


def test_recipients_keep_file_order_and_drop_duplicates(tmp_path):
    csv = tmp_path / "r.csv"
    csv.write_text("\ufeffName,EMAIL\nAnn,ann@x.org\nBert,bert@x.org\nAnn twee,ANN@x.org\n", encoding="utf-8")
    recipients, duplicates = read_recipients(csv)
    assert [(r.email, r.name, r.line) for r in recipients] == [("ann@x.org", "Ann", 2), ("bert@x.org", "Bert", 3)]
    assert duplicates == 1
    state = read_state(json.dumps({"event": "sent", "email": "ANN@X.ORG", "issue": 1}) + "\n", 1, csv)
    todo = plan(recipients, state)
    assert [r.email for r in todo.to_send] == ["bert@x.org"] and [r.email for r in todo.already_sent] == ["ann@x.org"]


def test_empty_list_and_non_utf8_are_clear_errors(tmp_path):
    empty = tmp_path / "leeg.csv"
    empty.write_text("email\n")
    with pytest.raises(RecipientsInvalid, match="no recipients"):
        read_recipients(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,name\nx@x.org,Ren\xe9\n".encode("latin-1"))
    with pytest.raises(RecipientsInvalid, match="not UTF-8"):
        read_recipients(latin)


def test_smtp_settings_from_the_environment():
    config = smtp_config({"SMTP_HOST": "mail.example.org", "SMTP_STARTTLS": "1", "SMTP_USER": "u", "SMTP_PASSWORD": "pw"})
    assert (config.host, config.port, config.starttls) == ("mail.example.org", 587, True)
    assert "pw" not in repr(config) and "pw" not in config.describe()
    assert smtp_config({"SMTP_HOST": "h"}).port == 25
    for bad in ({"SMTP_HOST": "h", "SMTP_PORT": "abc"}, {"SMTP_HOST": "h", "SMTP_USER": "u"}, {}):
        with pytest.raises(UsageError):
            smtp_config(bad)


def test_rate_limit_spaces_messages(monkeypatch):
    clock = {"now": 100.0}
    sleeps: list[float] = []
    monkeypatch.setattr(send_module.time, "monotonic", lambda: clock["now"])

    def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 6))
        clock["now"] += seconds

    monkeypatch.setattr(send_module.time, "sleep", sleep)
    throttle = send_module._Throttle(4)  # 4 a second: 0.25 s apart
    for _ in range(3):
        throttle.wait()
        clock["now"] += 0.05  # sending takes 50 ms
    assert sleeps == [0.2, 0.2]
    unlimited = send_module._Throttle(None)
    unlimited.wait()
    unlimited.wait()
    assert sleeps == [0.2, 0.2]
