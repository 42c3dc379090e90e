"""The search language of `journal search`, the web's /search and GET /api/search.

    obama gun                 every word, in any order, any case, accents folded
    "gun control"             these words next to each other, in this order
    obama -trump              leave out versions that hold a word (or a "phrase")
    gun OR rifle OR "assault weapon"    any one of these (binds tighter than the rest)

A query is parsed here into words and phrases, then written out as an SQLite FTS5
MATCH expression in which every word or phrase the user typed is a quoted string:
nothing typed (quotes, parentheses, `*`, `NEAR`, `AND`, column names, `^`) can act as
FTS5 syntax. The same function that spaces out Chinese, Japanese and Thai text for the
index spaces out the query, so both sides are split into words the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from journal.errors import BadQuery

MAX_LENGTH = 200  # characters of a query
MAX_TERMS = 16  # words and phrases, excluded ones included

# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, Hiragana,
# Katakana, CJK ideographs (with extension A, the compatibility block, halfwidth
# katakana and the supplementary planes' ideographs). FTS5's unicode61 tokenizer would
# read a whole run of them as one word, so each of their characters is made a word of
# its own (a zero-width space on either side: a separator to the tokenizer, invisible
# on screen). A word typed in such a script then becomes a phrase of its characters: a
# match of that exact sequence, wherever it stands in the text.
_SPACELESS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)
GAP = "\u200b"


def spaced(text: str) -> str:
    """`text` with every character of a spaceless script set apart as a word."""
    if _SPACELESS.search(text) is None:
        return text
    return _SPACELESS.sub(lambda m: GAP + m.group() + GAP, text)


def has_word(text: str) -> bool:
    """Whether the tokenizer finds a word in `text`: a letter, a digit or a private-use
    character (unicode61's word characters); punctuation and symbols alone are not."""
    return any(unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "Co" for c in text)


@dataclass(frozen=True)
class Query:
    """A parsed query. Each group must match (a group of several terms: any one of them);
    no excluded term may. A term is a word or a phrase as typed, without quotes."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()

    def __str__(self) -> str:
        def term(text: str) -> str:
            return f'"{text}"' if " " in text or not text.isalnum() else text

        parts = [" OR ".join(term(t) for t in group) for group in self.groups]
        parts += [f"-{term(t)}" for t in self.excluded]
        return " ".join(parts)

    def expression(self) -> str:
        """The FTS5 expression of the query, for a column filter to be put in front."""
        positive = " AND ".join(
            _quoted(group[0]) if len(group) == 1 else "(" + " OR ".join(map(_quoted, group)) + ")"
            for group in self.groups
        )
        if not self.excluded:
            return f"({positive})"
        return f"(({positive}) NOT ({' OR '.join(map(_quoted, self.excluded))}))"


def _quoted(term: str) -> str:
    """An FTS5 string: inside double quotes every character is text, a quote doubled."""
    return '"' + spaced(term).replace('"', '""') + '"'


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')  # -"a phrase" (unclosed: to the end) or a bare word


def parse(text: str) -> Query:
    """Read a query as typed; raise BadQuery when it holds nothing to look for."""
    text = "".join(c if c.isprintable() else " " for c in text)[:MAX_LENGTH]
    groups: list[list[str]] = []
    excluded: list[str] = []
    joining = False  # the previous token was OR
    for match in _TOKEN.finditer(_split_quotes(text)):
        minus, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            joining = bool(groups)
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            minus, bare = "-", bare[1:]
        term = " ".join((phrase if bare is None else bare).split())
        if not has_word(term):
            joining = False
            continue
        if minus:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if not groups:
        if excluded:
            raise BadQuery("A search needs at least one word to find, not only words to leave out.")
        raise BadQuery("Nothing to search for: give a word or a phrase.")
    if sum(map(len, groups)) + len(excluded) > MAX_TERMS:
        raise BadQuery(f"A search takes at most {MAX_TERMS} words and phrases.")
    unique = dict.fromkeys(tuple(dict.fromkeys(g)) for g in groups)
    return Query(tuple(unique), tuple(dict.fromkeys(excluded)))


def _split_quotes(text: str) -> str:
    """A quote inside a word starts a phrase there: `say"so be it"` is say, "so be it"."""
    return re.sub(r'(?<=[^\s-])"', ' "', text)
