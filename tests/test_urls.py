"""Canonical URLs and the archive path scheme: table-driven, hostile inputs included."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest

from journal.urls import BadURL, article_path, canonical, is_safe_path, slug

NOV = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.bbc.co.uk/news/world-34294640", "https://www.bbc.co.uk/news/world-34294640"),
        ("HTTPS://WWW.BBC.CO.UK/news/a", "https://www.bbc.co.uk/news/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://example.org/a?utm_source=rss&utm_medium=feed", "https://example.org/a"),
        ("https://example.org/a?id=7&utm_campaign=x&fbclid=y", "https://example.org/a?id=7"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org/a?at_medium=RSS&at_campaign=KARANGA", "https://example.org/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/caf%C3%A9", "https://example.org/caf%C3%A9"),
        ("https://example.org/café", "https://example.org/caf%C3%A9"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("  https://example.org/a  ", "https://example.org/a"),
    ],
)
def test_canonical(raw: str, expected: str) -> None:
    assert canonical(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "ftp://example.org/a",
        "javascript:alert(1)",
        "/relative/path",
        "",
        "http://",
        "https://[::1/",
        "http://\u20260/",  # an ellipsis folds to "..." under IDNA: empty labels
        "http://a..b/",
    ],
)
def test_canonical_refuses_non_http(raw: str) -> None:
    with pytest.raises(BadURL):
        canonical(raw)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.bbc.co.uk/news/world-middle-east-34294640", "news-world-middle-east-34294640"),
        ("http://news.bbc.co.uk/1/hi/uk_politics/7984711.stm", "1-hi-uk-politics-7984711"),
        ("https://example.org/2026/11/28/a-story.html", "2026-11-28-a-story"),
        ("https://example.org/article.php?id=42", "article-42"),
        ("https://example.org/", "example-org"),
        ("https://example.org/Zürich-Ünïcödé", "zurich-unicode"),
        ("https://example.org/%2e%2e/%2e%2e/etc/passwd", "etc-passwd"),
        ("https://example.org/../../etc/passwd", "etc-passwd"),
        ("https://example.org/新闻/报道", "example-org"),
    ],
)
def test_slug(url: str, expected: str) -> None:
    assert slug(url) == expected


HOSTILE = [
    "https://example.org/../../../../etc/passwd",
    "https://example.org/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "https://example.org/..%5c..%5cwindows",
    "https://example.org/" + "a" * 5000,
    "https://example.org/" + "-/" * 300,
    "https://example.org/.git/config",
    "https://example.org/a?x=" + "%00" * 20,
    "https://example.org/\u202e/evil",
    "https://example.org/%0Aurl:%20x",
    "https://example.org/CON/aux/nul",
    "https://example.org/" + "é" * 300,
    "https://example.org/?q=" + "ü/../" * 100,
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_stay_inside_the_archive(url: str) -> None:
    path = article_path("src", NOV, canonical(url), lambda _: False)
    assert is_safe_path(path), path
    parts = PurePosixPath(path).parts
    assert parts[:3] == ("src", "2026", "11")
    assert len(parts) == 4
    assert all(0 < len(p.encode()) <= 100 for p in parts)
    assert ".." not in parts
    assert not path.startswith("/")


def test_collisions_get_a_hash_suffix_and_stay_distinct() -> None:
    taken: set[str] = set()
    urls = [
        "https://example.org/a-b",
        "https://example.org/a_b",
        "https://example.org/A-B",
        "https://example.org/a.b",
    ]
    paths = []
    for url in urls:
        path = article_path("src", NOV, url, taken.__contains__)
        taken.add(path)
        paths.append(path)
    assert len(set(paths)) == len(urls)
    assert paths[0] == "src/2026/11/a-b.md"
    assert all(p.startswith("src/2026/11/a-b-") for p in paths[1:])


def test_long_urls_are_cut_with_a_hash() -> None:
    base = "https://example.org/" + "word-" * 40
    a, b = slug(base + "one"), slug(base + "two")
    assert a != b
    assert len(a) <= 80
    assert a.endswith(a[-8:])


def test_month_folder_is_the_first_seen_month() -> None:
    path = article_path("bbc", datetime(2015, 9, 18, 23, 59, tzinfo=UTC), "https://x.org/a", lambda _: False)
    assert path == "bbc/2015/09/a.md"


@pytest.mark.parametrize(
    "path", ["../x.md", "/etc/passwd", "bbc/2015/09/../../x.md", "bbc/2015/09/.md", ".git/config"]
)
def test_unsafe_paths_are_recognised(path: str) -> None:
    assert not is_safe_path(path)
