"""SIGKILL the API process in the middle of a burst of sign-ups and confirmations.

Whatever the API answered as done must be in the store afterwards (202 for a sign-up, the
"confirmed" page for a link), and no row may be half written.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from newsletter_smtp import free_port
from subscribers_helpers import SECRET

from kennisbank.subscribers.store import CONFIRMED, PENDING, NewSubscriber, open_store
from kennisbank.subscribers.tokens import CONFIRM, Signer, Token

SETTINGS = """site_name: Test
site_url: http://127.0.0.1:{port}/
extra:
  kennisbank:
    subscribe_check_domain: false
    subscribe_ip_limit: 100000
"""


def start_api(root: Path, db: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "KENNISBANK_ROOT": str(root), "KENNISBANK_SECRET": SECRET, "DATABASE_URL": f"sqlite:///{db}"}
    env.pop("SMTP_HOST", None)
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory",
                                "kennisbank.subscribers.api:app_from_environment", "--host", "127.0.0.1",
                                "--port", str(port), "--log-level", "warning"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/subscriptions/thanks", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the API did not start")


def test_sigkill_mid_burst_loses_nothing_acknowledged_and_leaves_no_half_row(tmp_path):
    port = free_port()
    (tmp_path / "mkdocs.yml").write_text(SETTINGS.format(port=port), encoding="utf-8")
    db = tmp_path / "s.sqlite"
    store = open_store(f"sqlite:///{db}")
    signer = Signer(SECRET)
    waiting = []  # pending subscribers whose links the burst clicks
    for n in range(40):
        store.request(NewSubscriber(f"wacht{n}@example.org"), address_limit=3)
        subscriber = store.find(f"wacht{n}@example.org")
        waiting.append(signer.sign(Token(CONFIRM, subscriber.id, subscriber.epoch, int(time.time()))))
    process = start_api(tmp_path, db, port)
    base = f"http://127.0.0.1:{port}/api/subscriptions"
    acknowledged: list[str] = []
    confirmed: list[str] = []
    answered = threading.Event()
    lock = threading.Lock()

    def sign_up(n: int) -> None:
        email = f"nieuw{n}@example.org"
        try:
            response = httpx.post(base, data={"email": email, "name": f"Nieuw {n}"},
                                  headers={"Accept": "application/json"}, timeout=10)
        except httpx.HTTPError:
            return
        with lock:
            if response.status_code == 202:
                acknowledged.append(email)
            if len(acknowledged) + len(confirmed) >= 50:
                answered.set()

    def click(n: int) -> None:
        try:
            response = httpx.post(f"{base}/confirm", params={"token": waiting[n]}, timeout=10)
        except httpx.HTTPError:
            return
        with lock:
            if response.status_code == 200 and "bevestigd" in response.text:
                confirmed.append(f"wacht{n}@example.org")

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(sign_up if n % 4 else click, n if n % 4 else n // 4) for n in range(160)]
        assert answered.wait(120), "the burst never got going"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        for future in futures:
            future.result()
    assert acknowledged and confirmed
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    rows = list(store.all())
    for row in rows:  # every row whole: address, its hash, status, consent time
        assert row.email and row.status in (PENDING, CONFIRMED) and row.consent_at and row.created_at
        assert store.find(row.email).id == row.id
        assert (row.confirmed_at is not None) == (row.status == CONFIRMED)
    statuses = {row.email: row.status for row in rows}
    assert all(email in statuses for email in acknowledged)
    assert all(statuses[email] == CONFIRMED for email in confirmed)
    mails = {s.email for _, s in store.claim_mail(1000)}
    assert all(email in mails for email in acknowledged)  # every acknowledged sign-up still gets its mail
    restarted = start_api(tmp_path, db, port)  # and the store is usable again
    try:
        assert httpx.post(base, data={"email": "daarna@example.org"}, headers={"Accept": "application/json"}).status_code == 202
    finally:
        restarted.terminate()
        restarted.wait(10)
