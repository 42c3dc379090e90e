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
from typing import Any, TypeVar

T = TypeVar("T")

GRACE = 2.0  # seconds a fetch in flight may still take once the stop has come


class Interrupted(Exception):
    """The run is stopping: this fetch was dropped, not failed."""


class Interrupt:
    """Set once, by a signal handler; every fetch of the run goes through `race`."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._in_flight: set[asyncio.Future[Any]] = set()

    def set(self) -> None:
        """Stop: no fetch starts from now on, and those under way are cancelled GRACE
        seconds later. Call on the event loop."""
        if self._event.is_set():
            return
        self._event.set()
        asyncio.get_running_loop().call_later(GRACE, self._cancel_in_flight)

    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self, timeout: float) -> None:
        """Sleep `timeout` seconds, or less when the stop comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=timeout)

    async def race(self, work: Awaitable[T]) -> T:
        """The result of `work`, unless the stop comes and `work` does not finish within
        GRACE seconds of it: then `work` is cancelled and Interrupted raised."""
        if self.is_set():
            if asyncio.iscoroutine(work):
                work.close()  # never started: nothing to cancel
            raise Interrupted
        task = asyncio.ensure_future(work)
        self._in_flight.add(task)
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the caller itself is being cancelled
            raise Interrupted from None
        finally:
            self._in_flight.discard(task)

    def _cancel_in_flight(self) -> None:
        for task in self._in_flight:
            task.cancel()
