"""A request to stop a run (Ctrl-C, SIGTERM): what is fetched is kept, what is still
on its way is dropped.

A fetch in flight when the stop comes gets a moment (`GRACE`) to finish: its answer
may be in the socket already. Then it is cancelled. A fetch that the stop cuts short
is neither a failure nor a check: its article or feed keeps its schedule and is
fetched at the next run. Everything after the fetch (extraction, comparison, the
commit) runs to its end, so a page that arrived is never lost to a stop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")

GRACE = 2.0  # seconds a fetch in flight may still take once the stop has come


class Interrupted(Exception):
    """The run is stopping: this fetch was dropped, not failed."""


class Interrupt:
    """Set once, by a signal handler; every fetch of the run races it."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self, timeout: float) -> None:
        """Sleep `timeout` seconds, or less when the stop comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=timeout)

    async def race(self, work: Awaitable[T]) -> T:
        """The result of `work`, unless the stop comes first and `work` does not finish
        within GRACE seconds of it: then `work` is cancelled and Interrupted raised."""
        if self.is_set():
            if asyncio.iscoroutine(work):
                work.close()  # never started: nothing to cancel
            raise Interrupted
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self._event.wait())
        try:
            done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
            if task not in done:
                await asyncio.wait({task}, timeout=GRACE)
        finally:
            stop.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if task.cancelled():
            raise Interrupted
        return task.result()
