"""Tags as one vocabulary: spellings of the same word (``kerk``/``kerken``) are one tag.

Editors list the variants in ``content/registries/vocabularies.yml`` under ``tag_aliases``
(variant → the tag to use); every output shows an item's tags through :func:`canonical_tags`.
``check`` warns when a tag used by one file looks like a tag already in use (singular/plural,
a case or accent difference) and no alias says which one is meant.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from kennisbank.content.items import Item

ALIASES = "tag_aliases"  # the vocabulary: variant -> canonical tag
_PLURAL_ENDINGS = ("'s", "en", "s")  # Dutch plurals: kerken, studies, pc's


def canonical(tag: str, aliases: dict[str, str]) -> str:
    """The tag ``tag`` stands for (itself unless an alias names another)."""
    return aliases.get(tag, aliases.get(tag.lower(), tag))


def canonical_tags(tags: Iterable[str], aliases: dict[str, str]) -> tuple[str, ...]:
    """An item's tags with variants replaced and duplicates dropped, in their order."""
    return tuple(dict.fromkeys(canonical(t, aliases) for t in tags))


def word_key(tag: str) -> str:
    """What near-duplicate tags share: lower case, no accents, no Dutch plural ending."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", tag.lower()) if not unicodedata.combining(c)).strip()
    for ending in _PLURAL_ENDINGS:
        if plain.endswith(ending) and len(plain) - len(ending) >= 3:
            return plain[: -len(ending)]
    return plain


def near_duplicates(items: Iterable[Item], aliases: dict[str, str]) -> list[tuple[Item, str, str]]:
    """(item, its tag, the established tag it resembles) for each tag only one item uses that
    resembles a tag more items use, unless ``aliases`` settles it."""
    users: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for tag in canonical_tags(item.tags, aliases):
            users[tag].append(item)
    by_key: dict[str, list[str]] = defaultdict(list)
    for tag in users:
        by_key[word_key(tag)].append(tag)
    found = []
    for tags in by_key.values():
        if len(tags) < 2:
            continue
        established = max(tags, key=lambda t: (len(users[t]), t))
        for tag in sorted(t for t in tags if t != established and len(users[t]) == 1):
            found.append((users[tag][0], tag, established))
    return found
