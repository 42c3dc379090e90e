"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from journal import commits, document
from journal.models import ArticleText, Change
from journal.normalize import _CONTROL, _INVISIBLE, clean, paragraphs
from journal.urls import BadURL, article_path, canonical, is_safe_path

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NASTY = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("/\\.%?#&=:@!$'()*+,;~-_ \n\r\t\x00\x1b\u202e\u200b\ufeff")),
    ),
    max_size=120,
)


def url_from(path: str, query: str) -> str | None:
    try:
        return canonical(f"https://example.org/{path}?{query}")
    except BadURL:
        return None


@settings(max_examples=300)
@given(st.lists(st.tuples(NASTY, NASTY), min_size=1, max_size=25))
def test_paths_stay_inside_are_stable_and_never_collide(pairs: list[tuple[str, str]]) -> None:
    urls = [u for u in dict.fromkeys(url_from(p, q) for p, q in pairs) if u]
    taken: dict[str, str] = {}
    for url in urls:
        path = article_path("src", WHEN, url, taken.__contains__)
        assert is_safe_path(path), path
        parts = PurePosixPath(path).parts
        assert len(parts) == 4
        assert all(0 < len(part.encode()) <= 100 for part in parts)
        assert path not in taken  # distinct canonical URLs, distinct files
        taken[path] = url
    for path, url in taken.items():  # stable: the same URL in the same archive state
        assert article_path("src", WHEN, url, lambda p, mine=path: p in taken and p != mine) == path


@given(st.lists(NASTY, max_size=12), NASTY)
def test_normalisation_is_idempotent(lines: list[str], title: str) -> None:
    once = paragraphs(lines, title)
    assert paragraphs(once, title) == once
    assert all(clean(p) == p and p for p in once)


@given(NASTY, NASTY, NASTY, st.integers(min_value=1, max_value=10**6), st.sampled_from(list(Change)))
def test_trailers_round_trip_and_never_forge(
    title: str, url: str, summary: str, version: int, change: Change
) -> None:
    message = commits.CommitMessage(
        source="src", title=title, url=url, version=version, change=change, fetched_at=WHEN, summary=summary,
        extractor="x 1",
    )  # fmt: skip
    subject, _summary, trailers = commits.parse(message.render())
    assert trailers["Version"] == str(version)
    assert trailers["Change"] == change.value
    assert trailers["Source"] == "src"
    assert set(trailers) <= set(commits.TRAILER_KEYS)
    assert "\n" not in subject
    assert subject.startswith("src: ")
    if url.strip():
        assert trailers["Url"] == commits.single_line(url, 2000) or trailers["Url"] == "-"


@given(NASTY, st.lists(NASTY, max_size=6), st.one_of(st.none(), NASTY), st.one_of(st.none(), NASTY))
def test_documents_round_trip(
    title: str, paras: list[str], byline: str | None, published: str | None
) -> None:
    doc = ArticleText(
        url="https://example.org/a", source="src", title=clean(title), paragraphs=tuple(p for p in (clean(x) for x in paras) if p),
        byline=clean(byline) or None if byline else None, published=clean(published) or None if published else None,
    )  # fmt: skip
    back = document.parse(document.render(doc))
    assert document.render(back) == document.render(doc)


@settings(max_examples=500)
@given(NASTY)
def test_clean_is_its_definition(text: str) -> None:
    """NFC, invisibles dropped, other controls made spaces, whitespace runs one space, trimmed."""
    expected = re.sub(r"\s+", " ", _CONTROL.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))))
    assert clean(text) == expected.strip()
    assert clean(clean(text)) == clean(text)


def test_clean_knows_every_character() -> None:
    """Between two letters, each code point is kept, dropped or made a space exactly as
    the definition says (the fast path for clean text must agree with it)."""
    for point in range(0x110000):
        text = f"a{chr(point)}b"
        expected = re.sub(
            r"\s+", " ", _CONTROL.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
        )
        assert clean(text) == expected.strip(), hex(point)
