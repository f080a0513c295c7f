"""Search benchmarks: indexing speed, query latency in-process and over HTTP, throughput.

    .venv/bin/python scripts/bench_search.py [--sizes 10000,100000] [--log 20000] [--seconds 15]

Generates corpora with scripts/generate_corpus.py (the project's one generator of Dutch text),
loads them through the content model, indexes them with the embedded engine, then at the largest
size measures requests that count 4 facets (type, theme, city, year), return the top 10 and
snippets: in-process (p50/p99), over HTTP on loopback one request at a time (p50/p99, with a
plain keep-alive socket client: see :func:`http_latency`), and
throughput with a load generator (`wrk` when installed, else an asyncio httpx client).

Two request mixes (see :func:`query_log`): the realistic *query log* (Zipf over the corpus's own
words, most frequent words searched most — the expensive end), run with the result cache off
(``KENNISBANK_SEARCH_CACHE=0``) and on (cold at the start, per worker process); and the earlier
*fixed mix* of 20 queries, for comparison with older numbers. HTTP rows run once per uvicorn
flavour (``--http h11,httptools``: pure Python, or httptools + uvloop). Every timing row carries
CPU time per request (the machine may be shared: compare CPU, not only wall-clock) and the load
average; a row lists the share of documents the most searched words match. ``--generator`` takes
another version of the corpus generator (before/after comparisons of the corpus). Prints a
Markdown table; numbers are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local_server import KeepAliveClient, free_port, wait_until_answering

from kennisbank.content import load_repository
from kennisbank.search.cache import CACHE_ENV
from kennisbank.search.documents import build_documents
from kennisbank.search.engine import SearchRequest
from kennisbank.search.query import words
from kennisbank.search.settings import load_search_settings
from kennisbank.search.tantivy_engine import TantivyEngine, write_index

FACETS = ("type", "theme", "city", "year")
QUERIES = ["kerk", "woningen", "herbestemming", "stadsproj", "gent", "renovatie energie", "tijdelijk gebruik",
           "armoede", "mobiliteit fiets", "diversiteit", "OCMW", "klimaat", "herbestemmig", "buurt wijk",
           "onderwijs", "cultuur", "beleid", "netwerk", "wonen", "zorg"]


def _generator(path: Path = ROOT / "scripts" / "generate_corpus.py"):
    spec = importlib.util.spec_from_file_location("generate_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = module
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def requests_for(engine: TantivyEngine, n: int, seed: int = 7) -> list[SearchRequest]:
    """The fixed mix: 20 queries, half of them with one or two city filters, a quarter with a
    theme filter, 10 % sorted by date (the mix of the first benchmark round)."""
    rng = random.Random(seed)
    catalog = engine.catalog()
    cities, themes = sorted(catalog.values("city")), sorted(catalog.values("theme"))
    out = []
    for i in range(n):
        filters: dict = {}
        if i % 2:
            filters["city"] = tuple(rng.sample(cities, rng.choice((1, 2))))
        if i % 4 == 1:
            filters["theme"] = (rng.choice(themes),)
        out.append(SearchRequest(q=rng.choice(QUERIES), filters=filters, facets=FACETS, per_page=10,
                                 sort="date" if i % 10 == 0 else "relevance"))
    return out


def query_log(documents: list[dict], engine: TantivyEngine, n: int, seed: int = 11) -> list[SearchRequest]:
    """A reproducible query log shaped like site-search traffic.

    Words come from the corpus itself (titles, summaries, tags; stop words and words under 3
    letters left out), ranked by document frequency and drawn with Zipf weights 1/rank over the
    2,000 most frequent, so the most common — most expensive — words are searched most.
    Shape: 5 % filter-only browsing; otherwise 60 % one word, 30 % two, 10 % three; 15 % end in
    an unfinished word (prefix), 5 % have a typo; 25 % filter one city, 10 % one theme, 5 % both
    (values Zipf by how many documents carry them); 10 % sorted by date; 5 % ask for page 2.
    """
    rng = random.Random(seed)
    stop = engine.settings.stop_words
    frequency: Counter[str] = Counter()
    for doc in documents:
        frequency.update({w for w in words(" ".join([doc["title"], doc["summary"], *doc["tags"]]))
                          if len(w) >= 3 and w not in stop and not w.isdigit()})
    vocabulary = [w for w, _ in frequency.most_common(2000)]
    by_count = {name: [c.value for c in engine.facet_values(name, "", 10_000)] for name in ("city", "theme")}

    def zipf(values: list[str]) -> str:
        weights = [1 / rank for rank in range(1, len(values) + 1)]
        return rng.choices(values, weights)[0]

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]

    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.05:
            q_words: list[str] = []
        else:
            q_words = [zipf(vocabulary) for _ in range(rng.choices((1, 2, 3), (60, 30, 10))[0])]
            if rng.random() < 0.15 and len(q_words[-1]) > 4:
                q_words[-1] = q_words[-1][:rng.randint(3, len(q_words[-1]) - 1)]
            elif rng.random() < 0.05 and len(q_words[0]) >= 5:
                q_words[0] = typo(q_words[0])
        filters: dict[str, tuple[str, ...]] = {}
        roll = rng.random()
        if roll < 0.30 or not q_words:
            filters["city"] = (zipf(by_count["city"]),)
        if 0.25 <= roll < 0.40 or (not q_words and rng.random() < 0.5):
            filters["theme"] = (zipf(by_count["theme"]),)
        out.append(SearchRequest(q=" ".join(q_words), filters=filters, facets=FACETS, per_page=10,
                                 sort="date" if rng.random() < 0.10 else "relevance",
                                 page=2 if rng.random() < 0.05 else 1))
    return out


def word_shares(engine: TantivyEngine, log: list[SearchRequest], top: int = 10) -> str:
    """The query log's most searched words and the share of all documents each one matches
    (as the engine matches it: stems, typos, and as the last word also as a prefix)."""
    searched = Counter(w for r in log for w in r.q.split())
    everything = engine.search(SearchRequest(q="", facets=(), per_page=1)).total
    shares = []
    for word, _ in searched.most_common(top):
        total = engine.search(SearchRequest(q=word, facets=(), per_page=1)).total
        shares.append(f"{word} {total / everything:.0%}")
    return ", ".join(shares)


def in_process(engine: TantivyEngine, requests: list[SearchRequest], warm: int = 0) -> list[float]:
    for request in requests[:warm]:
        engine.search(request)
    timings = []
    cpu = time.process_time()
    for request in requests:
        started = time.perf_counter()
        engine.search(request)
        timings.append((time.perf_counter() - started) * 1000)
    in_process.cpu_ms = (time.process_time() - cpu) * 1000 / max(1, len(requests))
    return timings


def query_string(request: SearchRequest) -> str:
    from urllib.parse import urlencode

    params = [("q", request.q), ("facets", ",".join(FACETS)), ("sort", request.sort), ("page", str(request.page))]
    params += [(k, v) for k, values in request.filters.items() for v in values]
    return "/search?" + urlencode(params)


WORKER = """
import asyncio, socket, sys, uvicorn
from kennisbank.search.api import app_from_environment
app = app_from_environment()

