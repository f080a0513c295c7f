"""Ranking quality of the embedded engine on the judged query set (tests/relevance/queries.yml).

    .venv/bin/python scripts/relevance.py [--compounds vocabulary,wordlist,both,off] [--worst 10]

Indexes the repository's sample content, runs every judged query and prints nDCG@10, MRR and
recall@10 per query class as a Markdown table, once per compound-splitting choice. ``--worst``
also lists the queries with the lowest nDCG@10 and their top five. Results: docs/search.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kennisbank.content import load_repository
from kennisbank.search.documents import build_documents
from kennisbank.search.engine import SearchRequest
from kennisbank.search.evaluation import evaluate, load_judgements, ndcg, table
from kennisbank.search.settings import COMPOUND_SOURCES, load_search_settings
from kennisbank.search.tantivy_engine import TantivyEngine, write_index

JUDGEMENTS = ROOT / "tests" / "relevance" / "queries.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compounds", default=",".join(COMPOUND_SOURCES),
                        help="compound-splitting choices to compare (comma-separated)")
    parser.add_argument("--worst", type=int, default=0, help="list this many worst queries per choice")
    args = parser.parse_args()
    documents, catalog = build_documents(load_repository(ROOT))
    settings = load_search_settings(ROOT)
    queries = load_judgements(JUDGEMENTS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        write_index(documents, catalog, settings, folder)
        for choice in args.compounds.split(","):
            engine = TantivyEngine(folder, dataclasses.replace(settings, compounds=choice), cache_size=0)

            def rank(q: str, engine: TantivyEngine = engine) -> list[str]:
                return [h.id for h in engine.search(SearchRequest(q=q, per_page=10, facets=())).hits]

            print(f"\n### compounds: {choice}\n")
            print(table(evaluate(queries, rank)))
            if args.worst:
                worst = sorted(queries, key=lambda j: ndcg(rank(j.q), j))[:args.worst]
                for judged in worst:
                    print(f"- {judged.q!r} ({judged.kind}) nDCG@10 {ndcg(rank(judged.q), judged):.2f}: "
                          + ", ".join(rank(judged.q)[:5]))


if __name__ == "__main__":
    main()
