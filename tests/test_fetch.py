"""Politeness and limits of the HTTP layer, against a real server that counts requests."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Page, Site, article_html, make_archive, rss

from journal.addresses import is_public
from journal.errors import FetchError
from journal.fetch import Fetcher, Response, _retry_after
from journal.models import FetchSettings

LOCAL = FetchSettings(allow_private=True, delay=0.0, timeout=5.0)


def get(url: str, settings: FetchSettings = LOCAL, **kwargs: str) -> Response:
    async def go() -> Response:
        async with Fetcher(settings) as fetcher:
            return await fetcher.get(url, **kwargs)

    return asyncio.run(go())


def error(url: str, settings: FetchSettings = LOCAL) -> str:
    with pytest.raises(FetchError) as caught:
        get(url, settings)
    return str(caught.value)


@pytest.fixture
def other_site() -> Iterator[Site]:
    """A second host on the loopback network: 127.0.0.2."""
    s = Site(host="127.0.0.2")
    yield s
    s.close()


def test_user_agent_is_the_configured_one(site: Site) -> None:
    url = site.put("/a", "<p>hi</p>")
    get(url, FetchSettings(allow_private=True, delay=0, user_agent="journal/0.1 (+https://ex.org/contact)"))
    agents = {headers["user-agent"] for _, headers in site.requests}
    assert agents == {"journal/0.1 (+https://ex.org/contact)"}


def test_robots_disallowed_urls_are_never_requested(site: Site, cli: Cli) -> None:
    site.put("/robots.txt", "User-agent: journal\nDisallow: /private/\n", Content_Type="text/plain")
    secret = site.put("/private/story", article_html("Secret", PARAS))
    public = site.put("/public/story", article_html("Public", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": secret}, {"link": public}])))
    site.requests.clear()  # source add tried the feed once
    summary = cli.json("update")
    assert site.hits("/private/story") == 0
    assert site.hits("/public/story") == 1
    assert site.hits("/robots.txt") == 1
    assert summary["totals"]["new"] == 1
    assert [f["error"] for f in summary["failures"]] == ["disallowed by robots.txt"]


def test_robots_txt_for_other_agents_does_not_apply(site: Site) -> None:
    site.put("/robots.txt", "User-agent: otherbot\nDisallow: /\n", Content_Type="text/plain")
    assert get(site.put("/a", "<p>x</p>")).status == 200


def test_in_flight_requests_to_one_host_never_exceed_per_host(site: Site, tmp_path: object) -> None:
    site.delay = 0.2
    links = [site.put(f"/s/{i}", article_html(f"Story {i}", PARAS)) for i in range(8)]
    from pathlib import Path

    cli = make_archive(Path(str(tmp_path)) / "a", per_host=2)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    assert cli.json("update")["totals"]["new"] == 8
    assert site.max_in_flight == 2  # the limit held, and was used


def test_delay_spaces_requests_to_one_host(site: Site) -> None:
    urls = [site.put(f"/d/{i}", "<p>x</p>") for i in range(3)]

    async def go() -> list[float]:
        async with Fetcher(FetchSettings(allow_private=True, delay=0.3, per_host=3)) as fetcher:
            await fetcher.get(urls[0])  # robots.txt and the first page
            start = time.monotonic()
            await asyncio.gather(*(fetcher.get(u) for u in urls))
            return [time.monotonic() - start]

    elapsed = asyncio.run(go())[0]
    assert elapsed >= 0.3 * 3 - 0.05


def test_second_fetch_of_unchanged_page_is_conditional(site: Site, cli: Cli) -> None:
    url = site.put(
        "/a", article_html("Etag", PARAS), ETag='"v1"', Last_Modified="Mon, 02 Nov 2026 09:30:00 GMT"
    )
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    site.requests.clear()  # source add tried the feed once
    cli("update")
    summary = cli.json("update", "--force")
    page_requests = [h for p, h in site.requests if p == "/a"]
    assert "if-none-match" not in page_requests[0]
    assert page_requests[1]["if-none-match"] == '"v1"'
    assert page_requests[1]["if-modified-since"] == "Mon, 02 Nov 2026 09:30:00 GMT"
    assert summary["totals"]["unchanged"] == 1
    feed_requests = [h for p, h in site.requests if p == "/feed.xml"]
    assert len(feed_requests) == 2


def test_a_304_after_a_failed_check_is_not_trusted(site: Site, cli: Cli) -> None:
    url = site.put("/a", article_html("Etag", PARAS), ETag='"v1"')
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    site.put("/a", "oops", status=503)
    failed = cli("update", "--force", "--json", ok=False)
    assert failed.exit_code == 1  # the one article could not be fetched
    assert json.loads(failed.stdout)["totals"]["failed"] == 1
    site.put("/a", article_html("Etag", PARAS), ETag='"v1"')
    cli("update", "--force")
    last = [h for p, h in site.requests if p == "/a"][-1]
    assert "if-none-match" not in last  # fetched in full after the failure


def test_declared_oversize_body_is_refused(site: Site) -> None:
    url = site.put("/big", b"x" * 2048)
    message = error(url, FetchSettings(allow_private=True, delay=0, max_bytes=1024))
    assert "over max_bytes" in message


def _streaming(size: int, chunk: bytes) -> Page:
    def handler(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Connection", "close")
        req.end_headers()
        sent = 0
        try:
            while sent < size:
                req.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        req.close_connection = True

    return Page(b"", handler=handler)


_BOMB_SIZE = 300_000_000


def _bomb() -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 1_000_000
    return b"".join([*(z.compress(block) for _ in range(_BOMB_SIZE // len(block))), z.flush()])


def _peak_rss_fetch(url: str, max_bytes: int) -> tuple[str, int]:
    """Fetch in a fresh process; return its error and peak RSS in MB."""
    code = textwrap.dedent(
        f"""
        import asyncio
        from journal.fetch import Fetcher
        from journal.models import FetchSettings
        from journal.errors import FetchError
        async def go():
            async with Fetcher(FetchSettings(allow_private=True, delay=0, timeout=60, max_bytes={max_bytes})) as f:
                try:
                    await f.get({url!r})
                    print("fetched")
                except FetchError as e:
                    print(e)
        asyncio.run(go())
        # VmHWM is this process's own peak: ru_maxrss would also count the
        # memory of the parent it was forked from.
        status = open("/proc/self/status").read()
        print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    message, rss_mb = out.stdout.strip().splitlines()
    return message, int(rss_mb)


