"""The Dutch analyzers of the embedded index.

tantivy stores only an analyzer's *name* in the index, so every process that opens the index
must register the same analyzers again: :func:`register_analyzers` is the one place that does.
"""

from __future__ import annotations

from functools import cache

import tantivy

DUTCH = "nl"
"""Lower-case, accent folding, Dutch stemming: plurals and inflections find each other."""
PLAIN = "nl_plain"
"""Lower-case and accent folding only: for prefix and typo matching, because the Dutch stemmer
maps related words apart (fiets -> fiet, fietsen -> fiets)."""
MAX_TOKEN = 40


def _builder() -> tantivy.TextAnalyzerBuilder:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(MAX_TOKEN))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()))


@cache
def dutch() -> tantivy.TextAnalyzer:
    return _builder().filter(tantivy.Filter.stemmer("dutch")).build()


@cache
def plain() -> tantivy.TextAnalyzer:
    return _builder().build()


def register_analyzers(index: tantivy.Index) -> None:
    index.register_tokenizer(DUTCH, dutch())
    index.register_tokenizer(PLAIN, plain())


FOLDING_END = 0x2100
"""Code points :func:`folding_table` describes: Latin, Greek, Cyrillic, punctuation, currency."""
SEPARATOR, LETTER = 1, 2


@cache
def folding_table() -> bytes:
    """What the ``plain`` analyzer does with each code point below :data:`FOLDING_END`, for the
    compiled snippet pass (``_snippet.c``): 8 bytes each, the kind (0: not described, 1: separates
    words, 2: part of a word), the length of its folded form and that form in UTF-8. Read from
    tantivy's analyzer itself (each code point between two letters), so the two cannot disagree;
    ~10 ms, once per process."""
    analyzer = plain()
    table = bytearray(FOLDING_END * 8)
    for point in range(FOLDING_END):
        if 0xD800 <= point < 0xE000:  # surrogates: no text holds them
            continue
        tokens = analyzer.analyze(f"a{chr(point)}a")
        if tokens == ["a", "a"]:
            table[point * 8] = SEPARATOR
        elif len(tokens) == 1 and len(tokens[0]) >= 2 and tokens[0][0] == tokens[0][-1] == "a":
            folded = tokens[0][1:-1].encode()
            if len(folded) <= 6:
                table[point * 8:point * 8 + 2 + len(folded)] = bytes((LETTER, len(folded))) + folded
    return bytes(table)
