"""The paragraph-then-word diff: table-driven cases and properties."""

from __future__ import annotations

import itertools
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal import matching
from journal.diff import Op, diff, diff_paragraphs, new_side, old_side, word_ops
from journal.models import ArticleText


def text(*paragraphs: str, title: str = "Title") -> ArticleText:
    return ArticleText(url="u", source="s", title=title, paragraphs=paragraphs)


A = "The first paragraph says what happened on Friday in the capital."
B = "The second paragraph gives the reaction of the opposition parties."
C = "A third paragraph quotes a spokesman who declined to comment further."
D = "Finally a fourth paragraph explains what will happen next week."


@pytest.mark.parametrize(
    ("old", "new", "kinds", "summary"),
    [
        ((A, B, C), (A, B, C), ["equal"] * 3, "no visible change"),
        ((A, C), (A, B, C), ["equal", "insert", "equal"], "1 paragraph added"),
        ((A, B, C), (A, C), ["equal", "delete", "equal"], "1 paragraph removed"),
        (
            (A, B, C),
            (A, B.replace("opposition", "ruling"), C),
            ["equal", "change", "equal"],
            "1 paragraph edited",
        ),
        (
            (A, B, C, D),
            (A, C, D, B),
            ["equal", "move-from", "equal", "equal", "move-to"],
            "1 paragraph moved",
        ),
        ((), (A, B), ["insert", "insert"], "2 paragraphs added"),
        ((A, B), (), ["delete", "delete"], "2 paragraphs removed"),
        ((A, B), (C, D), ["delete", "delete", "insert", "insert"], "2 paragraphs added, 2 removed"),
    ],
)
def test_paragraph_alignment(
    old: tuple[str, ...], new: tuple[str, ...], kinds: list[str], summary: str
) -> None:
    d = diff(text(*old), text(*new))
    assert [r.kind for r in d.rows] == kinds
    assert d.summary() == summary


def test_title_byline_and_date_changes_are_fields() -> None:
    old = ArticleText("u", "s", "Minister resigns", (A,), published="2020-01-01", byline="A Writer")
    new = ArticleText("u", "s", "Minister refuses to resign", (A,), published="2020-01-02", byline="A Writer")
    d = diff(old, new)
    assert [f.name for f in d.fields] == ["title", "published"]
    assert d.summary() == "title changed; published changed"
    title = d.field("title")
    assert title is not None
    assert [(o.kind, o.text) for o in title.ops] == [
        ("equal", "Minister "),
        ("delete", "resigns"),
        ("insert", "refuses to resign"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "ops"),
    [
        (
            "five people died",
            "six people died",
            [("delete", "five"), ("insert", "six"), ("equal", " people died")],
        ),
        ("a b c", "a b c d", [("equal", "a b c"), ("insert", " d")]),
        (
            "He said no.",
            "He said yes.",
            [("equal", "He said "), ("delete", "no"), ("insert", "yes"), ("equal", ".")],
        ),
        (
            "quick brown fox",
            "slow red fox",
            [("delete", "quick brown"), ("insert", "slow red"), ("equal", " fox")],
        ),
        ("", "new text", [("insert", "new text")]),
    ],
)
def test_word_ops(old: str, new: str, ops: list[tuple[str, str]]) -> None:
    assert [(o.kind, o.text) for o in word_ops(old, new)] == ops


@pytest.mark.parametrize(
    ("old", "new", "size"),
    [
        ((A, B), (A.replace("Friday", "Fridya"), B), "typo"),
        (
            (A, B, C, D),
            (
                A,
                B.replace(
                    "reaction of the opposition parties", "angry reaction of several opposition parties"
                ),
                C,
                D,
            ),
            "minor",
        ),
        ((A, B), (A, B, C, D), "major"),
    ],
)
def test_change_size(old: tuple[str, ...], new: tuple[str, ...], size: str) -> None:
    assert diff(text(*old), text(*new)).size() == size


