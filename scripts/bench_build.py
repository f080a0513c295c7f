"""Benchmark `kennisbank build` against a bare `mkdocs build` of the same pages, and the edit →
refreshed-page latency of `kennisbank serve`. Prints tables; record them in docs/benchmarks.md.

    python scripts/bench_build.py [--items 2000 10000] [--edits 5] [--work DIR]

Corpora come from scripts/generate_corpus.py (deterministic); "sample" is this repository.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus(items: int, work: Path) -> Path:
    target = work / f"corpus-{items}"
    if not (target / "content").is_dir():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_corpus.py"), "--items", str(items),
                        "--out", str(target)], check=True, stdout=subprocess.DEVNULL)
    return target


def timed_build(root: Path, out: Path) -> dict[str, float]:
    from kennisbank.build import build

    times: dict[str, float] = {}

    def report(message: str) -> None:
        match = re.match(r"(\w+) \(([\d.]+) s\)", message)
        if match:
            times[match.group(1)] = float(match.group(2))

    started = time.monotonic()
    build(root, out, report=report)
    times["total"] = time.monotonic() - started
    return times


def bare_mkdocs(root: Path, out: Path, work: Path) -> float:
    """`mkdocs build` of the staged tree the build left in out/docs, with the same configuration."""
    from kennisbank.config import load_settings
    from kennisbank.content import load_repository
    from kennisbank.site.render import write_config_file

    repo = load_repository(root)
    config = write_config_file(repo, load_settings(root), out / "docs", work / "bare-site", work / "bare-mkdocs.yml")
    started = time.monotonic()
    subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(config)], check=True,
                   stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def edit_latency(root: Path, out: Path, edits: int) -> tuple[list[float], list[float]]:
    """Seconds from saving a news item to the refreshed item page / news listing being served."""
    import httpx
    import uvicorn

    from kennisbank.serve import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    messages: list[str] = []
    server = uvicorn.Server(uvicorn.Config(create_app(root, out, report=messages.append), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    from kennisbank.content import load_repository

    news = [root / item.path for item in load_repository(root).of_type("news")]  # newest first: on /nieuws/
    page_times, listing_times = [], []
    with httpx.Client() as client:
        for n in range(edits):
            source = news[n]
            marker = f"Bewerking {n} {time.time_ns()}"
            text = re.sub(r"^title: .*$", f"title: {marker}", source.read_text(encoding="utf-8"), count=1, flags=re.M)
            year = source.parent.name
            saved = time.monotonic()
            source.write_text(text, encoding="utf-8")
            page = listing = None
            while (page is None or listing is None) and time.monotonic() - saved < 30:
                if page is None and marker in client.get(f"{base}/nieuws/{source.stem}/").text:
                    page = time.monotonic() - saved
                if listing is None and marker in client.get(f"{base}/nieuws/{year}/").text + client.get(f"{base}/nieuws/").text:
                    listing = time.monotonic() - saved
                time.sleep(0.01)
            page_times.append(page or float("inf"))
            listing_times.append(listing or float("inf"))
            time.sleep(0.5)
    server.should_exit = True
    thread.join(10)
    print("\n".join(m for m in messages if " s" in m), file=sys.stderr)
    return page_times, listing_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None, help="folder for corpora and builds (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    rows = []
    for label, root in [("sample", ROOT)] + [(str(n), corpus(n, work)) for n in args.items]:
        out = work / f"build-{label}"
        times = timed_build(root, out)
        (work / f"bare-{label}").mkdir(exist_ok=True)
        bare = bare_mkdocs(root, out, work / f"bare-{label}")
        pages = sum(1 for _ in (out / "docs").rglob("*.md"))
        site = times.get("stage_site", 0) + times.get("render_site", 0)
        rows.append((label, pages, times["total"], site, bare, site / bare))
        print(f"{label}: done", file=sys.stderr)
    print("\n| corpus | pages | kennisbank build (all stages) | site stage + render | bare mkdocs build | site / bare |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, pages, total, site, bare, ratio in rows:
        print(f"| {label} | {pages} | {total:.1f} s | {site:.1f} s | {bare:.1f} s | {ratio:.2f}× |")
    if 2000 in args.items and args.edits:
        root = work / "corpus-2000"
        page_times, listing_times = edit_latency(root, work / "build-2000", args.edits)
        print(f"\nEdit → refreshed page at 2,000 items ({args.edits} edits of a news title):\n")
        print("| served fresh | median | max |")
        print("|---|---:|---:|")
        print(f"| item page | {statistics.median(page_times):.2f} s | {max(page_times):.2f} s |")
        print(f"| news listing | {statistics.median(listing_times):.2f} s | {max(listing_times):.2f} s |")


if __name__ == "__main__":
    main()
