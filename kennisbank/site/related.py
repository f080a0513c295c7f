"""Related items: others sharing a theme or a city, near in time.

Comparing every item with every other is quadratic (10,000 items → 10⁸ pairs). Instead each
theme and city keeps its items newest first, and an item looks only at its neighbours in those
lists; candidates are ranked by how many themes and cities they share, then by closeness in
time, then by id — a total order, so the choice is the same on every build.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from kennisbank.content import Item

NEIGHBOURS = 12  # looked at on each side, per shared theme or city


def related_items(items: list[Item], limit: int = 5) -> dict[str, list[Item]]:
    """For every item id: up to ``limit`` related items (same theme or city)."""
    by_id = {item.id: item for item in items}
    shape = tuple(sorted((i.sort_key, i.id, i.themes, i.cities) for i in items))
    return {item_id: [by_id[o] for o in others] for item_id, others in _related_ids(shape, limit).items()}


@lru_cache(maxsize=8)  # one per site of a build
def _related_ids(shape: tuple[tuple[Any, ...], ...], limit: int) -> dict[str, list[str]]:
    """The choice depends only on each item's date, id, themes and cities: after an edit that
    changes none of them (the usual case while previewing) the last answer is reused."""
    keys = [frozenset({f"theme:{t}" for t in themes} | {f"city:{c}" for c in cities}) for _, _, themes, cities in shape]
    days = [sort_key[0] for sort_key, _, _, _ in shape]
    ids = [item_id for _, item_id, _, _ in shape]
    groups: dict[str, list[int]] = defaultdict(list)
    for n, mine in enumerate(keys):
        for key in mine:
            groups[key].append(n)
    position = {key: {n: at for at, n in enumerate(members)} for key, members in groups.items()}
    result: dict[str, list[str]] = {}
    for n, mine in enumerate(keys):
        candidates: set[int] = set()
        for key in mine:
            members, at = groups[key], position[key][n]
            candidates.update(members[max(0, at - NEIGHBOURS): at + NEIGHBOURS + 1])
        candidates.discard(n)
        day = days[n]
        ranked = sorted(candidates, key=lambda o: (-len(mine & keys[o]), abs(days[o] - day), ids[o]))
        result[ids[n]] = [ids[o] for o in ranked[:limit]]
    return result
