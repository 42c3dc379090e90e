"""The web app of `journal serve`: pages, Atom feeds, the JSON API (journal.web.api).

Read-only. It reads through Reader, the state database and changefeed, never
through the fetch/extract stack. Everything that came from the web is escaped by
the templates; URL parameters are checked against their shapes before they reach
git or SQL; an unknown article, version or source is a 404 page.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journal import changefeed, links, services
from journal.archive import Archive
from journal.errors import JournalError
from journal.history import Reader
from journal.models import Settings
from journal.sources import settings
from journal.web import api, render, search, server, views
from journal.web.deps import SID, SourceName, library

log = logging.getLogger(__name__)

STATIC = FilePath(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    # No script at all, nothing from other origins, no framing.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
ATOM = "application/atom+xml; charset=utf-8"
SHORT = "public, max-age=60"  # lists and article pages: the next commit changes them
# Pages of a past version (a later one exists): their text, gaps and links are final.
# A day, not a year: their version pickers learn of newer versions when fetched again.
FOREVER = "public, max-age=86400, immutable"
Number = Annotated[int, Path(ge=1, le=1_000_000)]
Page = Annotated[int, Query(ge=1, le=100_000)]

pages = APIRouter(include_in_schema=False)


def create_app(
    archive: Archive, clock: Callable[[], float] = time.time, address: str | None = None
) -> FastAPI:
    """The app for one archive: one State and one Reader's worth of git for all requests.

    Atom feeds link to `feed_base_url` of journal.toml when it is set to an address of
    its own, else to `address` (where the server was started), never to the address a
    request names in its Host header, which the client chooses.
    """
    state = services.read_state(archive, lambda message: log.info("%s", message))
    lib = views.Library(archive, state, clock)
    configured = settings(archive).feed_base_url
    base = address if address and configured == Settings.feed_base_url else configured

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        lib.close()

    app = FastAPI(
        title="journal",
        summary="A change journal for online news, kept in git: articles, versions and diffs.",
        version="1",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; the schema is enough
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.library = lib
    app.state.templates = render.environment()
    app.state.base_url = base.rstrip("/")
    app.add_middleware(Headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages)
    app.add_exception_handler(views.NotFound, _not_found)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _crash)
    return app


def serve(archive: Archive, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app under uvicorn (journal.web.server) until interrupted."""
    _check_address(host, port)
    server.run(create_app(archive, address=own_address(host, port)), host, port)


def own_address(host: str, port: int) -> str:
    """The base URL of a server started on `host`:`port` (this machine's name when it
    listens on every address)."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _check_address(host: str, port: int) -> None:
    """A clear message, before uvicorn starts, when the address cannot be listened on."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise JournalError(f"Cannot listen on {host!r} ({exc.strerror}); check --host.") from None
    try:
        with socket.create_server(address[:2], family=family):
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise JournalError(
            f"Cannot listen on {host}:{port} ({reason}); pick another --port, or stop what uses it."
        ) from None


