"""Random Unicode and random URL strings through every door the web opens (hypothesis):
feed parsing, identity, paths, commit messages, the fetcher and the web routes. Each
answers with its own error or a value, never an exception nobody expected."""

from __future__ import annotations

import asyncio
import contextlib
import html
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from conftest import PARAS, Page, Site, article_html, make_archive, rss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from journal import commits, feeds
from journal.addresses import numeric_host
from journal.archive import Archive
from journal.errors import FeedError, FetchError
from journal.fetch import Fetcher
from journal.models import Change, FetchSettings
from journal.urls import BadURL, article_path, canonical, host_of, is_safe_path
from journal.web.app import create_app

WHEN = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
UNICODE = st.text(st.characters(codec="utf-8"), max_size=60)
_URL_PIECES = st.sampled_from(
    ["http://", "https://", "HTTP://", "ftp://", "//", "[", "]", "::1", "[::1", "zz", ":", "@", "%", "%zz", "%00",
     "#", "?", "&", "=", "/", "\\", "..", ".", " ", "\t", "\n", "a", "é", "例え", "xn--", "0177.0.0.1", "127.1",
     "2130706433", "host", ":80", ":99999", ":-1", "user:pw@", "\u202e", "\x00", "\ufeff", "javascript:"]
)  # fmt: skip
URLS = st.one_of(
    st.lists(_URL_PIECES, max_size=12).map("".join),
    st.builds(lambda a, b: f"http://{a}/{b}", st.lists(_URL_PIECES, max_size=5).map("".join), UNICODE),
    UNICODE,
)


def _feed(links: list[str], titles: list[str], atom: bool) -> bytes:
    def text(value: str) -> str:  # what XML can carry of it
        return html.escape(
            "".join(c for c in value if c in "\t\n\r" or (ord(c) >= 0x20 and c not in "\ufffe\uffff"))
        )

    if atom:
        entries = "".join(
            f'<entry><title>{text(t)}</title><link href="{text(link)}"/><id>{text(link)}</id></entry>'
            for link, t in zip(links, titles, strict=False)
        )
        return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{entries}</feed>'.encode()
    return rss(
        [
            {"link": text(link), "title": text(t), "guid": text(t)}
            for link, t in zip(links, titles, strict=False)
        ]
    ).encode()


@settings(max_examples=300, deadline=None)
@given(st.lists(URLS, min_size=1, max_size=6), st.lists(UNICODE, min_size=6, max_size=6), st.booleans(), URLS)
def test_feeds_of_random_links_and_titles_give_entries_or_a_feed_error(
    links: list[str], titles: list[str], atom: bool, feed_url: str
) -> None:
    try:
        result = feeds.parse(_feed(links, titles, atom), feed_url)
    except FeedError:
        return
    for entry in result.entries:
        assert canonical(entry.link) == entry.link
        assert urlsplit(entry.link).scheme in ("http", "https")
        assert "\n" not in entry.title and "\n" not in (entry.guid or "")


@settings(max_examples=500, deadline=None)
@given(URLS, UNICODE, UNICODE)
def test_identity_paths_and_commit_messages_of_random_urls(url: str, title: str, summary: str) -> None:
    host_of(url)
    try:
        link = canonical(url)
    except BadURL:
        return
    assert canonical(link) == link
    path = article_path("news", WHEN, link, lambda _: False)
    assert is_safe_path(path)
    message = commits.CommitMessage("news", title, link, 1, Change.NEW, WHEN, summary, extractor="x 1")
    subject, _, trailers = commits.parse(message.render())
    assert subject.startswith("news: ") and "\n" not in subject
    assert trailers["Url"] == commits.single_line(link, 2000)
    assert set(trailers) <= set(commits.TRAILER_KEYS)


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS at the process edge: every name is 127.0.0.2, which no fuzzed request may reach,
    so nothing leaves the machine and nothing on it but the test's server is asked."""

    def resolve(host: Any, port: Any, family: int = 0, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def _reachable_elsewhere(url: str) -> bool:
    """Whether a URL names an address literal (which the fuzz must not ask)."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return bool(host) and numeric_host(host) is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(URLS)
def test_fetching_random_urls_is_a_response_or_a_fetch_error(nowhere: None, url: str) -> None:
    if _reachable_elsewhere(url):
        return

    async def go() -> None:
        async with Fetcher(FetchSettings(delay=0, timeout=2)) as fetcher:
            with contextlib.suppress(FetchError):
                await fetcher.get(url)

    asyncio.run(go())


@pytest.fixture(scope="module")
def redirecting() -> Iterator[tuple[Site, list[str]]]:
    """A server whose /go answers 302 with whatever Location the test puts in the list."""
    site = Site()
    location: list[str] = [""]

    def handler(req: BaseHTTPRequestHandler) -> None:
        raw = location[0].encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"")
        req.wfile.write(b"HTTP/1.1 302 Found\r\nLocation: " + raw + b"\r\nContent-Length: 0\r\n\r\n")

    site.pages["/go"] = Page(b"", handler=handler)
    site.put("/robots.txt", "", Content_Type="text/plain")
    yield site, location
    site.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(URLS)
def test_a_random_location_header_is_followed_or_a_fetch_error(
    nowhere: None, redirecting: tuple[Site, list[str]], target: str
) -> None:
    site, location = redirecting
    if _reachable_elsewhere(target):
        return
    location[0] = target
    allowed = FetchSettings(delay=0, timeout=2, allow_networks=("127.0.0.1/32",))

    async def go() -> None:
        async with Fetcher(allowed) as fetcher:
            with contextlib.suppress(FetchError):
                await fetcher.get(site.url("/go"))

    asyncio.run(go())


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    site = Site()
    try:
        cli = make_archive(tmp_path_factory.mktemp("fuzz") / "archive")
        story = site.put("/story", article_html("A story", PARAS))
        cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": story}])))
        cli("update")
        site.put("/story", article_html("A story, edited", PARAS[:5]))
        cli("update", "--force")
        sid = cli.json("articles")[0]["id"]
    finally:
        site.close()
    with TestClient(create_app(Archive.open(Path(cli.archive)))) as made:
        yield made, sid


ROUTES = [
    "/articles/{x}",
    "/articles/{sid}/versions/{x}",
    "/articles/{sid}/diff/{x}/{y}",
    "/articles/{sid}/diff?a={x}&b={y}",
    "/articles/{x}/feed.atom",
    "/sources/{x}",
    "/sources/daily?page={x}&articles={y}",
    "/search?q={x}&page={y}",
    "/feed.atom?min_size={x}",
    "/api/articles?source={x}&page={y}&per_page={x}",
    "/api/articles/{x}",
    "/api/articles/{sid}/diff/{x}/{y}",
    "/{x}/{y}",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ROUTES), UNICODE, UNICODE, st.booleans())
def test_web_routes_answer_random_text_without_a_server_error(
    client: tuple[TestClient, str], route: str, x: str, y: str, raw: bool
) -> None:
    web, sid = client
    safe = "/?&=%" if raw else ""  # raw: the text as a client might send it, slashes and all
    path = route.format(sid=sid, x=quote(x, safe=safe), y=quote(y, safe=safe))
    answer = web.get(path, follow_redirects=False)
    assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])
