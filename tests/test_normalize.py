"""Normalisation rules, one row each: what is cleaned, what is dropped, what is kept."""

from __future__ import annotations

import pytest

from journal.furniture import is_furniture, without_stamps
from journal.normalize import clean, fingerprint, paragraphs, word_count


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
        # stamps in any format and precision
        "May 25, 2025 10:42 am",
        "Updated 10:42 AM EST",
        "Updated: 11:56 a.m. ET Nov. 19, 2025",
        "2025-05-25T10:42:00Z",
        "25/05/2025 10:42",
        "Posted Monday, May 25, 2025",
        "Updated | May 25, 2025",
        # labels of stamp words, without their date
        "Published",
        "Last updated",
        "By",
        # bylines, with or without a stamp
        "By Jane Doe",
        "By JANE DOE and Li Wei, Reuters",
        "By Anna de la Cruz | May 25, 2025 | 4 min read",
        "By Kate O'Neil May 25, 2025 10:42 am",
        "By Omar Haddad - Updated 3 hours ago",
        "- Nov 19, 2024 03:26 am UTC",  # a byline whose name is empty
        "This article was published more than 4 years ago",
        # counters, the site's notices
        "941 comments",
        "1.2K shares",
        "12 Photos",
        "(38)  Comments",
        "© 2019 Hearst Communications, Inc.",
        "Copyright 2025 The Daily Fixture. All rights reserved.",
    ],
)
def test_furniture_is_dropped(line: str) -> None:
    assert is_furniture(clean(line))
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
        "May 25, 2025 | Council vote | Passed",  # a table row keeps its date
        "By the numbers",
        "By Tuesday, the council must vote on the plan.",
        "1. Paris",
        "Photos show the damage to the bridge.",
        "(Graphic: Global assets in 2019 - here)",
        "(Image credit: Meg Oliphant)",  # who made a picture is said in its caption, and kept
        "Published reports say the plan will cost $4 million.",
        "Monday's vote was delayed.",
        "PM Brown plays down expenses row",
    ],
)
def test_article_sentences_are_kept(line: str) -> None:
    assert not is_furniture(line)
    assert paragraphs([line]) == (line,)


def test_title_echo_and_repeats_are_dropped() -> None:
    out = paragraphs(["Headline here", "First para.", "First para.", "Second para."], title="Headline here")
    assert out == ("First para.", "Second para.")


def test_every_name_of_the_headline_and_a_second_copy_anywhere_are_dropped() -> None:
    lines = ["A social headline", "The standfirst of it.", "First para.", "The standfirst of it.", "Last."]
    out = paragraphs(lines, title="Displayed headline", echoes=["A social headline"])
    assert out == ("The standfirst of it.", "First para.", "Last.")


def test_a_line_naming_the_known_byline_is_dropped() -> None:
    assert paragraphs(["Jane Reporter", "First para."], byline="Jane Reporter") == ("First para.",)
    assert paragraphs(["Jane Reporter", "First para."]) == ("Jane Reporter", "First para.")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # a stamp leading a paragraph, set apart or glued from the block before
        ("May 25, 2025 10:42 am Acting Mayor Jo Smith announced it.", "Acting Mayor Jo Smith announced it."),
        ("Updated 10:42 am The council voted.", "The council voted."),
        ("May 25, 2025 — The council voted.", "The council voted."),
        ("May 25, 2025 Acting Mayor Jo Smith spoke.", "Acting Mayor Jo Smith spoke."),
        ("3 hours ago The council voted.", "The council voted."),
        # a stamp trailing a paragraph
        ("The council voted. Updated 10:42 am", "The council voted."),
        ("The council voted (Updated May 25, 2025)", "The council voted"),
        ("Crews cleared the snow plan Updated 10:42 am", "Crews cleared the snow plan"),
        # dates inside sentences stay
        ("On May 25, 2025 the council voted.", "On May 25, 2025 the council voted."),
        ("At 10:42 am police arrived.", "At 10:42 am police arrived."),
        ("The vote was held at 10:42 am", "The vote was held at 10:42 am"),
        ("The report was published 3 hours ago.", "The report was published 3 hours ago."),
        ("May 25, 2025 marked the end of the season.", "May 25, 2025 marked the end of the season."),
        ("May Smith, 45, said the plan works.", "May Smith, 45, said the plan works."),
        (
            "WASHINGTON, May 25 (Reuters) - The council voted",
            "WASHINGTON, May 25 (Reuters) - The council voted",
        ),
        ("Council vote | May 25, 2025", "Council vote | May 25, 2025"),
        # all stamp
        ("Updated 10:42 am", ""),
    ],
)
def test_stamps_leading_or_trailing_a_paragraph_are_cut(line: str, expected: str) -> None:
    assert without_stamps(line) == expected
    if expected:
        assert paragraphs([line]) == (expected,)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The council voted on Tuesday.", 5),
        ("北京市政府周二宣布新的交通计划。", 15),
        ("東京都は火曜日、新しい計画を発表した。", 17),
        ("Apple 公司 announced", 4),
        ("서울시는 화요일 새 계획을 발표했다", 5),
        ("", 0),
    ],
)
def test_words_are_counted_by_character_in_scripts_without_spaces(text: str, count: int) -> None:
    assert word_count(text) == count


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
