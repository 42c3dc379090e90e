"""The only HTTP user: honest User-Agent, robots.txt, per-host limits, bounded everything.

- at most `per_host` requests in flight to one host, and `delay` seconds between starts;
- robots.txt fetched once per host (cached in the state database for a day) and obeyed;
- conditional GET when the caller passes validators (ETag / Last-Modified);
- a total deadline per request (a server dripping one byte a second is cut off);
- `max_bytes` enforced on the *decoded* body while streaming (gzip bombs included):
  a larger body is refused, never truncated;
- redirects followed by hand to a bounded depth, loops detected;
- connections to loopback, private, link-local or otherwise non-public addresses
  refused unless `allow_private`, checked on the resolved address at connect time,
  so a redirect or a DNS answer cannot smuggle a request inside.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import socket
import ssl
import time
import urllib.robotparser
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

import aiohttp
import certifi
from aiohttp.abc import AbstractResolver, ResolveResult

from journal.addresses import BlockedAddress, Guard, private_message
from journal.errors import FetchError
from journal.models import FetchSettings
from journal.normalize import single_line

if TYPE_CHECKING:
    from journal.browser import Browser

ROBOTS_TTL = 24 * 3600
MAX_REST = 24 * 3600  # the longest Retry-After pause honoured
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Response:
    """What a GET came back with. `status` is 200, 304 (not modified), 404 or 410."""

    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    gzipped: bytes | None = None  # the body as the server gzipped it (one whole gzip member)

    @property
    def body_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


class RobotsStore(Protocol):
    """Where robots.txt answers are kept between runs (the state database)."""

    def robots(self, host: str) -> tuple[str, int, float] | None: ...

    def save_robots(self, host: str, body: str, status: int, fetched: float) -> None: ...


class _GuardedResolver(AbstractResolver):
    """Resolves names and hands aiohttp only addresses the guard allows, so the
    address checked is the address connected to (no second lookup to race)."""

    def __init__(self, guard: Guard):
        self._guard = guard
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            found = await self._inner.resolve(host, port, family)
        except OSError as exc:
            raise FetchError(f"cannot resolve host {host!r} ({exc.strerror or exc})") from None
        allowed = [r for r in found if self._guard.allowed(r["host"])]
        if not allowed:
            raise BlockedAddress(private_message(host, found[0]["host"] if found else "?"))
        return allowed

    async def close(self) -> None:
        await self._inner.close()


class _HostGate:
    """At most `per_host` requests in flight to one host, starts `delay` seconds apart.

    A slot taken is given back on every path out, cancellation included: a request
    cancelled while it waits for its start would otherwise keep its slot for ever, and
    after a few such the host would have no slot free and nothing in flight.
    """

    def __init__(self, per_host: int, delay: float):
        self._slots = asyncio.Semaphore(per_host)
        self._delay = delay
        self._next = 0.0
        self._resting = 0.0
        self._lock = asyncio.Lock()

    def rest(self, seconds: float) -> None:
        """Start nothing on this host for `seconds`: the server asked, with Retry-After."""
        self._resting = max(self._resting, time.monotonic() + min(seconds, MAX_REST))

    def check_rest(self) -> None:
        """Raise FetchError while the host rests. Requests queued for it fail at once
        rather than hold the pass until the rest is over; each is checked again on its
        own schedule."""
        left = self._resting - time.monotonic()
        if left > 0:
            raise FetchError(f"the server asked for a pause (Retry-After); {left:.0f}s of it left")

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        try:
            async with self._lock:
                wait = self._next - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next = time.monotonic() + self._delay
        except BaseException:
            self._slots.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._slots.release()


class Fetcher:
    """One per run. Use as `async with Fetcher(settings) as f: await f.get(url)`."""

    def __init__(
        self,
        settings: FetchSettings,
        robots: RobotsStore | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self._robots_store = robots
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchError] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._gates: dict[str, _HostGate] = {}
        self._clock = clock
        self._guard = Guard(settings.allow_private, settings.allow_networks)
        self._session: aiohttp.ClientSession | None = None
        self._browser: Browser | None = None

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            resolver=_GuardedResolver(self._guard),
            ssl=ssl.create_default_context(cafile=certifi.where()),
            limit=max(self.settings.concurrency, 4),
            ttl_dns_cache=300,
            keepalive_timeout=15,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # decoded here, with a bound on the output
            cookie_jar=aiohttp.DummyCookieJar(),  # no tracking state between articles
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=self.settings.timeout, sock_read=self.settings.timeout
            ),
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def render(self, page: Response) -> Response:
        """`page` as headless Chromium builds it (`journal.browser`); every request the
        page makes comes back here. Raises FetchError."""
        if self._browser is None:
            from journal.browser import Browser

            self._browser = Browser(self)
        return await self._browser.render(page)

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        html_only: bool = True,
    ) -> Response:
        """GET `url`, following redirects. Raises FetchError; 404/410 come back as responses.

        The timeout runs only while a request is on the wire: waiting for a turn at the
        host (`per_host`, `delay`) is politeness, not slowness.
        """
        try:
            return await self._get(
                url, etag, last_modified, accept, html_only, _Budget(self.settings.timeout)
            )
        except TimeoutError:
            raise FetchError(f"timed out after {self.settings.timeout:g}s") from None
        except BlockedAddress as exc:
            raise FetchError(f"refused: {exc}", transient=False) from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise FetchError(_describe(exc)) from None

    async def _get(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: str,
        html_only: bool,
        budget: _Budget,
    ) -> Response:
        seen: list[str] = []
        current = url
        for _ in range(self.settings.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(f"refused: not an http(s) URL: {single_line(current, 200)}", transient=False)
            if current in seen:
                raise FetchError(f"redirect loop at {single_line(current, 200)}", transient=False)
            seen.append(current)
            self._guard.check_literal(parts.hostname)
            if not await self.allowed(current):
                raise FetchError("disallowed by robots.txt", transient=False)
            headers = {"Accept": accept}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            assert self._session is not None, "use Fetcher as an async context manager"
            gate = self._gate(parts.hostname)
            async with gate:
                gate.check_rest()
                async with (
                    budget.running(),
                    self._session.get(current, headers=headers, allow_redirects=False) as resp,
                ):
                    if resp.status in _REDIRECTS and resp.headers.get("location"):
                        current = urljoin(current, _location(resp.headers["location"]))
                        await _drain(resp)
                        continue
                    return await self._response(current, resp, html_only, gate)
        raise FetchError(f"more than {self.settings.max_redirects} redirects", transient=False)

    async def _response(
        self, url: str, resp: aiohttp.ClientResponse, html_only: bool, gate: _HostGate
    ) -> Response:
        status = resp.status
        common: dict[str, Any] = {
            "url": url,
            "content_type": resp.headers.get("content-type"),
            "etag": resp.headers.get("etag"),
            "last_modified": resp.headers.get("last-modified"),
        }
        if status != 200:
            await _drain(resp)  # so the connection goes back to the pool for the next check
        if status == 304:
            return Response(status=304, **common)
        if status in (404, 410):
            return Response(status=status, **common)
        if status == 429 or status >= 500:
            rest = _retry_after(resp.headers.get("retry-after", ""), time.time())
            if rest is not None and status in (429, 503):
                gate.rest(rest)
                raise FetchError(
                    f"HTTP {status} from the server, which asks for a pause of {rest:.0f}s (Retry-After): "
                    "nothing more is fetched from this host until then",
                    status=status,
                )
            raise FetchError(f"HTTP {status} from the server", status=status)
        if status != 200:
            raise FetchError(f"HTTP {status}", status=status)
        ctype = (common["content_type"] or "").split(";", 1)[0].strip().lower()
        if html_only and ctype and not ctype.startswith(_HTML_TYPES):
            raise FetchError(f"not an HTML page (Content-Type {single_line(ctype, 80)})", transient=False)
        body, gzipped = await self._read(resp)
        return Response(status=200, body=body, gzipped=gzipped, **common)

    async def _read(self, resp: aiohttp.ClientResponse) -> tuple[bytes, bytes | None]:
        """The decoded body, and the body as sent when that is one whole gzip member."""
        limit = self.settings.max_bytes
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                f"body of {int(declared):,} bytes is over max_bytes ({limit:,})", transient=False
            )
        decoder = _Decoder(resp.headers.get("content-encoding", ""))
        chunks: list[bytes] = []
        sent: list[bytes] = []
        size = 0
        async for raw in resp.content.iter_chunked(1 << 16):
            if decoder.gzip:
                sent.append(raw)
            for piece in decoder(raw, limit - size + 1):
                size += len(piece)
                if size > limit:
                    raise FetchError(f"body is over max_bytes ({limit:,} bytes)", transient=False)
                chunks.append(piece)
        return b"".join(chunks), b"".join(sent) if decoder.whole_gzip() else None

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.settings.per_host, self.settings.delay)
        return gate

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets this user agent fetch it.

        Raises FetchError (transient) when robots.txt cannot be reached: then nothing
        on that host is fetched in this run.
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.path == "/robots.txt":
            return True
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self._robots.get(origin)
            if rules is None:
                rules = self._robots[origin] = await self._load_robots(origin)
        if isinstance(rules, FetchError):
            raise FetchError(f"robots.txt unreachable ({rules}); not fetching from this host now")
        return rules.can_fetch(_agent_token(self.settings.user_agent), url)

    async def sitemaps(self, url: str) -> list[str]:
        """The `Sitemap:` lines of the robots.txt of the URL's host (read as `allowed` does)."""
        await self.allowed(url)
        parts = urlsplit(url)
        rules = self._robots.get(f"{parts.scheme}://{parts.netloc}")
        found = rules.site_maps() if isinstance(rules, urllib.robotparser.RobotFileParser) else None
        return [urljoin(url, line.strip()) for line in found or []]

    async def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | FetchError:
        now = self._clock()
        cached = self._robots_store.robots(origin) if self._robots_store else None
        if cached is not None and now - cached[2] < ROBOTS_TTL:
            body, status = cached[0], cached[1]
        else:
            try:
                resp = await self._get(
                    origin + "/robots.txt", None, None, "text/plain", False, _Budget(self.settings.timeout)
                )
            except BlockedAddress:
                raise  # refused, not unreachable: said so for each URL, never cached
            except FetchError as exc:
                if exc.status is None or exc.status >= 500:
                    return exc
                body, status = "", exc.status
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                return FetchError(_describe(exc))
            else:
                status = resp.status
                body = resp.body[:500_000].decode("utf-8", errors="replace") if status == 200 else ""
            if self._robots_store is not None:
                self._robots_store.save_robots(origin, body, status, now)
        parser = urllib.robotparser.RobotFileParser()
        # No robots.txt (4xx): everything is allowed, which is what parsing nothing means.
        parser.parse(body.splitlines() if status < 400 else [])
        return parser