def test_300_mb_body_is_refused_with_memory_bounded(site: Site) -> None:
    site.pages["/huge"] = _streaming(300_000_000, b"<p>" + b"a" * 65536 + b"</p>")
    message, rss_mb = _peak_rss_fetch(site.url("/huge"), 10_000_000)
    assert "over max_bytes" in message
    assert rss_mb < 150


def test_gzip_bomb_is_refused_with_memory_bounded(site: Site) -> None:
    bomb = _bomb()
    assert len(bomb) < 1_000_000
    site.put("/bomb", bomb, Content_Encoding="gzip")
    message, rss_mb = _peak_rss_fetch(site.url("/bomb"), 10_000_000)
    assert "over max_bytes" in message
    assert rss_mb < 150


def test_gzip_and_deflate_bodies_are_decoded(site: Site) -> None:
    html = article_html("Zipped", PARAS).encode()
    assert get(site.put("/gz", gzip.compress(html), Content_Encoding="gzip")).body == html
    assert get(site.put("/zl", zlib.compress(html), Content_Encoding="deflate")).body == html
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert get(site.put("/raw", raw.compress(html) + raw.flush(), Content_Encoding="deflate")).body == html


def test_a_whole_gzip_body_is_kept_as_sent(site: Site) -> None:
    html = article_html("Zipped", PARAS).encode()
    sent = gzip.compress(html, mtime=0)
    assert get(site.put("/gz", sent, Content_Encoding="gzip")).gzipped == sent
    # Anything else is not kept as sent: trailing bytes, zlib under "gzip", other encodings.
    assert get(site.put("/tail", sent + b"junk", Content_Encoding="gzip")).gzipped is None
    assert get(site.put("/zlib", zlib.compress(html), Content_Encoding="gzip")).body == html
    assert get(site.put("/zlib", zlib.compress(html), Content_Encoding="gzip")).gzipped is None
    assert get(site.put("/plain", html)).gzipped is None


def test_loopback_is_refused_unless_allowed(site: Site) -> None:
    url = site.put("/a", "<p>x</p>")
    message = error(url, FetchSettings(delay=0))
    assert "private or loopback" in message
    assert "allow_private" in message
    assert site.requests == []


