"""Bytes per page as the content grows: the navigation Material repeats on every page must stay
bounded (sections, listings and at most ``nav_pages`` pages), so the average page stays flat.

    python scripts/bench_nav.py [--items 2000 10000] [--work DIR]

Builds each generated corpus (scripts/generate_corpus.py) with `kennisbank build` and prints,
per corpus: HTML pages, average bytes per page, and the bytes of the nav sidebar on an item page.
Record the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_build import corpus  # the same generated corpora

_SIDEBAR = re.compile(r'<nav class="md-nav md-nav--primary".*?(?=<div class="md-content")', re.S)


def measure(root: Path) -> tuple[int, float, int]:
    from kennisbank.build import build

    site = build(root, root / "build")
    pages = [p for p in site.rglob("*.html") if p.name != "404.html"]
    total = sum(p.stat().st_size for p in pages)
    item = next(p for p in sorted(site.glob("nieuws/*/index.html")) if not p.parent.name.isdigit())
    nav = _SIDEBAR.search(item.read_text(encoding="utf-8"))
    return len(pages), total / len(pages), len(nav.group(0).encode()) if nav else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-bench-nav-"))
    print("| items | HTML pages | bytes per page (mean) | nav sidebar on an item page |")
    print("|---:|---:|---:|---:|")
    for items in args.items:
        pages, mean, nav = measure(corpus(items, work))
        print(f"| {items:,} | {pages:,} | {mean / 1024:.1f} KB | {nav / 1024:.1f} KB |", flush=True)


if __name__ == "__main__":
    main()
