"""Photo captions: one line each in the article file, safe whatever the web sends,
settled so that only a caption edit under the same photo can change a version, and
counted apart from paragraphs in a diff. (Reading them from pages: test_extract.py.)"""

from __future__ import annotations

import pytest
from conftest import PARAS
from hypothesis import given
from hypothesis import strategies as st

from journal import captions, document
from journal.captions import Caption
from journal.diff import diff
from journal.models import ArticleText
from journal.normalize import clean

URL = "https://news.example.org/2026/11/story"
LEAD = "https://cdn.example.org/photos/lead.jpg"
OTHER = "https://cdn.example.org/photos/other.jpg"


def line(text: str, media: str = LEAD) -> str:
    return captions.line(Caption(text, media))


# -- the line in the file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (Caption("Officials meet.", LEAD), f"![Officials meet.]({LEAD})"),
        (Caption("A video of the talks"), "![A video of the talks]()"),
        (Caption("Brackets [sic] and \\ slash", LEAD), f"![Brackets \\[sic\\] and \\\\ slash]({LEAD})"),
        (Caption("x](javascript:alert(1))", LEAD), f"![x\\](javascript:alert(1))]({LEAD})"),
        (Caption("two\nlines\u2028here", LEAD), f"![two lines here]({LEAD})"),
        (
            Caption("x", "https://cdn.example.org/a b(1).jpg"),
            "![x](https://cdn.example.org/a%20b%281%29.jpg)",
        ),
    ],
)
def test_a_caption_is_one_markdown_image_line(caption: Caption, expected: str) -> None:
    text = captions.line(caption)
    assert text == expected
    assert "\n" not in text
    back = captions.parse(text)
    assert back is not None and back.text == " ".join(caption.text.split())
    assert captions.line(back) == text


@pytest.mark.parametrize(
    "paragraph",
    [
        "![not a caption](https://example.org/x.jpg)",
        "\\![escaped already](x)",
        "\\ a backslash first",
        "![",
        "!",
    ],
)
def test_article_text_that_looks_like_a_caption_stays_text(paragraph: str) -> None:
    written = captions.paragraph(paragraph)
    assert not captions.is_caption(written)
    assert captions.shown(written) == paragraph
    doc = ArticleText(URL, "daily", "Title", (written, line("A real caption.")))
    back = document.parse(document.render(doc))
    assert back == doc
    assert [captions.is_caption(p) for p in back.paragraphs] == [False, True]


HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("![]()\\<>\"'`\n\r\t\x00\x1b\u202e\u2028---:#")),
    ),
    max_size=80,
)


@given(HOSTILE, HOSTILE, HOSTILE)
def test_hostile_captions_and_sources_round_trip_through_the_file(text: str, media: str, title: str) -> None:
    caption_line = captions.line(Caption(text, media))
    body = captions.paragraph(clean(text) or "x")
    doc = ArticleText(URL, "daily", clean(title), (body, caption_line), byline="Jane Reporter")
    data = document.render(doc)
    back = document.parse(data)
    assert back == doc
    assert back.url == URL and back.byline == "Jane Reporter"  # the front matter is intact
    assert [captions.is_caption(p) for p in back.paragraphs] == [False, True]
    parsed = captions.parse(caption_line)
    assert parsed is not None and parsed.text == clean(text)
    assert not any(c in parsed.media for c in " ()<>\\\n")


# -- settling: when a caption change is news -----------------------------------------------------

