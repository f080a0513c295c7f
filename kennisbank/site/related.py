"""Related items: others sharing a theme or a city, near in time.

Comparing every item with every other is quadratic (10,000 items → 10⁸ pairs). Instead each
theme and city keeps its items newest first, and an item looks only at its neighbours in those
lists; candidates are ranked by how many themes and cities they share, then by closeness in
time, then by id — a total order, so the choice is the same on every build.
"""

from __future__ import annotations

from collections import defaultdict

from kennisbank.content import Item

NEIGHBOURS = 12  # looked at on each side, per shared theme or city


def related_items(items: list[Item], limit: int = 5) -> dict[str, list[Item]]:
    """For every item id: up to ``limit`` related items (same theme or city)."""
    ordered = sorted(items, key=lambda i: i.sort_key)
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in ordered:
        for key in _keys(item):
            groups[key].append(item)
    position = {key: {item.id: n for n, item in enumerate(members)} for key, members in groups.items()}
    result: dict[str, list[Item]] = {}
    for item in ordered:
        mine = _keys(item)
        candidates: dict[str, Item] = {}
        for key in mine:
            members, at = groups[key], position[key][item.id]
            for other in members[max(0, at - NEIGHBOURS): at + NEIGHBOURS + 1]:
                if other is not item:
                    candidates[other.id] = other
        day = item.sort_key[0]
        ranked = sorted(candidates.values(),
                        key=lambda o: (-len(mine & _keys(o)), abs(o.sort_key[0] - day), o.id))
        result[item.id] = ranked[:limit]
    return result


def _keys(item: Item) -> set[str]:
    return {f"theme:{t}" for t in item.themes} | {f"city:{c}" for c in item.cities}
