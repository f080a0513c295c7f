"""Benchmark `kennisbank check` on a generated corpus (issue 2: 20,000 files in <= 3 s).

    python scripts/bench_check.py [--items 20000] [--runs 5] [--seed 1]

Generates the corpus once into a temporary folder (scripts/generate_corpus.py), then times
``check_repository`` several times with one process and with a pool of two, and the whole
command (``kennisbank check``, a fresh interpreter, automatic choice) once per run. Prints a Markdown
table; the numbers kept in docs/benchmarks.md come from here. Not a test: wall-clock timings depend on the
machine and its load (the minimum is the figure to compare); CPU seconds are printed too.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))

import generate_corpus

from kennisbank.content.check import check_repository
from kennisbank.content.parallel import worker_count


def _cpu() -> float:
    """CPU seconds of this process and its finished children (worker processes, subprocesses)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _time(func, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per run. On a shared machine the wall clock depends on the
    load; CPU seconds do not, and equal the wall clock of a single process on an idle core."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _cpu(), time.perf_counter()
        func()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kb-bench-check-") as tmp:
        corpus = Path(tmp)
        start = time.perf_counter()
        generate_corpus.write_corpus(corpus, args.items, args.seed)
        generated = time.perf_counter() - start
        files = len(list(corpus.glob("content/**/*.md"))) + len(list(corpus.glob("cases/**/*.md")))
        first = check_repository(corpus)
        if first.errors:
            print(f"the generated corpus has {len(first.errors)} errors, e.g. {first.errors[0]}", file=sys.stderr)
            return 1
        command = [str(Path(sys.executable).with_name("kennisbank")), "--root", str(corpus), "check"]
        rows = [
            ("check_repository, 1 process", _time(lambda: check_repository(corpus, workers=1), args.runs)),
            ("check_repository, pool of 2 processes", _time(lambda: check_repository(corpus, workers=2), args.runs)),
            ("`kennisbank check` (whole command, automatic: "
             f"{'pool' if worker_count(files) > 1 else '1 process'} at this load)",
             _time(lambda: subprocess.run(command, check=True, capture_output=True), args.runs)),
        ]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{files} files ({args.items} generated items + themes, seed {args.seed}); generated in {generated:.1f} s; "
          f"Python {platform.python_version()}, {cpus} CPUs, load {load_before:.2f} before / {os.getloadavg()[0]:.2f} after\n")
    print("| what | wall min (s) | wall median (s) | CPU min (s) | files/s (wall min) |")
    print("|---|---:|---:|---:|---:|")
    for label, (walls, cpus) in rows:
        print(f"| {label} | {min(walls):.2f} | {statistics.median(walls):.2f} | {min(cpus):.2f} | {files / min(walls):,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