def test_a_long_live_blog_diffs_quickly() -> None:
    paras = [
        f"Update {i}: the situation at checkpoint {i % 17} remains tense, reporters said at {i}:00."
        for i in range(2000)
    ]
    edited = (
        paras[:500]
        + ["A brand new update was inserted here."]
        + paras[500:1500]
        + [p.replace("tense", "calm") for p in paras[1500:1600]]
        + paras[1650:]
    )
    assert sum(len(p.split()) for p in paras) > 20_000
    started = time.perf_counter()
    d = diff(text(*paras), text(*edited))
    elapsed = time.perf_counter() - started
    assert d.stats["added"] == 1
    assert d.stats["removed"] == 50
    assert d.stats["edited"] == 100
    assert elapsed < 5  # generous bound; the benchmark reports the real figure


paragraph = st.text(alphabet=st.sampled_from("abc de.,"), min_size=1, max_size=30).map(str.strip).filter(bool)


@given(st.lists(paragraph, max_size=8), st.lists(paragraph, max_size=8))
def test_the_diff_rebuilds_both_sides(old: list[str], new: list[str]) -> None:
    rows = diff_paragraphs(old, new)
    assert old_side(rows) == old or sorted(old_side(rows)) == sorted(old)
    assert new_side(rows) == new or sorted(new_side(rows)) == sorted(new)


@given(st.text(max_size=80), st.text(max_size=80))
def test_word_ops_apply(old: str, new: str) -> None:
    ops = word_ops(old, new)
    assert "".join(o.text for o in ops if o.kind != "insert") == old
    assert "".join(o.text for o in ops if o.kind != "delete") == new


def apply(ops: tuple[Op, ...]) -> tuple[str, str]:
    """The old and the new text, rebuilt from word ops."""
    return (
        "".join(o.text for o in ops if o.kind != "insert"),
        "".join(o.text for o in ops if o.kind != "delete"),
    )


# Long texts from a small vocabulary: every word repeats, so only some are anchors.
vocabulary = st.sampled_from(["the", "a", "minister", "said", "on", "Friday", "5", "million", ",", ".", "’s"])
long_text = st.lists(vocabulary, min_size=150, max_size=600).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(long_text, st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["", "new", "said  ", "x y z"]))))
def test_word_ops_rebuild_both_sides_of_long_edited_paragraphs(
    old: str, edits: list[tuple[int, str]]
) -> None:
    words = old.split(" ")
    for at, replacement in edits:
        words[at % len(words)] = replacement
    new = " ".join(words)
    ops = word_ops(old, new)
    assert apply(ops) == (old, new)
    assert all(o.text for o in ops)
    assert all(x.kind != y.kind for x, y in itertools.pairwise(ops))


def news_words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(2, 8))) for _ in range(3000)]
    return rng.choices(vocab, [1 / (rank + 1) for rank in range(len(vocab))], k=count)


def test_an_edit_in_a_20000_word_paragraph_is_diffed_word_by_word_in_bounded_time() -> None:
    words = news_words(20_000, 1)
    old = " ".join(words)
    edited = [w if i % 50 else "EDITED" for i, w in enumerate(words)]
    new = " ".join(edited)
    started = time.perf_counter()
    ops = word_ops(old, new)
    elapsed = time.perf_counter() - started
    assert apply(ops) == (old, new)
    inserted = [o.text for o in ops if o.kind == "insert"]
    assert len(inserted) == 400  # one per edited word: aligned, not replaced whole
    assert {t.strip() for t in inserted} == {"EDITED"}
    assert elapsed < 10  # generous (difflib took 145 s here); bench/worddiff.py reports the real figure


def test_a_paragraph_past_the_cap_is_shown_replaced_whole() -> None:
    old = " ".join(news_words(2_000, 2))
    new = old.replace(" ", "  ", 1)
    assert [o.kind for o in word_ops(old, new, limit=1_000)] == ["delete", "insert"]
    assert apply(word_ops(old, new, limit=1_000)) == (old, new)
    assert [o.kind for o in word_ops(old, new)] == ["equal", "delete", "insert", "equal"]


tokens = st.lists(st.sampled_from(["a", "b", "c", " ", ".", "said", "x"]), max_size=400)


@settings(max_examples=200, deadline=None)
@given(tokens, tokens)
def test_matching_blocks_are_in_order_disjoint_and_truly_equal(a: list[str], b: list[str]) -> None:
    found = matching.blocks(a, b)
    i = j = 0
    for start_a, start_b, size in found:
        assert size > 0 and start_a >= i and start_b >= j
        assert a[start_a : start_a + size] == b[start_b : start_b + size]
        i, j = start_a + size, start_b + size
