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