async def opened():  # GET /health in-process: the engine opens before the first connection
    scope = {"type": "http", "method": "GET", "path": "/health", "raw_path": b"/health", "query_string": b"",
             "headers": [], "root_path": "", "scheme": "http", "http_version": "1.1", "asgi": {"version": "3.0"}}
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    assert sent[0]["status"] == 200, sent

asyncio.run(opened())
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
config = uvicorn.Config(app, log_level="warning", access_log=False, http=sys.argv[2], loop=sys.argv[3])
uvicorn.Server(config).run(sockets=[sock])
"""
"""One API worker: it opens the engine first and only then listens. A worker that listened
while still opening the index (a second or two at 100,000 documents) got no connections from
a load generator that had already connected to the other one: wrk keeps its connections, so
one worker served the whole run on one core (seen as throughput halving from run to run)."""


#: uvicorn's protocol and event loop per ``--http`` flavour: pure Python, or the C/Cython ones.
FLAVOURS = {"h11": ("h11", "asyncio"), "httptools": ("httptools", "uvloop")}


def start_server(root: Path, build: Path, workers: int, cache: int | None = None,
                 flavour: str = "httptools") -> tuple[list[subprocess.Popen], str]:
    """The API alone (as ``kennisbank serve`` mounts it at /api), in ``workers`` uvicorn processes
    sharing one port (SO_REUSEPORT). uvicorn's own ``--workers`` mode was measured at ~45 ms per
    keep-alive request here (Nagle/delayed-ACK), so it is not used."""
    port = free_port()
    env = {**os.environ, "KENNISBANK_ROOT": str(root), "KENNISBANK_BUILD": str(build)}
    if cache is not None:
        env[CACHE_ENV] = str(cache)
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, str(port), *FLAVOURS[flavour]], cwd=ROOT, env=env)
                 for _ in range(workers)]
    url = f"http://127.0.0.1:{port}"
    try:
        started = _all_listening(port, workers, processes, 60) and wait_until_answering(
            url + "/health", 20, process=processes[0])
    except BaseException:  # interrupted while waiting: leave no worker behind
        stop_server(processes)
        raise
    if not started:
        stop_server(processes)
        raise RuntimeError("server did not start")
    return processes, url


def _all_listening(port: int, workers: int, processes: list[subprocess.Popen], seconds: float) -> bool:
    """Whether all ``workers`` listen on ``port`` (Linux: LISTEN sockets in /proc/net/tcp) before
    ``seconds`` pass or a worker ends: only then does every connection a load generator opens
    reach a worker that is ready (see :data:`WORKER`)."""
    local = f"0100007F:{port:04X}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and all(p.poll() is None for p in processes):
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
        if sum(1 for line in lines if line.split()[1] == local and line.split()[3] == "0A") >= workers:
            return True
        time.sleep(0.05)
    return False


def stop_server(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=10)


def http_latency(url: str, paths: list[str]) -> list[float]:
    """Milliseconds per request, one at a time on one keep-alive connection, measured from the
    request's first byte sent to the answer's last byte read. The client is a plain socket
    speaking HTTP/1.1 (:class:`KeepAliveClient`): httpx, measured side by side, added 2-2.5 ms
    of its own to every request's p50 (5.7 against 3.3 ms), which is the client's time, not
    the server's."""
    timings = []
    with KeepAliveClient(url) as client:
        for _ in range(20):
            client.get("/health")  # warm-up that leaves the result cache cold
        for path in paths:
            started = time.perf_counter()
            status, body = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert status == 200, body[:500]
    return timings


