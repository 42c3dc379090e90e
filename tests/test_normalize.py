"""Normalisation rules, one row each: what is cleaned, what is dropped, what is kept."""

from __future__ import annotations

import pytest

from journal.furniture import is_furniture as is_boilerplate
from journal.normalize import clean, fingerprint, paragraphs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cafe\u0301 society", "Café society"),  # NFC
        ("a  \t b\u00a0c\u2003d", "a b c d"),  # every kind of space collapses
        ("in\u00adcred\u00adible", "incredible"),  # soft hyphens
        ("zero\u200bwidth\u200dj\u2060oin\ufeff", "zerowidthjoin"),  # zero-width characters, BOM
        ("\u202eevil\u202c text", "evil text"),  # bidi overrides
        ("bell\x07 and\x1b[31m escape", "bell and [31m escape"),  # control characters
        ("  padded  ", "padded"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Supported by",
        "Related Topics",
        "Share this article",
        "Share on Facebook",
        "Image caption",
        "Read more",
        "Continue reading",
        "Skip Advertisement",
        "Updated 5 minutes ago",
        "2 hours ago",
        "Last updated: 18 September 2015",
        "Page last updated at 19:26 GMT, Sunday, 5 April 2009 20:26 UK",
        "Updated at 1:23 p.m.",
        "Updated 11:56 a.m. EST",
        "Updated Nov. 19, 2019",
        "12 April 2015",
        "March 16, 2016",
        "Tuesday 12 April 2015 09:30 BST",
        "First published on Mon 17 Sep 2018 10.02 BST",
        "Published 3 hours ago",
        "5 min read",
        "-----------------",
        "•",
        "Listen to this article",
        "DON'T MISS",
        "Don\u2019t miss:",
        "You may also like",
        "Editor's picks",
        "Share full article",
        "Story continues below advertisement",
        "Skip past newsletter promotion",
        "toggle caption",
        "Video Ad Feedback",
    ],
)
def test_furniture_is_dropped(line: str) -> None:
    assert is_boilerplate(clean(line))
    assert paragraphs(["The article sentence stays here.", line]) == ("The article sentence stays here.",)


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement revenue fell by 3% this year, the company said.",
        "Related talks will take place in Geneva next week.",
        "Share prices rose sharply after the announcement.",
        "Updated figures published on Friday show the deficit grew, officials said in a statement.",
        "Read more about the inquiry in the committee's report, which runs to 300 pages and was published on Friday.",
        "On 12 April 2015 the minister resigned.",
        "The May election",
        "Don't miss the final act, critics say.",
        "Recommended reading for ministers: the 1998 report.",
        "Save the date: the summit opens on Monday.",
        "Story continues below the fold, the editor said.",
        "2019 | 2020 | 2021",
        "Alpha Party | 120,345 | 41.2%",
    ],
)
def test_article_sentences_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert paragraphs([line]) == (line,)


def test_title_echo_and_repeats_are_dropped() -> None:
    out = paragraphs(["Headline here", "First para.", "First para.", "Second para."], title="Headline here")
    assert out == ("First para.", "Second para.")


def test_paragraphs_is_idempotent() -> None:
    raw = ["  A  b ", "Advertisement", "c\u200b d", "", "A b"]
    once = paragraphs(raw)
    assert paragraphs(once) == once


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (["One two three.", "Four five."], ["One  two three.", "Four five."]),  # whitespace
        (["One two three.", "Four five."], ["One, two three!", "Four five"]),  # punctuation
        (["One two three.", "Four five."], ["Four five.", "One two three."]),  # paragraph order
        (["“Quoted,” he said."], ['"Quoted," he said.']),  # quote style
        (["in\u00adcredible"], ["incredible"]),  # invisible characters
    ],
)
def test_fingerprint_ignores_what_is_not_an_edit(a: list[str], b: list[str]) -> None:
    assert fingerprint("Title", a) == fingerprint("Title", b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (["The minister resigned."], ["The minister did not resign."]),
        (["Five people died."], ["Six people died."]),
        (["Costs rose by 3.5%."], ["Costs rose by 35%."]),
        (["one"], ["one", "two"]),
    ],
)
def test_fingerprint_sees_every_word_change(a: list[str], b: list[str]) -> None:
    assert fingerprint("Title", a) != fingerprint("Title", b)


def test_fingerprint_sees_title_changes() -> None:
    assert fingerprint("Minister resigns", ["x"]) != fingerprint("Minister stays", ["x"])
