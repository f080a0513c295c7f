"""The subscriber store (real SQLite; PostgreSQL too when DATABASE_URL is set), tokens, rate limit."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from kennisbank.subscribers.limits import RateLimit
from kennisbank.subscribers.store import CONFIRMED, DELETED, PENDING, UNSUBSCRIBED, NewSubscriber, Store, database_url, open_store
from kennisbank.subscribers.tokens import CONFIRM, UNSUBSCRIBE, Signer, Token, TokenInvalid

UTC = dt.UTC


def _postgres() -> list:
    url = os.environ.get("DATABASE_URL", "")
    return [pytest.param(database_url(Path("."), "", {"DATABASE_URL": url}), id="postgresql")] \
        if url.startswith(("postgres://", "postgresql")) else []


@pytest.fixture(params=["sqlite", *_postgres()])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
        yield opened
        opened.close()
        return
    schema = f"kb_test_{uuid.uuid4().hex[:8]}"  # a schema per test: real PostgreSQL, no leftovers
    admin = open_store(request.param, migrate=False)
    with admin.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = request.param + ("&" if "?" in request.param else "?") + f"options=-csearch_path%3D{schema}"
    opened = open_store(url)
    yield opened
    opened.close()
    with admin.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.close()


def test_sqlite_store_is_one_wal_file_and_migrating_again_changes_nothing(tmp_path):
    path = tmp_path / "var" / "subscribers.sqlite"
    store = open_store(f"sqlite:///{path}")
    assert store.migrate() == 1 and store.migrate() == 1
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("select value from meta where key='schema_version'").fetchone()[0] == "1"
        assert {r[0] for r in conn.execute("select name from sqlite_master where type='table'")} >= {
            "meta", "subscribers", "outbox"}


def test_database_url_prefers_the_environment(tmp_path):
    assert database_url(tmp_path, "var/s.sqlite", {}) == f"sqlite:///{tmp_path}/var/s.sqlite"
    assert database_url(tmp_path, "/abs/s.sqlite", {}) == "sqlite:////abs/s.sqlite"
    assert database_url(tmp_path, "x", {"DATABASE_URL": "postgres://u@h/db"}) == "postgresql+psycopg://u@h/db"
    assert database_url(tmp_path, "x", {"DATABASE_URL": "postgresql+psycopg2://h/db"}) == "postgresql+psycopg2://h/db"


def test_sign_up_confirm_unsubscribe_and_sign_up_again(store: Store):
    assert store.request(NewSubscriber("Ann@Example.org", "Ann", "Gent", "footer"), address_limit=3)
    ann = store.find("ann@example.org")
    assert (ann.status, ann.email, ann.organisation, ann.source, ann.epoch) == (PENDING, "Ann@Example.org", "Gent",
                                                                                "footer", 0)
    assert store.confirm(ann.id, 0) == CONFIRMED and store.confirm(ann.id, 0) == "used"
    assert store.find("ann@example.org").confirmed_at is not None
    assert not store.request(NewSubscriber("ann@example.org"), address_limit=3)  # subscribed: no second mail
    assert store.unsubscribe(ann.id) and not store.unsubscribe(ann.id)
    assert store.find("ann@example.org").status == UNSUBSCRIBED
    assert store.request(NewSubscriber("ann@example.org", source="volg-ons"), address_limit=3)
    again = store.find("ann@example.org")
    assert again.status == PENDING and again.epoch > 1 and again.unsubscribed_at is None
    assert store.confirm(ann.id, 0) == "used"  # the first link stays void
    assert store.confirm(ann.id, 99) == "used" and store.confirm(12345, 0) == "unknown"


def test_erase_keeps_only_a_salted_hash_and_an_import_does_not_resubscribe(store: Store):
    store.add(NewSubscriber("wis@example.org", "Wis", "VGC", "import:oud.csv"), resubscribe=False)
    assert store.erase("WIS@example.org") and not store.erase("niemand@example.org")
    (row,) = list(store.all())
    assert (row.status, row.email, row.name, row.organisation, row.source, row.consent_at) == (
        DELETED, None, None, None, None, None)
    with store.engine.connect() as conn:
        stored = conn.execute(text("select email_hash from subscribers")).scalar_one()
    assert stored == store.email_hash("wis@example.org") and "wis" not in stored
    assert store.add(NewSubscriber("wis@example.org", source="import:oud.csv"), resubscribe=False) == "erased"
    assert store.add(NewSubscriber("wis@example.org", source="beheer"), resubscribe=True) == "added"
    assert store.find("wis@example.org").status == CONFIRMED


def test_salts_differ_per_store(tmp_path):
    first, second = (open_store(f"sqlite:///{tmp_path / name}") for name in ("a.sqlite", "b.sqlite"))
    assert first.email_hash("a@example.org") != second.email_hash("a@example.org")


def test_outbox_claims_each_mail_once_and_erasure_drops_it(store: Store):
    for n in range(3):
        store.request(NewSubscriber(f"o{n}@example.org"), address_limit=3)
    claimed = store.claim_mail(10)
    assert [s.email for _, s in claimed] == ["o0@example.org", "o1@example.org", "o2@example.org"]
    assert store.claim_mail(10) == []  # claimed by this sender: another one skips them
    later = dt.datetime.now(UTC) + dt.timedelta(minutes=6)
    assert len(store.claim_mail(10, now=later)) == 3  # a claim of a dead sender goes stale
    store.mail_done(claimed[0][0])
    assert store.unsent_mail() == 2
    store.erase("o1@example.org")
    assert store.unsent_mail() == 1


def test_confirmed_recipients_and_statistics(store: Store):
    january = dt.datetime(2026, 1, 10, tzinfo=UTC)
    store.add(NewSubscriber("a@example.org", "A"), consent_at=january, resubscribe=False,
              now=dt.datetime(2026, 2, 1, tzinfo=UTC))
    store.request(NewSubscriber("b@example.org"), 3, now=dt.datetime(2026, 2, 3, tzinfo=UTC))
    store.add(NewSubscriber("c@example.org"), resubscribe=False, now=dt.datetime(2026, 2, 5, tzinfo=UTC))
    store.unsubscribe(store.find("c@example.org").id, now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert [email for _, email, _ in store.confirmed_recipients()] == ["a@example.org"]
    from kennisbank.subscribers.admin import stats_table

    counts, months = stats_table(store)
    assert counts == {PENDING: 1, CONFIRMED: 1, UNSUBSCRIBED: 1, DELETED: 0}
    assert months == [("2026-01", 1, 0, 0), ("2026-02", 2, 2, 0), ("2026-03", 0, 0, 1)]


def test_tokens_round_trip_and_every_changed_character_is_refused():
    signer = Signer("s" * 20)
    token = signer.sign(Token(CONFIRM, 42, 3, 1_700_000_000))
    assert signer.verify(token, CONFIRM) == Token(CONFIRM, 42, 3, 1_700_000_000)
    with pytest.raises(TokenInvalid):
        signer.verify(token, UNSUBSCRIBE)
    with pytest.raises(TokenInvalid):
        Signer("t" * 20).verify(token, CONFIRM)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    for index, char in enumerate(token):
        for other in (c for c in alphabet[:3] + "." if c != char):
            changed = token[:index] + other + token[index + 1:]
            with pytest.raises(TokenInvalid):
                signer.verify(changed, CONFIRM)


def test_rate_limit_window_slides():
    now = [0.0]
    limit = RateLimit(2, window=60, clock=lambda: now[0])
    assert limit.allow("a") is None and limit.allow("a") is None
    assert limit.allow("a") == pytest.approx(60) and limit.allow("b") is None
    now[0] = 61
    assert limit.allow("a") is None