def throughput_wrk(url: str, paths: list[str], seconds: int, connections: int) -> tuple[float, float, float]:
    script = Path(tempfile.mkdtemp()) / "paths.lua"
    lua_paths = ",".join(json.dumps(p) for p in paths)
    script.write_text("local paths = {" + lua_paths + "}\nlocal i = 0\nrequest = function()\n"
                      "  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
                      "done = function(summary, latency, requests)\n"
                      "  io.write(string.format('P50 %f\\nP99 %f\\n', latency:percentile(50)/1000, latency:percentile(99)/1000))\n"
                      "end\n")
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = float(re.search(r"P50 ([\d.]+)", out).group(1))
    p99 = float(re.search(r"P99 ([\d.]+)", out).group(1))
    if "Non-2xx" in out:
        raise RuntimeError(out)
    return rps, p50, p99


def throughput_python(url: str, paths: list[str], seconds: int, connections: int) -> tuple[float, float, float]:
    import asyncio

    import httpx

    async def run() -> tuple[int, list[float]]:
        deadline = time.perf_counter() + seconds
        timings: list[float] = []

        async def worker(offset: int) -> None:
            async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                i = offset
                while time.perf_counter() < deadline:
                    started = time.perf_counter()
                    await client.get(paths[i % len(paths)])
                    timings.append((time.perf_counter() - started) * 1000)
                    i += connections

        await asyncio.gather(*(worker(k) for k in range(connections)))
        return len(timings), timings

    count, timings = asyncio.run(run())
    return count / seconds, percentile(timings, 50), percentile(timings, 99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--log", type=int, default=20_000, help="requests in the query log")
    parser.add_argument("--queries", type=int, default=500, help="requests of the fixed mix")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=1,
                        help="throughput runs per row, one after the other on the same servers; the row shows "
                             "their median and each (the host's speed drifts by a quarter from minute to minute)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--http", default="h11,httptools",
                        help="uvicorn flavours to measure, comma-separated: " + ", ".join(FLAVOURS))
    parser.add_argument("--generator", type=Path, default=ROOT / "scripts" / "generate_corpus.py",
                        help="corpus generator script (an older version, to compare corpora)")
    parser.add_argument("--keep", type=Path, help="Keep corpora and indexes in this folder.")
    parser.add_argument("--reuse", action="store_true", help="With --keep: reuse kept indexes (no indexing rows).")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    generator = _generator(args.generator)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    rows: list[tuple[str, str]] = [("CPU cores", str(os.cpu_count()))]
    sizes = [int(s) for s in args.sizes.split(",")]
    try:
        for n in sizes:
            documents = index_corpus(generator, work, n, args.reuse, rows)
        n = sizes[-1]
        corpus, build = work / f"corpus-{n}", work / f"build-{n}"
        settings = load_search_settings(corpus)
        log = query_log(documents, TantivyEngine(build / "search", settings, cache_size=0), args.log)
        distinct = len({query_string(r) for r in log})
        print(f"query log: {len(log):,} requests, {distinct:,} distinct", file=sys.stderr)
        rows.append(("most searched words: share of documents matched", word_shares(
            TantivyEngine(build / "search", settings, cache_size=0), log)))
        print(rows[-1], file=sys.stderr)
        fixed = requests_for(TantivyEngine(build / "search", settings, cache_size=0), args.queries)
        for label, requests, cache, warm in (("fixed mix, no cache", fixed, 0, 20),
                                             ("query log, no cache", log[:2000], 0, 20),
                                             ("query log, cache (cold)", log, None, 0)):
            engine = TantivyEngine(build / "search", settings, cache_size=cache)
            timings = in_process(engine, requests, warm)
            rate = "" if cache == 0 else f"; hits {engine.pages.hits / (engine.pages.hits + engine.pages.misses):.0%} of pages, " \
                f"{engine.counts.hits / (engine.counts.hits + engine.counts.misses):.0%} of facet counts"
            rows.append((f"{n:,} docs in-process, {label} (p50 / p99 / mean)",
                         f"{percentile(timings, 50):.2f} / {percentile(timings, 99):.2f} / "
                         f"{statistics.mean(timings):.2f} ms; CPU {in_process.cpu_ms:.2f} ms/request{rate}; {_load()}"))
            print(rows[-1], file=sys.stderr)
        paths = [query_string(r) for r in log]
        for flavour in args.http.split(","):
            for label, cache in (("no cache", 0), ("cache", None)):
                http_rows(n, corpus, build, args, paths, label, cache, flavour, rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Query log: {len(log):,} requests, {distinct:,} distinct.\n")
    print("| measurement | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


def index_corpus(generator, work: Path, n: int, reuse: bool, rows: list[tuple[str, str]]) -> list[dict]:
    """Generate (once), load, convert and index a corpus of ``n`` items; returns its documents."""
    corpus = work / f"corpus-{n}"
    if not (corpus / "content").is_dir():
        started = time.perf_counter()
        generator.write_corpus(corpus, n, seed=1)
        print(f"generated {n} items in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    repo = load_repository(corpus)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    documents, catalog = build_documents(repo)
    converted = time.perf_counter() - started
    build = work / f"build-{n}"
    if reuse and (build / "search").is_dir():
        return documents
    shutil.rmtree(build, ignore_errors=True)
    started = time.perf_counter()
    write_index(documents, catalog, load_search_settings(corpus), build / "search")
    indexed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in (build / "search").rglob("*") if p.is_file()) / 1e6
    rows += [(f"{n:,} items: load + check (content model)", f"{loaded:.1f} s"),
             (f"{n:,} items: search documents (Markdown → text)", f"{converted:.1f} s"),
             (f"{n:,} items: write tantivy index ({len(documents):,} docs)", f"{indexed:.1f} s, {size:.0f} MB")]
    print(rows[-3:], file=sys.stderr)
    return documents


def http_rows(n: int, corpus: Path, build: Path, args, paths: list[str], label: str, cache: int | None,
              flavour: str, rows: list[tuple[str, str]]) -> None:
    """One-client latency and throughput over HTTP, on fresh server processes (cold caches).
    Server CPU per request (both workers' user + system time over the run) is printed next to
    wall-clock, because the machine may be shared."""
    name = f"{label}, {flavour}"
    processes, url = start_server(corpus, build, args.workers, cache, flavour)
    try:
        timings = http_latency(url, paths[:2000])
        rows.append((f"{n:,} docs over HTTP, query log, {name}, one client (p50 / p99)",
                     f"{percentile(timings, 50):.2f} / {percentile(timings, 99):.2f} ms; {_load()}"))
    finally:
        stop_server(processes)
    processes, url = start_server(corpus, build, args.workers, cache, flavour)
    try:
        tool = "wrk" if shutil.which("wrk") else "python"
        measure = throughput_wrk if tool == "wrk" else throughput_python
        rounds = []
        for k in range(args.rounds):  # each round goes on further in the log, not over the same requests
            shift = k * len(paths) // args.rounds
            cpu = _cpu_seconds(processes)
            rps, p50, p99 = measure(url, paths[shift:] + paths[:shift], args.seconds, args.connections)
            rounds.append((rps, p50, p99, (_cpu_seconds(processes) - cpu) * 1000 / max(1.0, rps * args.seconds)))
        rps, p50, p99, cpu_ms = (statistics.median(r[i] for r in rounds) for i in range(4))
        spread = f"median of {len(rounds)} rounds: {', '.join(f'{r[0]:,.0f}' for r in rounds)}; " if len(rounds) > 1 else ""
        rows.append((f"{n:,} docs throughput, query log, {name}, {tool} -c{args.connections}, "
                     f"{args.workers} uvicorn workers", f"{rps:,.0f} req/s ({spread}p50 {p50:.1f} ms, p99 {p99:.1f} ms); "
                     f"server CPU {cpu_ms:.2f} ms/request; {_load()}"))
    finally:
        stop_server(processes)
    print(rows[-2:], file=sys.stderr)


def _cpu_seconds(processes: list[subprocess.Popen]) -> float:
    """User + system CPU seconds of running processes (Linux /proc)."""
    total = 0
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
