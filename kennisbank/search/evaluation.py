"""Ranking quality against a judged query set: nDCG@10, MRR and recall@10 per query class.

A judged query lists the items a demanding visitor expects in the first five results (grade 2)
and further items expected in the first ten (grade 1). Used by ``scripts/relevance.py`` (prints
the table) and by the relevance test (holds the scores above measured thresholds).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kennisbank.errors import KennisbankError

CUTOFF = 10
METRICS = ("ndcg@10", "mrr", "recall@10")


@dataclass(frozen=True)
class JudgedQuery:
    q: str
    kind: str
    top5: tuple[str, ...]
    top10: tuple[str, ...]

    def grade(self, doc_id: str) -> int:
        return 2 if doc_id in self.top5 else 1 if doc_id in self.top10 else 0

    @property
    def relevant(self) -> tuple[str, ...]:
        return self.top5 + self.top10


def load_judgements(path: Path) -> list[JudgedQuery]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    queries = []
    for n, entry in enumerate(entries, 1):
        try:
            queries.append(JudgedQuery(q=str(entry["q"]), kind=str(entry["class"]),
                                       top5=tuple(entry.get("top5") or ()), top10=tuple(entry.get("top10") or ())))
        except (KeyError, TypeError):
            raise KennisbankError(f"{path}: entry {n}: needs q, class and top5") from None
        if not queries[-1].top5:
            raise KennisbankError(f"{path}: entry {n}: top5 lists no item")
    return queries


def ndcg(ranking: Sequence[str], judged: JudgedQuery, cutoff: int = CUTOFF) -> float:
    gains = [2 ** judged.grade(doc_id) - 1 for doc_id in ranking[:cutoff]]
    ideal = sorted((2 ** judged.grade(doc_id) - 1 for doc_id in judged.relevant), reverse=True)[:cutoff]
    return _dcg(gains) / _dcg(ideal) if ideal else 0.0


def _dcg(gains: Sequence[float]) -> float:
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))


def reciprocal_rank(ranking: Sequence[str], judged: JudgedQuery) -> float:
    return next((1 / (rank + 1) for rank, doc_id in enumerate(ranking) if judged.grade(doc_id)), 0.0)


def recall(ranking: Sequence[str], judged: JudgedQuery, cutoff: int = CUTOFF) -> float:
    """Judged items found in the first ``cutoff``, out of as many as fit there."""
    found = sum(1 for doc_id in ranking[:cutoff] if judged.grade(doc_id))
    return found / min(cutoff, len(judged.relevant))


def score(ranking: Sequence[str], judged: JudgedQuery) -> dict[str, float]:
    return {"ndcg@10": ndcg(ranking, judged), "mrr": reciprocal_rank(ranking, judged),
            "recall@10": recall(ranking, judged)}


def evaluate(queries: Sequence[JudgedQuery], rank: Callable[[str], list[str]]) -> dict[str, dict[str, float]]:
    """Mean of each metric per query class, plus ``all``; ``rank`` gives the ids for a query."""
    per_class: dict[str, list[dict[str, float]]] = {}
    for judged in queries:
        scores = score(rank(judged.q), judged)
        per_class.setdefault(judged.kind, []).append(scores)
        per_class.setdefault("all", []).append(scores)
    return {kind: {m: sum(s[m] for s in rows) / len(rows) for m in METRICS} | {"queries": float(len(rows))}
            for kind, rows in per_class.items()}


def table(results: dict[str, dict[str, float]]) -> str:
    lines = ["| class | queries | " + " | ".join(METRICS) + " |", "|---|---:|" + "---:|" * len(METRICS)]
    for kind in sorted(results, key=lambda k: (k == "all", k)):
        row = results[kind]
        lines.append(f"| {kind} | {int(row['queries'])} | " + " | ".join(f"{row[m]:.3f}" for m in METRICS) + " |")
    return "\n".join(lines)