class Headers:
    """Security headers on every response, Server-Timing (how long the app took) and
    Cache-Control when the route set none (short: lists change with every commit; an
    error is not kept). A HEAD request is answered as its GET, without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
                headers.append("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}")
                if "cache-control" not in headers:
                    headers["Cache-Control"] = SHORT if message["status"] < 400 else "no-store"
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cached(response: HTMLResponse, final: bool) -> HTMLResponse:
    """Cache-Control for a page of versions: kept for good once nothing can change it."""
    response.headers["Cache-Control"] = FOREVER if final else SHORT
    return response


def _html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    env: Environment = request.app.state.templates
    lib: views.Library = request.app.state.library
    context.setdefault("feeds", [("Changes in all sources", links.feed(""))])
    body = render.page(env, template, now=lib.now(), path=request.url.path, **context)
    return HTMLResponse(body, status_code=status)


# -- pages ---------------------------------------------------------------------------------


@pages.get("/")
def front(request: Request, lib: Annotated[views.Library, Depends(library)], page: Page = 1) -> HTMLResponse:
    with lib.reading() as reader:
        recent = lib.remember(reader, ("changes", page), lambda: views.changes(reader, page))
        sources = lib.remember(reader, ("sources",), lambda: views.sources(reader))
        edited = lib.remember(reader, ("edited",), lambda: views.most_edited(reader)) if page == 1 else []
    counts = {"articles": sum(s.articles for s in sources), "versions": sum(s.versions for s in sources)}
    return _html(request, "front.html", recent=recent, counts=counts, sources=sources, edited=edited)


@pages.get("/sources/{name}")
def source(
    request: Request,
    lib: Annotated[views.Library, Depends(library)],
    name: SourceName,
    page: Page = 1,
    articles: Page = 1,
) -> HTMLResponse:
    with lib.reading() as reader:
        views.known_source(reader, name)
        recent = lib.remember(
            reader, ("changes", page, name), lambda: views.changes(reader, page, source=name, per_page=15)
        )
        listing = views.articles(reader, articles, source=name)
        counts = reader.state.count(name)
    feeds = [(f"Changes in {name}", links.feed("", source=name))]
    return _html(
        request, "source.html", name=name, recent=recent, listing=listing, counts=counts, feeds=feeds
    )


@pages.get("/articles/{sid}")
def article(request: Request, lib: Annotated[views.Library, Depends(library)], sid: SID) -> HTMLResponse:
    with lib.reading() as reader:
        shown = views.article_page(reader, sid)
    feeds = [(f"Changes to “{shown.title}”", links.feed("", sid=shown.row.sid))]
    return _html(request, "article.html", a=shown, feeds=feeds)


@pages.get("/articles/{sid}/versions/{number}")
def version(
    request: Request, lib: Annotated[views.Library, Depends(library)], sid: SID, number: Number
) -> HTMLResponse:
    with lib.reading() as reader:
        shown = views.version_page(reader, sid, number)
    feeds = [(f"Changes to “{shown.text.title}”", links.feed("", sid=shown.row.sid))]
    page = _html(request, "version.html", v=shown, feeds=feeds)
    return _cached(page, shown.next is not None)


@pages.get("/articles/{sid}/diff/{a}/{b}")
def diff(
    request: Request, lib: Annotated[views.Library, Depends(library)], sid: SID, a: Number, b: Number
) -> HTMLResponse:
    with lib.reading() as reader:
        shown = views.diff_page(reader, sid, a, b)
    feeds = [(f"Changes to “{shown.title}”", links.feed("", sid=shown.row.sid))]
    page = _html(request, "diff.html", d=shown, feeds=feeds)
    return _cached(page, shown.following is not None)


@pages.get("/articles/{sid}/diff")
def pick(sid: SID, a: Annotated[int, Query(ge=1)], b: Annotated[int, Query(ge=1)]) -> RedirectResponse:
    """The version pickers' form: a plain GET, answered with the diff's own address."""
    return RedirectResponse(links.diff("", sid, a, b), status_code=303)


@pages.get("/search")
def find(
    request: Request,
    lib: Annotated[views.Library, Depends(library)],
    params: Annotated[search.Params, Depends()],
) -> HTMLResponse:
    with lib.searching(), lib.reading() as reader:
        shown = search.run(lib, reader, params, views.PER_PAGE)
        sources = lib.remember(reader, ("sources",), lambda: views.sources(reader))
    return _html(request, "search.html", s=shown, sources=[line.name for line in sources])


# -- feeds ---------------------------------------------------------------------------------

MinSize = Annotated[str | None, Query(pattern="^(typo|minor|major)$", description="Leave out smaller edits.")]


def _feed(
    request: Request,
    lib: views.Library,
    scope: Callable[[Reader], changefeed.Scope],
    min_size: str | None,
) -> Response:
    with lib.reading() as reader:
        body = changefeed.build(reader, scope(reader), request.app.state.base_url, 50, min_size)
    return Response(body, media_type=ATOM)


@pages.get("/feed.atom")
def feed_all(
    request: Request, lib: Annotated[views.Library, Depends(library)], min_size: MinSize = None
) -> Response:
    return _feed(request, lib, lambda reader: changefeed.Scope(), min_size)


@pages.get("/sources/{name}/feed.atom")
def feed_source(
    request: Request,
    lib: Annotated[views.Library, Depends(library)],
    name: SourceName,
    min_size: MinSize = None,
) -> Response:
    return _feed(
        request, lib, lambda reader: changefeed.Scope(source=views.known_source(reader, name)), min_size
    )


@pages.get("/articles/{sid}/feed.atom")
def feed_article(
    request: Request, lib: Annotated[views.Library, Depends(library)], sid: SID, min_size: MinSize = None
) -> Response:
    return _feed(request, lib, lambda reader: changefeed.Scope(article=views.article(reader, sid)), min_size)


# -- errors --------------------------------------------------------------------------------


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(request: Request, status: int, title: str, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return _html(request, "error.html", status=status, title=title, message=message)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _problem(request, 404, "Not found", str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return _problem(request, 404, "Not found", "There is nothing at this address.")
    if exc.status_code == 405:
        return _problem(request, 405, "Method not allowed", "This server only reads: use GET.")
    return _problem(request, exc.status_code, "Error", str(exc.detail))


async def _invalid(request: Request, exc: Exception) -> Response:
    """A malformed path (a non-hex id, a version that is not a number) names nothing: 404.
    A malformed query parameter is the client's mistake: 400 (422 with details for /api)."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("loc", ("",))[0] == "path" for e in errors):
        return _problem(request, 404, "Not found", "There is nothing at this address.")
    if _is_api(request):
        return JSONResponse({"detail": _plain(errors)}, status_code=422)
    names = ", ".join(str(e.get("loc", ("", "?"))[-1]) for e in errors)
    return _html(
        request, "error.html", status=400, title="Bad request", message=f"Check the value of: {names}."
    )


def _plain(errors: Any) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in errors]


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("error while serving %s", request.url.path, exc_info=exc)
    response = _problem(
        request, 500, "Something went wrong", "The page could not be made; the error is logged."
    )
    response.headers.update(SECURITY_HEADERS)
    return response
