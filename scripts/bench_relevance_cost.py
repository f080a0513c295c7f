"""CPU per search request of one version of the engine on a given corpus, for A/B comparisons.

    PYTHONPATH=TREE .venv/bin/python scripts/bench_relevance_cost.py --tree TREE --corpus DIR \
        [--requests 1000] [--rounds 3] --out OUT.json

Run it once per tree (a checkout of the older version, then this one), alternating, on the same
corpus (``scripts/generate_corpus.py`` output): it indexes the corpus with the tree's own code and
``search/*.yml``, draws the query log of that tree's ``scripts/bench_search.py``, runs it
``--rounds`` times with the cache off, and writes CPU and wall time per request, index and open
time, and the top of a cProfile of 500 requests to OUT.json. On a shared machine compare CPU per
request, not wall-clock. Numbers: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import json
import pstats
import shutil
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True, help="checkout whose engine is measured")
    parser.add_argument("--corpus", type=Path, required=True, help="a generated corpus (content + search settings)")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    from kennisbank.content import load_repository
    from kennisbank.search.documents import build_documents
    from kennisbank.search.settings import load_search_settings
    from kennisbank.search.tantivy_engine import TantivyEngine, write_index

    spec = importlib.util.spec_from_file_location("bench_search", args.tree / "scripts" / "bench_search.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    documents, catalog = build_documents(load_repository(args.corpus))
    settings = load_search_settings(args.tree)
    folder = args.out.with_suffix(".index")
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    write_index(documents, catalog, settings, folder)
    indexed = time.perf_counter() - started
    started = time.perf_counter()
    engine = TantivyEngine(folder, settings, cache_size=0)
    opened = time.perf_counter() - started
    log = bench.query_log(documents, engine, args.requests)
    for request in log[:50]:
        engine.search(request)
    rounds = []
    for _ in range(args.rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        for request in log:
            engine.search(request)
        rounds.append({"cpu_ms": (time.process_time() - cpu) / len(log) * 1000,
                       "wall_ms": (time.perf_counter() - wall) / len(log) * 1000})
    profiler = cProfile.Profile()
    profiler.enable()
    for request in log[:500]:
        engine.search(request)
    profiler.disable()
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(14)
    result = {"documents": len(documents), "index_s": indexed, "open_s": opened, "rounds": rounds,
              "profile": report.getvalue()}
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "profile"}, indent=1))


if __name__ == "__main__":
    main()
