"""Search benchmarks: indexing speed, query latency in-process and over HTTP, throughput.

    .venv/bin/python scripts/bench_search.py [--sizes 10000,100000] [--queries 500] [--seconds 15]

Generates corpora with scripts/generate_corpus.py (the project's one generator of Dutch text),
loads them through the content model, indexes them with the embedded engine, then at the largest
size measures: a query with 4 facet counts (type, theme, city, year), top 10 and snippets —
in-process (p50/p99), over HTTP on loopback one request at a time (p50/p99), and throughput with
a load generator (`wrk` when installed, else an asyncio httpx client). Prints a Markdown table.
Numbers are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kennisbank.content import load_repository  # noqa: E402
from kennisbank.search.documents import build_documents  # noqa: E402
from kennisbank.search.engine import SearchRequest  # noqa: E402
from kennisbank.search.settings import load_search_settings  # noqa: E402
from kennisbank.search.tantivy_engine import TantivyEngine, write_index  # noqa: E402

FACETS = ("type", "theme", "city", "year")
QUERIES = ["kerk", "woningen", "herbestemming", "stadsproj", "gent", "renovatie energie", "tijdelijk gebruik",
           "armoede", "mobiliteit fiets", "diversiteit", "OCMW", "klimaat", "herbestemmig", "buurt wijk",
           "onderwijs", "cultuur", "beleid", "netwerk", "wonen", "zorg"]


def _generator():
    spec = importlib.util.spec_from_file_location("generate_corpus", ROOT / "scripts" / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = module
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def requests_for(engine: TantivyEngine, n: int, seed: int = 7) -> list[SearchRequest]:
    """A reproducible mix: text queries, half of them with one or two facet filters."""
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


def query_string(request: SearchRequest) -> str:
    from urllib.parse import urlencode

    params = [("q", request.q), ("facets", ",".join(FACETS)), ("sort", request.sort)]
    params += [(k, v) for k, values in request.filters.items() for v in values]
    return "/search?" + urlencode(params)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORKER = """
import socket, sys, uvicorn
from kennisbank.search.api import app_from_environment
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
config = uvicorn.Config(app_from_environment, factory=True, log_level="warning", access_log=False)
uvicorn.Server(config).run(sockets=[sock])
"""


def start_server(root: Path, build: Path, workers: int) -> tuple[list[subprocess.Popen], str]:
    """The API alone (as ``kennisbank serve`` mounts it at /api), in ``workers`` uvicorn processes
    sharing one port (SO_REUSEPORT). uvicorn's own ``--workers`` mode was measured at ~45 ms per
    keep-alive request here (Nagle/delayed-ACK), so it is not used."""
    port = free_port()
    env = {**os.environ, "KENNISBANK_ROOT": str(root), "KENNISBANK_BUILD": str(build)}
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, str(port)], cwd=ROOT, env=env)
                 for _ in range(workers)]
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(400):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return processes, url
        except httpx.TransportError:
            time.sleep(0.05)
    for process in processes:
        process.kill()
    raise RuntimeError("server did not start")


def http_latency(url: str, paths: list[str]) -> list[float]:
    import httpx

    timings = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for path in paths[:20]:
            client.get(path)  # warm-up
        for path in paths:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    return timings


def throughput_wrk(url: str, paths: list[str], seconds: int, connections: int) -> tuple[float, float, float]:
    script = Path(tempfile.mkdtemp()) / "paths.lua"
    lua_paths = ",".join(json.dumps(p) for p in paths)
    script.write_text("local paths = {" + lua_paths + "}\nlocal i = 0\nrequest = function()\n"
                      "  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
                      "done = function(summary, latency, requests)\n"
                      "  io.write(string.format('P50 %f\\nP99 %f\\n', latency:percentile(50)/1000, latency:percentile(99)/1000))\n"
                      "end\n")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
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
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--keep", type=Path, help="Keep corpora and indexes in this folder.")
    args = parser.parse_args()
    generator = _generator()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    rows: list[tuple[str, str]] = [("CPU cores", str(os.cpu_count()))]
    sizes = [int(s) for s in args.sizes.split(",")]
    engine = None
    try:
        for n in sizes:
            corpus = work / f"corpus-{n}"
            if not (corpus / "content").is_dir():
                started = time.perf_counter()
                generator.write_corpus(corpus, n, seed=1)
                print(f"generated {n} items in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            started = time.perf_counter()
            repo = load_repository(corpus)
            loaded = time.perf_counter() - started
            settings = load_search_settings(corpus)
            started = time.perf_counter()
            documents, catalog = build_documents(repo)
            converted = time.perf_counter() - started
            build = work / f"build-{n}"
            shutil.rmtree(build, ignore_errors=True)
            started = time.perf_counter()
            write_index(documents, catalog, settings, build / "search")
            indexed = time.perf_counter() - started
            size = sum(p.stat().st_size for p in (build / "search").rglob("*") if p.is_file()) / 1e6
            rows += [(f"{n:,} items: load + check (content model)", f"{loaded:.1f} s"),
                     (f"{n:,} items: search documents (Markdown → text)", f"{converted:.1f} s"),
                     (f"{n:,} items: write tantivy index ({len(documents):,} docs)", f"{indexed:.1f} s, {size:.0f} MB")]
            print(rows[-1], file=sys.stderr)
        n = sizes[-1]
        corpus, build = work / f"corpus-{n}", work / f"build-{n}"
        engine = TantivyEngine(build / "search", load_search_settings(corpus))
        requests = requests_for(engine, args.queries)
        for request in requests[:20]:
            engine.search(request)
        timings = []
        for request in requests:
            started = time.perf_counter()
            engine.search(request)
            timings.append((time.perf_counter() - started) * 1000)
        rows.append((f"{n:,} docs in-process: 4 facets, top 10, snippets (p50 / p99)",
                     f"{percentile(timings, 50):.2f} / {percentile(timings, 99):.2f} ms"))
        paths = [query_string(r) for r in requests]
        processes, url = start_server(corpus, build, args.workers)
        try:
            timings = http_latency(url, paths)
            rows.append((f"{n:,} docs over HTTP, one client (p50 / p99)",
                         f"{percentile(timings, 50):.2f} / {percentile(timings, 99):.2f} ms"))
            tool = "wrk" if shutil.which("wrk") else "python"
            measure = throughput_wrk if tool == "wrk" else throughput_python
            rps, p50, p99 = measure(url, paths, args.seconds, args.connections)
            rows.append((f"{n:,} docs throughput, {tool} -c{args.connections}, {args.workers} uvicorn workers",
                         f"{rps:,.0f} req/s (p50 {p50:.1f} ms, p99 {p99:.1f} ms)"))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("| measurement | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
