"""Extraction worker processes: CPU-bound work on every core, away from the event loop.

Each worker is a process forked at the start of a run, at the other end of a Unix
socket pair. A request is one frame (length, then a pickle) and so is its answer.
A worker takes its requests in order, so answers come back in the order they were
sent, and two requests wait at each worker: it never idles while the event loop
gets round to it. The event loop writes and reads the sockets itself; no thread of
the updater stands between a page and its worker.

A worker that dies (a crash in lxml, the kernel's OOM killer) or takes longer than
`timeout` seconds on one page costs that page only: it is answered "the extractor
crashed", the worker is replaced, and the requests queued behind it are sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import pickle
import signal
import socket
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from journal.children import STOP_SIGNALS, held_signals
from journal.errors import FeedError
from journal.models import Extraction, FeedResult, NotArticle, PageRules
from journal.pagewords import Page

DEPTH = 2  # requests waiting at one worker
TASK_TIMEOUT = 120.0  # seconds one page may take before its worker is replaced
_HEADER = struct.Struct(">I")


class WorkerDied(Exception):
    """The worker running a request died (or was killed) before it answered."""


@dataclass
class _Request:
    kind: str
    args: tuple[Any, ...]
    answer: asyncio.Future[Any]
    frame: bytes = b""


@dataclass
class _Worker:
    pid: int
    sock: socket.socket
    queued: deque[_Request] = field(default_factory=deque)
    attached: asyncio.Future[None] | None = None
    writer: asyncio.StreamWriter | None = None
    reader_task: asyncio.Task[None] | None = None
    overdue: asyncio.TimerHandle | None = None
    alive: bool = True


class ExtractorPool:
    """Worker processes for extraction and feed parsing, one per core.

    They are forked before the event loop starts any thread, so each worker is a
    clean copy of a single-threaded process; each imports the extractor as it starts.
    A worker keeps no descriptor but its socket (not the writer lock, not git's
    pipes) and dies with its parent, so a killed updater never leaves a lock held
    by orphans, and a worker forked mid-run never holds a pipe open. One event loop
    uses a pool.
    """

    def __init__(self, size: int | None = None, timeout: float = TASK_TIMEOUT) -> None:
        self._timeout = timeout
        self._workers: list[_Worker] = []
        for _ in range(size or os.cpu_count() or 1):
            self._workers.append(self._spawn())
        self._slots: asyncio.Semaphore | None = None

    async def extract(
        self, body: bytes, content_type: str | None, url: str, rules: PageRules | None = None
    ) -> Extraction | NotArticle:
        try:
            result: Extraction | NotArticle = await self._call(
                "extract_page", (body, content_type, url, rules)
            )
        except WorkerDied as exc:
            return NotArticle(f"the extractor crashed on this page ({exc})", blocked=True)
        return result

    async def page_text(self, body: bytes, content_type: str | None) -> Page:
        """The words a page shows (`journal.pagetext.read`). Raises WorkerDied."""
        page: Page = await self._call("page_text", (body, content_type))
        return page

    async def parse_feed(self, body: bytes, url: str, content_type: str | None) -> FeedResult:
        """A feed parsed off the event loop (feedparser is slow on big feeds). Raises FeedError."""
        try:
            result: FeedResult = await self._call("parse_feed", (body, url, content_type))
        except WorkerDied as exc:
            raise FeedError(f"the feed parser crashed on this feed ({exc})") from None
        return result

    def close(self) -> None:
        """Let the workers finish and exit (end of input); kill any that will not."""
        for worker in self._workers:
            if worker.reader_task is not None:
                worker.reader_task.cancel()
            with contextlib.suppress(OSError):
                worker.sock.close()
        deadline = time.monotonic() + 5
        for worker in self._workers:
            _reap(worker.pid, deadline)
        self._workers = []

    # -- the event loop's side ----------------------------------------------------------

    async def _call(self, kind: str, args: tuple[Any, ...]) -> Any:
        """`kind(*args)` in a worker: `kind` names a function of this module (looked up
        there, so one replaced before the fork is the one the workers run)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(DEPTH * len(self._workers))
        async with self._slots:
            request = _Request(kind, args, asyncio.get_running_loop().create_future())
            await self._send(min(self._workers, key=lambda w: len(w.queued)), request)
            ok, value = await request.answer
        if not ok:
            raise value
        return value

    def _time(self, worker: _Worker) -> None:
        """Give the request now running at the worker `timeout` seconds: too long on one
        page, and the worker is killed, which answers that request as its crash and
        replaces the worker."""
        if worker.overdue is not None:
            worker.overdue.cancel()
            worker.overdue = None
        if worker.queued and worker.alive:
            worker.overdue = asyncio.get_running_loop().call_later(self._timeout, _kill, worker.pid)

    async def _send(self, worker: _Worker, request: _Request) -> None:
        if worker.attached is None:
            worker.attached = asyncio.ensure_future(self._attach(worker))
        await worker.attached
        assert worker.writer is not None
        if not request.frame:
            data = pickle.dumps((request.kind, request.args), pickle.HIGHEST_PROTOCOL)
            request.frame = _HEADER.pack(len(data)) + data
        worker.queued.append(request)
        worker.writer.write(request.frame)
        if len(worker.queued) == 1:
            self._time(worker)

    async def _attach(self, worker: _Worker) -> None:
        reader, worker.writer = await asyncio.open_unix_connection(sock=worker.sock)
        worker.reader_task = asyncio.create_task(self._answers(worker, reader))

    async def _answers(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        """Read one worker's answers, in order; on its death, replace it."""
        try:
            while True:
                size = _HEADER.unpack(await reader.readexactly(_HEADER.size))[0]
                answer = pickle.loads(await reader.readexactly(size))
                request = worker.queued.popleft()
                self._time(worker)
                if not request.answer.done():
                    request.answer.set_result(answer)
        except (asyncio.IncompleteReadError, OSError, pickle.UnpicklingError, EOFError):
            pass
        self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        """The worker is gone: its running request fails, the others go to a new worker."""
        if not worker.alive:
            return
        worker.alive = False
        self._time(worker)
        if worker.writer is not None:
            worker.writer.close()
        _reap(worker.pid, time.monotonic() + 5)
        status = f"worker {worker.pid} exited"
        if worker.queued:
            running = worker.queued.popleft()
            if not running.answer.done():
                running.answer.set_result((False, WorkerDied(status)))
        if worker not in self._workers:
            return  # closing
        fresh = self._spawn()
        self._workers[self._workers.index(worker)] = fresh
        for request in worker.queued:
            if not request.answer.done():
                asyncio.get_running_loop().create_task(self._send(fresh, request))

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with held_signals():
            pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                keep = theirs.fileno()
                os.closerange(3, keep)  # other workers' sockets, the writer lock, git's pipes
                os.closerange(keep + 1, 1 << 20)
                _worker_init()
                _serve(theirs)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        return _Worker(pid, ours)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int, deadline: float) -> None:
    """Wait for a worker to exit until the deadline, then kill it."""
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            return
        time.sleep(0.01)