A, B, C = PARAS[:3]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "same photo, caption edited: the edit stands",
            (A, line("Officials meet."), B),
            (A, line("Officials met."), B),
            (A, line("Officials met."), B),
        ),
        (
            "another photo, another caption: the old line stays",
            (A, line("Officials meet."), B),
            (A, line("A crowd outside.", OTHER), B),
            (A, line("Officials meet."), B),
        ),
        (
            "the photo moved to another address: the old line stays",
            (A, line("Officials meet."), B),
            (A, line("Officials met.", "https://images.example.net/lead.jpg"), B),
            (A, line("Officials meet."), B),
        ),
        (
            "a caption appears: left out",
            (A, B),
            (A, line("Officials meet."), B),
            (A, B),
        ),
        (
            "a caption goes: it stays in its place",
            (A, line("Officials meet."), B, C),
            (A, B, C),
            (A, line("Officials meet."), B, C),
        ),
        (
            "a caption without media never changes",
            (A, line("A video of the talks", ""), B),
            (A, line("A video of talks", ""), B),
            (A, line("A video of the talks", ""), B),
        ),
        (
            "a paragraph edited beside a redesigned figure: the old caption keeps its place",
            (A, line("Officials meet."), B, C),
            (line("Two videos", ""), A, B + " More.", line("Second video", ""), C),
            (A, line("Officials meet."), B + " More.", C),
        ),
        (
            "a caption goes with the paragraph before it: it stays after the one that follows",
            (A, line("Officials meet."), B),
            (B,),
            (line("Officials meet."), B),
        ),
        (
            "one of two photos swapped: only its line keeps the old state",
            (line("First.", LEAD), A, line("Second.", OTHER), B),
            (line("First, edited.", LEAD), A, line("Third.", "https://cdn.example.org/3.jpg"), B),
            (line("First, edited.", LEAD), A, line("Second.", OTHER), B),
        ),
    ],
)
def test_settle(name: str, old: tuple[str, ...], new: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert captions.settle(old, new) == expected, name


TEXTS = st.sampled_from(["Officials meet.", "Officials met.", "A crowd outside.", ""])
MEDIA = st.sampled_from([LEAD, OTHER, ""])
LINES = st.lists(
    st.one_of(st.sampled_from([A, B, C]), st.builds(lambda t, m: line(t or "x", m), TEXTS, MEDIA)), max_size=8
)


@given(LINES, LINES)
def test_settling_keeps_the_fresh_paragraphs_and_only_same_media_captions(
    old: list[str], new: list[str]
) -> None:
    settled = captions.settle(tuple(old), tuple(new))
    assert captions.body(settled) == captions.body(new)
    # Settling again changes nothing but, with repeated photos, where an equal line stands.
    assert sorted(captions.settle(tuple(old), settled)) == sorted(settled)
    old_media = [c.media for c in map(captions.parse, old) if c is not None]
    for text in settled:
        caption = captions.parse(text)
        if caption is not None and text not in old:
            assert caption.media and caption.media in old_media  # a caption edit under the same media
    if captions.body(settled) == captions.body(old) and all(
        c is None or not c.media for c in map(captions.parse, new)
    ):
        assert sorted(settled) == sorted(old)  # no fresh caption to keep: nothing but the old lines


def test_settle_leaves_text_without_captions_alone() -> None:
    new = (A, B)
    assert captions.settle((A, C), new) is new


def test_captions_are_adopted_into_a_version_written_before_they_were_read() -> None:
    found = (A, line("Officials meet."), B, line("A crowd.", OTHER), C)
    assert captions.adopt(found, (A, B, C)) == found
    assert captions.adopt(found, (A, line("Kept.", LEAD), B)) == (A, line("Kept.", LEAD), B)


# -- what a diff says ----------------------------------------------------------------------------


def test_a_caption_edit_is_counted_as_a_caption_and_sized_by_its_words() -> None:
    old = ArticleText(URL, "daily", "Talks", (A, line("A micrograph of a virion."), B))
    new = ArticleText(URL, "daily", "Talks", (A, line("A micrograph of an virion."), B))
    delta = diff(old, new)
    assert delta.summary() == "1 caption edited"
    assert delta.size() == "typo"
    assert delta.words() == "+1 -1"
    row = next(r for r in delta.rows if r.kind == "change")
    assert row.caption
    assert "".join(o.text for o in row.ops if o.kind != "insert") == "A micrograph of a virion."


def test_a_caption_never_pairs_with_a_paragraph() -> None:
    old = ArticleText(URL, "daily", "Talks", (A, B))
    new = ArticleText(URL, "daily", "Talks", (A, line(B)))
    delta = diff(old, new)
    assert delta.summary() == "1 paragraph removed; 1 caption added"
    assert delta.stats["words_added"] == len(B.split())