def test_redirect_to_a_private_address_is_refused(site: Site, other_site: Site) -> None:
    """127.0.0.2 is allowed by name; it redirects to 127.0.0.1, which is not."""
    target = site.put("/inside", "<p>secret</p>")
    start = other_site.put("/go", "", status=302, Location=target)
    settings = FetchSettings(allow_networks=("127.0.0.2/32",), delay=0)
    assert "private or loopback" in error(start, settings)
    assert other_site.hits("/go") == 1
    assert site.requests == []


def test_redirects_are_followed_to_a_bounded_depth(site: Site) -> None:
    for i in range(10):
        site.put(f"/r{i}", "", status=301, Location=f"/r{i + 1}")
    site.put("/r10", "<p>end</p>")
    assert get(site.url("/r6")).url == site.url("/r10")
    assert "redirects" in error(site.url("/r0"))


def test_redirect_loop_is_reported(site: Site) -> None:
    site.put("/a", "", status=302, Location="/b")
    site.put("/b", "", status=302, Location="/a")
    assert "redirect loop" in error(site.url("/a"))


def test_slow_drip_is_cut_off_by_the_deadline(site: Site) -> None:
    def drip(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Content-Length", "1000")
        req.end_headers()
        try:
            for _ in range(1000):
                req.wfile.write(b"x")
                req.wfile.flush()
                time.sleep(0.5)
        except (BrokenPipeError, ConnectionResetError):
            pass

    site.pages["/drip"] = Page(b"", handler=drip)
    started = time.monotonic()
    assert "timed out" in error(site.url("/drip"), FetchSettings(allow_private=True, delay=0, timeout=1.5))
    assert time.monotonic() - started < 4


def test_non_html_content_is_refused(site: Site) -> None:
    url = site.put("/file.pdf", b"%PDF-1.4", Content_Type="application/pdf")
    assert "not an HTML page" in error(url)


def test_dead_host_is_a_transient_error() -> None:
    with pytest.raises(FetchError) as caught:
        get("http://127.0.0.1:9/nothing-listens-here")
    assert caught.value.transient
    assert "cannot connect" in str(caught.value)


def test_404_and_410_are_answers_not_errors(site: Site) -> None:
    assert get(site.url("/missing")).status == 404
    assert get(site.put("/gone", "", status=410)).status == 410


def test_conditional_checks_reuse_one_connection(site: Site) -> None:
    urls = [site.put(f"/c/{i}", "<p>x</p>", ETag=f'"e{i}"') for i in range(5)]

    async def go() -> list[int]:
        async with Fetcher(FetchSettings(allow_private=True, delay=0, per_host=1)) as fetcher:
            await fetcher.get(site.url("/missing"))  # robots.txt and a 404 first
            answers = []
            for i, url in enumerate(urls):
                answers.append((await fetcher.get(url, etag=f'"e{i}"')).status)
            return answers

    assert asyncio.run(go()) == [304] * 5
    assert site.connections == 1


# -- the per-host gate and the deadline ---------------------------------------------------


def _slow(seconds: float) -> Page:
    def handler(req: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.send_header("Content-Length", "8")
        req.end_headers()
        req.wfile.write(b"<p>x</p>")

    return Page(b"", handler=handler)


def test_cancelled_requests_give_their_host_slot_back(site: Site) -> None:
    """Requests cancelled while they wait for their start, or while on the wire, leave
    both of the host's slots free: two later requests are in flight together."""
    site.pages["/slow"] = _slow(1.0)
    site.put("/robots.txt", "", Content_Type="text/plain")
    settings = FetchSettings(allow_private=True, delay=0.4, per_host=2, timeout=10)

    async def go() -> None:
        async with Fetcher(settings) as fetcher:
            await fetcher.get(site.url("/robots.txt"))
            burst = [asyncio.ensure_future(fetcher.get(site.url("/slow"))) for _ in range(6)]
            await asyncio.sleep(0.2)  # one on the wire, one waiting for its start, four queued
            for task in burst:
                task.cancel()
            await asyncio.gather(*burst, return_exceptions=True)
            await asyncio.sleep(1.5)  # the server finishes what it had started
            site.max_in_flight = 0
            later = [fetcher.get(site.url("/slow")) for _ in range(2)]
            await asyncio.wait_for(asyncio.gather(*later), timeout=8)

    asyncio.run(go())
    assert site.max_in_flight == 2


def test_waiting_for_a_turn_at_a_host_is_not_counted_in_the_timeout(site: Site) -> None:
    urls = [site.put(f"/q/{i}", "<p>x</p>") for i in range(8)]
    settings = FetchSettings(allow_private=True, delay=0.3, per_host=1, timeout=1.0)

    async def go() -> list[Response | BaseException]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.get(u) for u in urls), return_exceptions=True)

    answers = asyncio.run(go())
    assert [a.status if isinstance(a, Response) else str(a) for a in answers] == [200] * 8


