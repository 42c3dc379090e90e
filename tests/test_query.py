"""The search language: what a typed query means, and that nothing typed reaches FTS5
as syntax."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.errors import BadQuery
from journal.query import GAP, MAX_TERMS, Query, parse, spaced


@pytest.mark.parametrize(
    ("typed", "groups", "excluded"),
    [
        ("obama gun", [["obama"], ["gun"]], []),
        ("  Obama   GUN ", [["Obama"], ["GUN"]], []),
        ('"gun control" obama', [["gun control"], ["obama"]], []),
        ('"gun   control"', [["gun control"]], []),
        ('say"so be it"', [["say"], ["so be it"]], []),
        ('"unclosed phrase', [["unclosed phrase"]], []),
        ("obama -trump", [["obama"]], ["trump"]),
        ('obama -"white house"', [["obama"]], ["white house"]),
        ("gun OR rifle", [["gun", "rifle"]], []),
        ('gun OR rifle OR "assault weapon" law', [["gun", "rifle", "assault weapon"], ["law"]], []),
        ("gun or rifle", [["gun"], ["or"], ["rifle"]], []),  # lower-case "or" is a word
        ("OR gun OR", [["gun"]], []),  # an OR with nothing on one side is dropped
        ("gun OR -rifle", [["gun"]], ["rifle"]),
        ("gun - — * ( ) ^ :", [["gun"]], []),  # no word in them: nothing to find
        ("gun gun", [["gun"]], []),
        ("don't U.S.", [["don't"], ["U.S."]], []),
        ("東京 天気", [["東京"], ["天気"]], []),
        ("NEAR(a b) title:x AND NOT y*", [["NEAR(a"], ["b)"], ["title:x"], ["AND"], ["NOT"], ["y*"]], []),
    ],
)
def test_queries_read_as_people_type_them(typed: str, groups: list[list[str]], excluded: list[str]) -> None:
    query = parse(typed)
    assert [list(g) for g in query.groups] == groups
    assert list(query.excluded) == excluded


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Nothing to search for"),
        ("   ", "Nothing to search for"),
        ("- * ( )", "Nothing to search for"),
        ("\x00\x1b", "Nothing to search for"),
        ("-trump", "at least one word to find"),
        ("--output=/tmp/x", "at least one word to find"),
        (" ".join(f"w{n}" for n in range(MAX_TERMS + 1)), f"at most {MAX_TERMS}"),
    ],
)
def test_queries_with_nothing_to_find_are_refused_with_a_reason(typed: str, message: str) -> None:
    with pytest.raises(BadQuery, match=message):
        parse(typed)


def _table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='unicode61 remove_diacritics 2')")
    rows = [
        ("near title and not", "plain words here"),
        ("Café NAÏVE résumé", "x"),
        ("東京都の天気は晴れ", "iPhone手机"),
        ('say "so be it"', "y*z"),
    ]
    for n, (a, b) in enumerate(rows, 1):
        db.execute("INSERT INTO t (rowid, a, b) VALUES (?, ?, ?)", (n, spaced(a), spaced(b)))
    return db


def _match(db: sqlite3.Connection, typed: str) -> list[int]:
    expression = "{a b} : " + parse(typed).expression()
    return [r[0] for r in db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", (expression,))]


@pytest.mark.parametrize(
    ("typed", "rows"),
    [
        ("cafe naive", [2]),  # accents folded, any case
        ("RÉSUMÉ", [2]),
        ("NEAR title", [1]),  # operators typed are words
        ("AND NOT", [1]),
        ("near:title", [1]),  # a column filter typed is a phrase of two words
        ("title:near", []),
        ("y*", [4]),  # no prefix search: `*` is not a word character
        ('"so be it"', [4]),
        ('"be so"', []),
        ("東京", [3]),  # a word inside a run of CJK characters
        ("天気", [3]),
        ("京都", [3]),
        ("都東", []),  # the characters in that order only
        ("手机", [3]),  # set apart from the Latin word next to it
        ("iphone", [3]),
        ("plain OR nothing", [1]),
        ("cafe OR 東京 -晴れ", [2]),
    ],
)
def test_typed_text_is_matched_as_words_never_as_fts5_syntax(typed: str, rows: list[int]) -> None:
    assert _match(_table(), typed) == rows


HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\"'()*^:{}[]-+,.;\\/ \t\nNEARANDORNOT東京é0")),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(HOSTILE)
def test_any_typed_text_is_a_valid_expression_or_a_clear_refusal(typed: str) -> None:
    db = _table()
    try:
        query = parse(typed)
    except BadQuery:
        return
    assert isinstance(query, Query)
    db.execute("SELECT rowid FROM t WHERE t MATCH ?", ("{a b} : " + query.expression(),)).fetchall()


def test_spaceless_scripts_are_split_into_characters_and_nothing_else_is() -> None:
    assert spaced("plain text, unchanged") == "plain text, unchanged"
    assert spaced("東京") == f"{GAP}東{GAP}{GAP}京{GAP}"
    assert spaced("ข่าว").count(GAP) == 2 * len("ข่าว")
