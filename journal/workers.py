"""Extraction worker processes: CPU-bound work on every core, away from the event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
import signal

from journal.extract import extract_page
from journal.feeds import parse as parse_feed
from journal.models import Extraction, FeedResult, NotArticle


class ExtractorPool:
    """Worker processes for extraction, one per core.

    They are forked before the event loop starts any thread, so each worker is a
    clean copy of a single-threaded process with trafilatura already imported.
    Workers drop their copy of the writer lock and die with their parent, so a
    killed updater never leaves a lock held by orphans.
    """

    def __init__(self, close_in_workers: tuple[int, ...] = ()) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._close = close_in_workers
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=os.cpu_count() or 1,
            mp_context=context,
            initializer=_worker_init,
            initargs=(self._close,),
        )
        self._pool.submit(int).result()  # fork every worker now, while single-threaded

    async def extract(self, body: bytes, content_type: str | None, url: str) -> Extraction | NotArticle:
        if self._pool is None:
            self._start()
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, extract_page, body, content_type, url)
        except concurrent.futures.process.BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            return NotArticle("the extractor crashed on this page", blocked=True)

    async def parse_feed(self, body: bytes, url: str, content_type: str | None) -> FeedResult:
        """A feed parsed off the event loop (feedparser is slow on big feeds). Raises FeedError."""
        if self._pool is None:
            self._start()
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, parse_feed, body, url, content_type)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _worker_init(close: tuple[int, ...]) -> None:
    """Start of an extraction worker: die with the parent, leave signals and locks to it."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    if os.getppid() == 1:
        os._exit(0)  # the parent died before prctl took effect
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in close:
        with contextlib.suppress(OSError):
            os.close(fd)
