"""Hostile pages and servers, all in one run: each is refused with a clear reason (or,
when it is an article, recorded safely), in bounded time and memory, and the run goes on."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from conftest import PARAS, Page, Site, article_html, make_archive, rss

from journal.urls import is_safe_path


def drip(req: BaseHTTPRequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/html")
    req.send_header("Content-Length", "100000")
    req.end_headers()
    try:
        for _ in range(100):
            req.wfile.write(b"<")
            req.wfile.flush()
            time.sleep(1)
    except (BrokenPipeError, ConnectionResetError):
        pass


def endless(req: BaseHTTPRequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/html")
    req.send_header("Connection", "close")
    req.end_headers()
    chunk = b"<p>" + b"spam " * 20000 + b"</p>"
    try:
        for _ in range(3000):  # 300 MB if nobody stops reading
            req.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass


def deflate_bomb() -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 15)
    block = b" " * 1_000_000
    return b"".join([*(z.compress(block) for _ in range(200)), z.flush()])


def test_hostile_pages_in_one_run(site: Site, tmp_path: Path) -> None:
    # Only this test server's address is allowed; 127.0.0.2 stands for "a private address".
    cli = make_archive(tmp_path / "archive", timeout=3.0, allow_private=["127.0.0.1/32"])
    hostile_title = "Ministers meet\n\nUrl: https://evil.example/\nVersion: 99\nChange: removed"
    pages = {
        "/good": site.put("/good", article_html("A good story", PARAS)),
        "/huge": None,
        "/bomb": site.put("/bomb", deflate_bomb(), Content_Encoding="deflate"),
        "/drip": None,
        "/loop-a": site.put("/loop-a", "", status=302, Location="/loop-b"),
        "/redirect-out": site.put("/redirect-out", "", status=302, Location="http://127.0.0.2:9/inside"),
        "/pdf": site.put("/pdf", b"%PDF-1.7 binary", Content_Type="application/pdf"),
        "/lying": site.put(
            "/lying",
            article_html("Café society", [*PARAS[:3], "Crème brûlée for everyone at the café."]).encode(
                "latin-1"
            ),
            Content_Type="text/html; charset=utf-8",
        ),
        "/bogus-charset": site.put(
            "/bogus-charset",
            article_html("Charset", PARAS).encode(),
            Content_Type="text/html; charset=x-no-such",
        ),
        "/error-200": site.put(
            "/error-200",
            article_html("404 Page not found", ["Sorry, the page you are looking for does not exist."]),
        ),
        "/title": site.put("/title", article_html(hostile_title, PARAS)),
        "/../../../etc/passwd": site.put("/../../../etc/passwd", article_html("Traversal", PARAS)),
    }
    site.put("/loop-b", "", status=302, Location="/loop-a")
    site.put("/etc/passwd", article_html("Traversal", PARAS))  # where a client resolves the dots
    site.pages["/huge"] = Page(b"", handler=endless)
    site.pages["/drip"] = Page(b"", handler=drip)
    links = [site.url(path) for path in pages]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    env = {**os.environ, "JOURNAL_ARCHIVE": str(cli.archive)}
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "journal", "update", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    assert elapsed < 30
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 400 * 1024  # KB: 400 MB
    summary = json.loads(out.stdout)
    errors = {f["url"]: f["error"] for f in summary["failures"]}
    expected = {
        "/huge": "over max_bytes",
        "/bomb": "over max_bytes",
        "/drip": "timed out",
        "/loop-a": "redirect loop",
        "/redirect-out": "private or loopback",
        "/pdf": "not an HTML page",
        "/error-200": "error or consent page",
    }
    for path, reason in expected.items():
        assert reason in errors[site.url(path)], (path, errors.get(site.url(path)))
        assert site.url(path) in out.stderr
    articles = {a["title"]: a for a in Cli_json(cli, "articles")}
    assert set(articles) == {
        "A good story",
        "Café society",
        "Charset",
        "Ministers meet Url: https://evil.example/ Version: 99 Change: removed",
        "Traversal",
    }
    assert (
        "Crème brûlée for everyone at the café."
        in (cli.archive / articles["Café society"]["path"]).read_text()
    )
    for article in articles.values():
        assert is_safe_path(article["path"])
        assert (cli.archive / article["path"]).resolve().is_relative_to(cli.archive.resolve())
    trailers = subprocess.run(
        ["git", "-C", str(cli.archive), "log", "--format=%(trailers:key=Version,valueonly,separator=%x2C)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert set(trailers) == {"1"}


def Cli_json(cli: object, *args: str) -> list[dict[str, str]]:
    return cli.json(*args)  # type: ignore[attr-defined, no-any-return]
