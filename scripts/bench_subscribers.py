"""Benchmark the subscriber side: sign-ups per second over HTTP, and selecting a send's recipients.

1. Sign-ups: the subscriptions API alone (``kennisbank.subscribers.api:app_from_environment``) in
   one uvicorn process (httptools + uvloop) over a fresh SQLite store (WAL, synchronous=FULL);
   every request a new address, as a JSON-accepting form post, so each one is a transaction that
   writes a subscriber and an outbox row. Load from ``wrk`` (Lua script, unique addresses) when
   installed, else an asyncio httpx client; both on the same 2 cores as the server.
2. Recipients: a store with N confirmed subscribers (bulk-inserted), then the time to select the
   recipients of a send as ``newsletter send`` does (``StoreRecipients.load``), best and median of
   3, wall-clock and CPU; and the per-message cost ``StoreRecipients.prepare`` adds just before
   each message (a status check and a signed unsubscribe link).

Prints Markdown tables (copied into docs/benchmarks.md) with the 1-minute load average, because
the machine is shared.

    .venv/bin/python scripts/bench_subscribers.py [--seconds 10] [--connections 16] [--subscribers 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from local_server import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parent.parent
SECRET = "benchmark-secret-0123456789"
SETTINGS = """site_name: Benchmark
site_url: https://kennisbank.example.org/
extra:
  kennisbank:
    subscribe_check_domain: false
    subscribe_ip_limit: 100000000
"""
LUA = """
counter = 0
function setup(thread) thread:set("prefix", tostring(math.random(1, 1e9))) end
request = function()
  counter = counter + 1
  local body = "email=b" .. prefix .. "x" .. counter .. "%40example.org&name=Lezer&source=footer"
  return wrk.format("POST", "/api/subscriptions", {["Content-Type"] = "application/x-www-form-urlencoded",
                    ["Accept"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("P50 %f\\nP99 %f\\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def start_api(work: Path, db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "KENNISBANK_ROOT": str(work), "KENNISBANK_SECRET": SECRET, "DATABASE_URL": f"sqlite:///{db}"}
    env.pop("SMTP_HOST", None)  # confirmation mails stay in the outbox: SMTP is not what is measured
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory",
                                "kennisbank.subscribers.api:app_from_environment", "--port", str(port),
                                "--http", "httptools", "--loop", "uvloop", "--log-level", "warning",
                                "--no-access-log"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    if wait_until_answering(url + "/api/subscriptions/thanks", 30, process=process):
        return process, url
    process.kill()
    raise RuntimeError("the API did not start")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    script = Path(tempfile.mkdtemp()) / "signup.lua"
    script.write_text(LUA)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    count = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return (float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            float(re.search(r"P50 ([\d.]+)", out).group(1)), float(re.search(r"P99 ([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            count - (int(non_2xx.group(1)) if non_2xx else 0))


def with_python(url: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    import httpx

    async def run() -> tuple[list[float], int]:
        deadline = time.perf_counter() + seconds
        timings: list[float] = []
        accepted = 0

        async def worker(k: int) -> None:
            nonlocal accepted
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                n = 0
                while time.perf_counter() < deadline:
                    started = time.perf_counter()
                    response = await client.post("/api/subscriptions", data={"email": f"b{k}x{n}@example.org"},
                                                 headers={"Accept": "application/json"})
                    timings.append((time.perf_counter() - started) * 1000)
                    accepted += response.status_code == 202
                    n += 1

        await asyncio.gather(*(worker(k) for k in range(connections)))
        return timings, accepted

    timings, accepted = asyncio.run(run())
    timings.sort()
    return (len(timings) / seconds, timings[len(timings) // 2], timings[int(len(timings) * 0.99)], accepted)


def signup_rows(work: Path, seconds: int, connections: int) -> list[str]:
    from kennisbank.subscribers.store import open_store

    db = work / "signups.sqlite"
    process, url = start_api(work, db)
    tool = "wrk" if shutil.which("wrk") else "python"
    try:
        before, started_load = cpu_seconds(process.pid), load()
        rps, p50, p99, accepted = (with_wrk if tool == "wrk" else with_python)(url, seconds, connections)
        cpu = cpu_seconds(process.pid) - before
    finally:
        process.terminate()
        process.wait(10)
    stored = sum(open_store(f"sqlite:///{db}").counts().values())
    return [f"| sign-ups over HTTP ({tool}, {connections} connections, {seconds} s) | **{rps:.0f}/s** | "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms; {accepted} accepted, {stored} rows stored; "
            f"server CPU {cpu / max(accepted, 1) * 1000:.2f} ms per sign-up | {started_load} |"]


def recipient_rows(work: Path, count: int) -> list[str]:
    from kennisbank.config import load_settings
    from kennisbank.subscribers.config import SubscriberConfig
    from kennisbank.subscribers.source import StoreRecipients
    from kennisbank.subscribers.store import CONFIRMED, open_store, subscribers

    db = work / "recipients.sqlite"
    store = open_store(f"sqlite:///{db}")
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    rows = [{"email_hash": f"{n:064x}", "email": f"lezer{n}@example.org", "name": f"Lezer {n}", "status": CONFIRMED,
             "source": "benchmark", "consent_at": now, "confirmed_at": now, "created_at": now, "epoch": 0}
            for n in range(count)]
    with store.engine.begin() as conn:
        conn.execute(subscribers.insert(), rows)
    filled = time.perf_counter() - started
    config = SubscriberConfig(load_settings(work), f"sqlite:///{db}", SECRET)
    load_times, cpu_times = [], []
    source = StoreRecipients(config)
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        recipients, _ = source.load()
        load_times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
    assert len(recipients) == count
    started, cpu = time.perf_counter(), time.process_time()
    for recipient in recipients[:1000]:
        assert source.prepare(recipient) is not None
    prepare_ms, prepare_cpu = (time.perf_counter() - started), (time.process_time() - cpu)
    return [f"| recipients of a send from {count:,} confirmed subscribers (`StoreRecipients.load`) | "
            f"**{min(load_times):.2f} s** | median {statistics.median(load_times):.2f} s; CPU {min(cpu_times):.2f} s; "
            f"store filled in {filled:.1f} s | {load()} |",
            f"| per message: status check + signed unsubscribe link (`prepare`, 1,000 readers) | "
            f"**{prepare_ms:.2f} ms** each | CPU {prepare_cpu:.2f} ms | {load()} |"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--subscribers", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-subscribers-"))
    (work / "mkdocs.yml").write_text(SETTINGS, encoding="utf-8")
    try:
        rows = signup_rows(work, args.seconds, args.connections) + recipient_rows(work, args.subscribers)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| measurement | result | detail | load (1 min) |\n|---|---:|---|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
