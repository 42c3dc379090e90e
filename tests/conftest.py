"""Shared fixtures: a real HTTP server on 127.0.0.1, real archives, the real CLI."""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journal.cli import app


@dataclass
class Page:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None  # full control


def reply(req: BaseHTTPRequestHandler, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
    """Answer a request 200 with `body` (for pages a test serves through a handler of its own)."""
    req.send_response(200)
    req.send_header("Content-Type", content_type)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)


class Site:
    """A tiny web site whose pages a test can swap while it runs."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0
        self.lock = threading.Lock()
        self.delay = 0.0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with site.lock:
                    site.connections += 1

            def do_GET(self) -> None:
                with site.lock:
                    site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    if site.delay:
                        time.sleep(site.delay)
                    page = site.pages.get(self.path)
                    if page is None:
                        self._send(404, {"Content-Type": "text/plain"}, b"not found")
                    elif page.handler is not None:
                        page.handler(self)
                    else:
                        etag = page.headers.get("ETag")
                        if etag and self.headers.get("If-None-Match") == etag:
                            self._send(304, {"ETag": etag}, b"")
                        else:
                            self._send(page.status, page.headers, page.body)
                finally:
                    with site.lock:
                        site.in_flight -= 1

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients hanging up mid-response are part of several tests

        self.host = host
        self.server = Server((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, body: str | bytes, status: int = 200, **headers: str) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = {
            "Content-Type": "text/html; charset=utf-8",
            **{k.replace("_", "-"): v for k, v in headers.items()},
        }
        self.pages[path] = Page(data, status, all_headers)
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    byline: str | None = "Jane Reporter",
    published: str | None = "2026-11-02T09:30:00Z",
    canonical: str | None = None,
    extra_head: str = "",
    chrome: bool = True,
    blocks: dict[int, str] | None = None,
) -> str:
    """A realistic news page: site chrome around one <article>. `blocks` puts raw HTML (a
    figure, a list of links) before the paragraph of that index (at the end for an index
    past the last)."""
    esc = html.escape
    head = [
        f"<title>{esc(title)} | The Daily Fixture</title>",
        f'<meta property="og:title" content="{esc(title)}">',
    ]
    if byline:
        head.append(f'<meta name="author" content="{esc(byline)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{esc(canonical)}">')
    parts = [f"<p>{esc(p)}</p>" for p in paragraphs] + [""]
    for at, markup in sorted((blocks or {}).items(), reverse=True):
        parts.insert(min(at, len(paragraphs)), markup)
    body = "\n".join(part for part in parts if part)
    nav = (
        '<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>'
        '<li><a href="/business">Business</a></li></ul></nav>'
        if chrome
        else ""
    )
    footer = "<footer><p>© The Daily Fixture. All rights reserved.</p></footer>" if chrome else ""
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{''.join(head)}{extra_head}</head>"
        f"<body>{nav}<main><article><h1>{esc(title)}</h1>"
        + (f"<p class='byline'>By {esc(byline)}</p>" if byline else "")
        + f"{body}</article></main>{footer}</body></html>"
    )


def figure(caption: str, src: str | None = None, *, credit: str | None = None, video: bool = False) -> str:
    """A news site's <figure>: a photo (or a video's poster) and its caption."""
    esc = html.escape
    media = ""
    if src is not None:
        media = f'<video poster="{esc(src)}"></video>' if video else f'<img src="{esc(src)}" alt="">'
    credit_html = f' <span class="credit">{esc(credit)}</span>' if credit else ""
    label = f"<figcaption>{esc(caption)}{credit_html}</figcaption>" if caption or credit else ""
    return f"<figure>{media}{label}</figure>"


def rss(items: list[dict[str, str]], title: str = "Fixture News") -> str:
    parts = []
    for item in items:
        guid = item.get("guid")
        guid_xml = f'<guid isPermaLink="false">{html.escape(guid)}</guid>' if guid else ""
        parts.append(
            f"<item><title>{html.escape(item.get('title', 'x'))}</title>"
            f"<link>{html.escape(item['link'])}</link>{guid_xml}"
            f"<pubDate>Mon, 02 Nov 2026 09:30:00 GMT</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>http://example.org/</link>"
        f"<description>fixture</description>{''.join(parts)}</channel></rss>"
    )


PARAS = [
    "Top officials from both countries held their first talks in more than a year on Friday, "
    "a statement from the ministry said after the meeting ended.",
    "The two sides discussed areas where their perspectives overlap and areas of divergence, "
    "according to officials familiar with the conversation.",
    "Analysts said the call showed both governments wanted to avoid accidental encounters "
    "while their forces operate in the same region.",
    "The talks lasted nearly an hour and covered the security of air corridors, the exchange "
    "of liaison officers and a schedule for further meetings.",
    "Critics of the approach warned that the talks could lend legitimacy to a military build-up "
    "that has alarmed neighbouring states for months.",
    "A spokesman declined to say whether the leaders themselves would speak in the coming weeks, "
    "saying only that contacts would continue at every level.",
]


class Cli:
    """The real `journal` command, run in-process through typer's CliRunner."""

    def __init__(self, archive: Path):
        self.archive = archive
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, input: str | None = None) -> Any:
        result = self.runner.invoke(
            app, ["--archive", str(self.archive), *args], catch_exceptions=False, input=input
        )
        if ok and result.exit_code != 0:
            raise AssertionError(f"journal {' '.join(args)} exited {result.exit_code}:\n{result.output}")
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


def make_archive(path: Path, **fetch: Any) -> Cli:
    """An archive that may fetch from 127.0.0.1, with no politeness delay (tests only)."""
    cli = Cli(path)
    cli("init")
    from journal import config

    toml = path / "journal.toml"
    text = toml.read_text()
    text = config.set_key(text, "fetch", "allow_private", True)
    text = config.set_key(text, "fetch", "delay", 0.0)
    for key, value in fetch.items():
        text = config.set_key(text, "fetch", key, value)
    from datetime import UTC, datetime

    from journal.archive import Archive
    from journal.sources import commit_config

    commit_config(Archive.open(path), text, "journal: test settings", "", datetime.now(UTC))
    return cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return make_archive(tmp_path / "archive")


@contextmanager
def serving(asgi_app: Any, limits: Any = None) -> Iterator[str]:
    """An ASGI app under uvicorn on 127.0.0.1 (a free port), set up as `journal serve`
    sets it up (with other connection limits if given); yields its base URL."""
    import uvicorn

    from journal.web import server as web_server

    server = uvicorn.Server(web_server.config(asgi_app, "127.0.0.1", 0, limits, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        from urllib.parse import parse_qs

        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class Webhook:
    """A webhook receiver on 127.0.0.1: records every whole POST; `status` sets the answer,
    `delay` holds it back (a sender killed then has sent a message it never hears about)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 200
        self.delay = 0.0  # seconds between taking a message and answering
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) == length:  # a sender killed mid-request delivered nothing
                    with hook.lock:
                        if hook.status == 200:
                            hook.received.append(Received(self.path, dict(self.headers), body))
                time.sleep(hook.delay)
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def arrivals(self) -> list[float]:
        return [m.at for m in self.messages()]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; `mails` are the parsed messages."""

    def __init__(self) -> None:
        import socket
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        self.mails: list[Any] = []
        box = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                box.mails.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        with socket.socket() as probe:  # aiosmtpd needs a port named in advance
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self, to: str = "desk@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?to={to}&from=journal@example.org&mode=insecure"

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.close()