async def _drain(resp: aiohttp.ClientResponse, limit: int = 65536) -> None:
    """Read a small body to its end, which lets the connection be reused; a large one
    is left unread and its connection closed."""
    seen = 0
    async for chunk in resp.content.iter_chunked(1 << 14):
        seen += len(chunk)
        if seen > limit:
            resp.close()
            return


def _agent_token(user_agent: str) -> str:
    """The product token robots.txt rules are matched against: 'journal/0.1 (…)' → 'journal'."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


class _Decoder:
    """A streaming Content-Encoding decoder whose every output piece is bounded."""

    def __init__(self, encoding: str):
        encoding = encoding.strip().lower()
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"unsupported Content-Encoding {single_line(encoding, 40)!r}", transient=False)
        self.encoding = encoding
        self.gzip = encoding in ("gzip", "x-gzip")
        self._raw = encoding == "deflate"  # may come without its zlib header
        # 47: a zlib or a gzip header, detected
        self._z = None if encoding in ("", "identity") else zlib.decompressobj(15 if self._raw else 47)
        self._first = b""

    def __call__(self, data: bytes, limit: int) -> Iterable[bytes]:
        if self._z is None:
            return [data]
        if not self._first:
            self._first = data[:2]
        out: list[bytes] = []
        while data:
            try:
                piece = self._z.decompress(data, max(limit, 1))
            except zlib.error as exc:
                if self._raw and not out:
                    # Some servers send raw deflate without the zlib header.
                    self._z, self._raw = zlib.decompressobj(-15), False
                    continue
                raise FetchError(f"corrupt {self.encoding} body ({exc})", transient=False) from None
            self._raw = False
            out.append(piece)
            limit -= len(piece)
            if limit <= 0:
                break
            data = self._z.unconsumed_tail
        return out

    def whole_gzip(self) -> bool:
        """Whether what was sent is exactly one complete gzip member (so it can be kept as is)."""
        z = self._z
        return self.gzip and z is not None and self._first == b"\x1f\x8b" and z.eof and not z.unused_data


class _Budget:
    """The time a request may spend on the wire, spent across its redirects."""

    def __init__(self, seconds: float):
        self.left = seconds

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        started = time.monotonic()
        try:
            async with asyncio.timeout(max(self.left, 0.0)):
                yield
        finally:
            self.left -= time.monotonic() - started


def _location(value: str) -> str:
    """A Location header as a URL: bytes outside printable ASCII (UTF-8, or Latin-1 as
    some servers send) percent-encoded as they came, as browsers do."""
    raw = value.strip().encode("utf-8", "surrogateescape")
    return "".join(chr(b) if 0x20 < b < 0x7F else f"%{b:02X}" for b in raw)


def _retry_after(value: str, now: float) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date); None if absent or unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - now, 0.0)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve host ({single_line(text, 200)})"
    if isinstance(exc, aiohttp.ClientConnectorError | ConnectionError):
        return f"cannot connect ({single_line(text, 200)})"
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        return "timed out"
    if isinstance(exc, aiohttp.ClientResponseError) and exc.status == 400:
        return f"the server's answer could not be read ({single_line(exc.message, 200)})"
    return single_line(f"{type(exc).__name__}: {text}", 300)
