"""Pages built by JavaScript: rendered in headless Chromium. The only Playwright user.

A source with `fetch = "browser"` is fetched as usual first: a conditional GET, and a
304 means nothing is rendered. Any other answer is rendered. Chromium never
touches the network itself: every request the page makes is intercepted and fetched
by journal's own Fetcher, so the User-Agent, robots.txt, the per-host limit and delay,
the size cap and the private-address guard are the updater's. The document itself is
the body already fetched. Chromium's own name resolution is switched off, so a request
that escaped interception (a WebSocket, a prefetch) could reach nothing. Images, media,
fonts and style sheets are not loaded: text does not need them.

Playwright is an optional dependency (`pip install 'journal[browser]'`); Chromium is
the system's (`chromium` on PATH, or `JOURNAL_CHROMIUM`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from typing import TYPE_CHECKING, Any

from journal.errors import FetchError
from journal.fetch import Response

if TYPE_CHECKING:
    from journal.fetch import Fetcher

ARGS = [
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing leaves but through the Fetcher
]
_SKIPPED = {"image", "media", "font", "stylesheet", "manifest", "texttrack", "eventsource", "websocket"}
MAX_REQUESTS = 200  # requests one page may make
RENDERS = 2  # pages rendered at once
SETTLE = 2.0  # seconds to wait for the page's requests to end after it has loaded
_NEEDS = 'fetch = "browser" needs {what}; {fix}, or remove the setting from the source'


def chromium_path() -> str | None:
    """The Chromium to run: JOURNAL_CHROMIUM, else the first on PATH."""
    named = os.environ.get("JOURNAL_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One headless Chromium for one Fetcher, started at the first page that needs it."""

    def __init__(self, fetcher: Fetcher):
        self.fetcher = fetcher
        self._started: asyncio.Task[Any] | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._slots = asyncio.Semaphore(RENDERS)

    async def render(self, page: Response) -> Response:
        """`page` (a 200 response) as Chromium builds it. Raises FetchError."""
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
        await self._started  # a browser that could not start says so for every page
        timeout = self.fetcher.settings.timeout
        async with self._slots:
            try:
                async with asyncio.timeout(timeout):
                    html = await self._render(page)
            except TimeoutError:
                raise FetchError(f"rendering timed out after {timeout:g}s") from None
        # The validators stay the served page's, so the next check is a conditional
        # request; its body is the rendered page, whose hash no served page matches: a
        # page built by script can change while the page served stays byte for byte.
        return Response(
            url=page.url,
            status=200,
            body=html.encode("utf-8"),
            content_type="text/html; charset=utf-8",
            etag=page.etag,
            last_modified=page.last_modified,
        )

    async def close(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Exception):
                await self._browser.close()
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await self._playwright.stop()
        self._browser = self._playwright = None

    async def _start(self) -> None:
        try:
            from playwright.async_api import Error, async_playwright
        except ImportError:
            raise FetchError(
                _NEEDS.format(what="Playwright", fix="install it with pip install 'journal[browser]'"),
                transient=False,
            ) from None
        executable = chromium_path()
        if executable is None or not os.access(executable, os.X_OK):
            where = f"it is not at {executable}" if executable else "none is on PATH"
            raise FetchError(
                _NEEDS.format(
                    what=f"Chromium ({where})",
                    fix="install it (apt-get install chromium) or set JOURNAL_CHROMIUM",
                ),
                transient=False,
            )
        try:
            self._playwright = await async_playwright().start()
            # Chromium's sandbox cannot run as root; elsewhere the page's scripts stay in it.
            args = [*ARGS, "--no-sandbox"] if os.geteuid() == 0 else ARGS
            self._browser = await self._playwright.chromium.launch(executable_path=executable, args=args)
        except Error as exc:
            await self.close()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise FetchError(
                _NEEDS.format(what=f"a Chromium that starts ({executable}: {first[:200]})", fix="check it"),
                transient=False,
            ) from None

    async def _render(self, page: Response) -> str:
        context = await self._browser.new_context(
            user_agent=self.fetcher.settings.user_agent,
            service_workers="block",
            accept_downloads=False,
        )
        try:
            tab = await context.new_page()
            requests = 0

            async def route(route: Any) -> None:
                nonlocal requests
                request = route.request
                if (
                    request.url == page.url
                    and request.frame == tab.main_frame
                    and request.is_navigation_request()
                ):
                    await route.fulfill(
                        status=200, body=page.body, content_type=page.content_type or "text/html"
                    )
                    return
                requests += 1
                if (
                    request.method != "GET"
                    or request.resource_type in _SKIPPED
                    or request.is_navigation_request()  # frames: not the article's text
                    or requests > MAX_REQUESTS
                ):
                    await route.abort()
                    return
                try:
                    got = await self.fetcher.get(
                        request.url, accept=request.headers.get("accept", "*/*"), html_only=False
                    )
                except FetchError:
                    await route.abort("blockedbyclient")
                    return
                await route.fulfill(
                    status=got.status if got.status in (200, 404, 410) else 502,
                    body=got.body,
                    content_type=got.content_type or "application/octet-stream",
                )

            await context.route("**/*", route)
            await tab.goto(page.url, wait_until="load")
            with contextlib.suppress(Exception):  # a page that keeps polling is read as it stands
                await tab.wait_for_load_state("networkidle", timeout=SETTLE * 1000)
            html: str = await tab.content()
            return html
        finally:
            with contextlib.suppress(Exception):
                await context.close()