# -- the worker's side --------------------------------------------------------------------


def _worker_init() -> None:
    """Start of a worker: die with the parent, leave signals and locks to it."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    if os.getppid() == 1:
        os._exit(0)  # the parent died before prctl took effect
    # Ctrl-C and a SIGTERM to the whole process group are the updater's to act on: it
    # still wants the pages in hand extracted. A worker ends when its socket closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held across the fork
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)  # the parent's event loop's, not ours


def extract_page(
    body: bytes, content_type: str | None, url: str, rules: PageRules | None = None
) -> Extraction | NotArticle:
    from journal.extract import extract_page as extract

    return extract(body, content_type, url, rules)


def parse_feed(body: bytes, url: str, content_type: str | None) -> FeedResult:
    from journal.feeds import parse

    return parse(body, url, content_type)


def page_text(body: bytes, content_type: str | None) -> Page:
    from journal.pagetext import read

    return read(body, content_type)


def _serve(sock: socket.socket) -> None:
    """Answer requests until the parent closes its end."""
    # The extractor is imported here, in every worker at once, while the updater is
    # still busy with feeds: the updater itself never loads it.
    import journal.extract
    import journal.feeds  # noqa: F401

    stream = sock.makefile("rb")
    while True:
        head = stream.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        kind, args = pickle.loads(stream.read(_HEADER.unpack(head)[0]))
        answer: tuple[bool, Any]
        try:
            answer = (True, globals()[kind](*args))  # one of the three functions above
        except Exception as exc:  # sent back and raised in the caller
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        sock.sendall(_HEADER.pack(len(data)) + data)
