"""Time the feeds and newsletter build stages on generated corpora and print a Markdown table.

    .venv/bin/python scripts/bench_feeds_newsletter.py [--items 2000 10000] [--seed 1]

Each corpus is written by scripts/generate_corpus.py into a temporary folder, loaded once, then
`stage_feeds` and `stage_newsletter` run into a fresh temporary build folder.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.context import BuildContext
from kennisbank.feeds import stage_feeds
from kennisbank.newsletter import stage_newsletter


def _generator():
    spec = importlib.util.spec_from_file_location("generate_corpus", ROOT / "scripts" / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    gen = _generator()
    print("| items | feeds (RSS+Atom) | stage_feeds | feeds size | issues | stage_newsletter | largest issue.html |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.items:
        with tempfile.TemporaryDirectory() as corpus, tempfile.TemporaryDirectory() as out:
            gen.write_corpus(Path(corpus), n, seed=args.seed)
            repo = load_repository(Path(corpus))
            settings = load_settings(Path(corpus))
            context = BuildContext(repo, settings, Path(out))
            started = time.perf_counter()
            stage_feeds(context)
            feeds_seconds = time.perf_counter() - started
            started = time.perf_counter()
            stage_newsletter(context)
            newsletter_seconds = time.perf_counter() - started
            feeds = [p for p in (Path(out) / "docs" / "feeds").glob("*.xml")]
            issues = sorted((Path(out) / "newsletter").iterdir())
            largest = max((p / "issue.html").stat().st_size for p in issues) if issues else 0
            print(f"| {n:,} | {len(feeds)} | {feeds_seconds:.2f} s | {_size(Path(out) / 'docs' / 'feeds') / 1e6:.1f} MB "
                  f"| {len(issues)} | {newsletter_seconds:.2f} s | {largest / 1024:.0f} KB |")


if __name__ == "__main__":
    main()
