"""uvicorn under `journal serve`: its settings, and its side of the connections with
clients that are slow, or many. The only uvicorn user.

uvicorn's HTTP/1.1 protocol waits for a request's headers, and for its body, as long
as a client cares to drip them, and takes every connection it is offered: 1,100
clients sending a byte a second used up a 1,024 file-handle limit, and then nobody
was served. Here each connection has `header` seconds to send its request's headers
(counted from the connection, or from the first byte of a later request on it), then
`body` seconds for its body; an idle keep-alive connection is closed after uvicorn's
`timeout_keep_alive`. At most `connections` are open at once, fewer than the process
may open files; a connection past that closes the one that has waited longest for
its headers (a slow client's), or, when every open one is being answered, itself.
"""

from __future__ import annotations

import asyncio
import resource
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

KEEP_ALIVE = 5  # seconds an idle connection is kept open between requests
BACKLOG = 128  # connections the kernel queues; asyncio accepts up to this many at once
_RESERVED = 64  # file handles kept for git's pipes, SQLite, the log, the listening socket


def config(
    app: ASGIApp, host: str, port: int, limits: Limits | None = None, log_level: str | None = None
) -> uvicorn.Config:
    """uvicorn's settings for `journal serve`: slow and many clients bounded, no Server
    header, client addresses as they connect (no proxy headers believed)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        http=protocol(limits or Limits()),
        ws="none",
        timeout_keep_alive=KEEP_ALIVE,
        backlog=BACKLOG,
        server_header=False,
        proxy_headers=False,
    )


def run(app: ASGIApp, host: str, port: int) -> None:
    """Serve until interrupted."""
    uvicorn.Server(config(app, host, port)).run()


@dataclass(frozen=True)
class Limits:
    header: float = 10.0  # seconds to send a request's headers
    body: float = 30.0  # seconds to send its body
    connections: int = 1000  # open at once, further bounded by the file-handle limit

    def allowed(self) -> int:
        """`connections`, or fewer when the process may not open that many files (its soft
        limit raised to the hard one first), leaving room for a burst of accepts."""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
                soft = wanted
            except (ValueError, OSError):
                pass
        return max(1, min(self.connections, soft - BACKLOG - _RESERVED))


def protocol(limits: Limits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with these limits (uvicorn builds one per connection)."""
    cap = limits.allowed()

    class Bounded(_Bounded):
        pass

    Bounded.limits = limits
    Bounded.cap = cap
    return Bounded


class _Bounded(H11Protocol):
    limits: Limits = Limits()
    cap: int = 1000

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.waiting_since: float | None = None  # waiting for a request's headers since
        self._timer: asyncio.TimerHandle | None = None
        self._body_due = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()
        if len(self.connections) > self.cap:
            waiting = [c for c in self.connections if isinstance(c, _Bounded) and c.waiting_since is not None]
            oldest = min(waiting, key=lambda c: c.waiting_since or 0.0)
            oldest.transport.close()  # `self` is among them: then it is the one closed

    def data_received(self, data: bytes) -> None:
        if self.waiting_since is None and not self._body_due and self.conn.their_state is h11.IDLE:
            self._await_headers()  # the first byte of a later request on a kept-alive connection
        super().data_received(data)
        state = self.conn.their_state
        if self.waiting_since is not None and state is not h11.IDLE:
            self.waiting_since = None
            self._stop()
            if state is h11.SEND_BODY:
                self._body_due = True
                self._timer = self.loop.call_later(self.limits.body, self._too_slow)
        elif self._body_due and state is not h11.SEND_BODY:
            self._body_due = False
            self._stop()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        self.waiting_since = None
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._stop()
        self.waiting_since = self.loop.time()
        self._timer = self.loop.call_later(self.limits.header, self._too_slow)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            self.transport.close()
