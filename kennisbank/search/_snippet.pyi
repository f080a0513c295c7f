"""Types of the compiled snippet pass in ``_snippet.c``."""

from types import NotImplementedType

def fragment_html(text: str, terms: dict[str, int], table: bytes,
                  max_chars: int) -> tuple[str, bool, bool] | NotImplementedType | None:
    """The best fragment of ``text`` (at most ``max_chars`` bytes) as tantivy's SnippetGenerator
    picks it for ``terms`` (folded word -> documents holding it), as HTML with the words marked,
    and whether text goes on before and after it; ``None`` when no word matches;
    ``NotImplemented`` when ``text`` holds a code point ``table`` does not describe."""