def test_a_big_outlet_comes_through_whole_at_the_default_pace(site: Site, tmp_path: Path) -> None:
    """200 articles on one host with the default ratio of timeout to delay (30) and the
    default per_host and concurrency, scaled down 20 times: every article is checked."""
    links = [site.put(f"/story/{i}", article_html(f"Story {i}", PARAS)) for i in range(200)]
    cli = make_archive(tmp_path / "a", per_host=2, delay=0.05, timeout=1.5)
    cli("source", "add", "outlet", site.put("/feed.xml", rss([{"link": link} for link in links])))
    summary = cli.json("update")
    assert summary["totals"]["new"] == 200
    assert summary["failures"] == []
    assert site.max_in_flight <= 2


# -- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:8.8.8.8", True),  # mapped
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("100.64.0.1", False),  # shared address space (carrier NAT)
        ("169.254.169.254", False),  # cloud metadata
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # mapped loopback
        ("64:ff9b::7f00:1", False),  # NAT64 of loopback
        ("64:ff9b:1::808:808", False),  # local-use NAT64
        ("::ffff:0:7f00:1", False),  # IPv4-translated loopback
        ("::ffff:0:808:808", False),  # IPv4-translated: never a public address
        ("::127.0.0.1", False),  # IPv4-compatible (deprecated)
        ("2002:7f00:1::1", False),  # 6to4 of loopback
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo
    ],
)
def test_only_global_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0177.0.0.1", "127.1", "0x7f.0.0.1", "0x7f000001", "[::ffff:0:7f00:1]", "[::127.0.0.1]"],
)
def test_numeric_spellings_of_loopback_are_refused_not_retried(site: Site, host: str) -> None:
    port = site.server.server_address[1]
    with pytest.raises(FetchError) as caught:
        get(f"http://{host}:{port}/a", FetchSettings(delay=0))
    assert "private or loopback" in str(caught.value)
    assert not caught.value.transient
    assert site.requests == []


def test_an_address_spelled_as_a_number_is_refused_even_when_private_ones_are_allowed(site: Site) -> None:
    port = site.server.server_address[1]
    with pytest.raises(FetchError) as caught:
        get(f"http://127.1:{port}/a")
    assert "127.0.0.1" in str(caught.value)
    assert not caught.value.transient
    assert site.requests == []


def test_a_latin_1_location_is_followed(site: Site) -> None:
    def redirect(req: BaseHTTPRequestHandler) -> None:
        req.wfile.write(b"HTTP/1.1 302 Found\r\nLocation: /caf\xe9\r\nContent-Length: 0\r\n\r\n")

    site.pages["/r"] = Page(b"", handler=redirect)
    site.put("/caf%E9", "<p>the caf\xe9 page</p>")
    answer = get(site.url("/r"))
    assert answer.url == site.url("/caf%E9")
    assert b"page" in answer.body


def test_retry_after_rests_the_host_and_only_that_host(site: Site, other_site: Site) -> None:
    site.put("/busy", "", status=503, Retry_After="120")
    site.put("/later", "<p>x</p>")
    elsewhere = other_site.put("/fine", "<p>x</p>")

    async def go() -> tuple[str, str, int]:
        async with Fetcher(LOCAL) as fetcher:
            with pytest.raises(FetchError) as first:
                await fetcher.get(site.url("/busy"))
            with pytest.raises(FetchError) as second:
                await fetcher.get(site.url("/later"))
            return str(first.value), str(second.value), (await fetcher.get(elsewhere)).status

    busy, later, fine = asyncio.run(go())
    assert "Retry-After" in busy
    assert "120s" in busy
    assert "Retry-After" in later
    assert site.hits("/later") == 0  # the host was left alone
    assert fine == 200


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("Wed, 02 Dec 2026 10:01:00 GMT", 60.0), ("soon", None), ("", None), ("-5", None)],
)
def test_retry_after_is_read_as_seconds_or_a_date(header: str, seconds: float | None) -> None:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC).timestamp()
    assert _retry_after(header, now) == seconds
