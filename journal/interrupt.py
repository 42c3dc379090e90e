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
        self._in_flight: set[asyncio.Task[Any]] = set()  # tasks inside race(), fetching
        self._cancelled: set[asyncio.Task[Any]] = set()  # ... that the stop cancelled

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
        GRACE seconds of it: then `work` is cancelled and Interrupted raised.

        `work` runs in the caller's task, which the stop cancels as `asyncio.timeout`
        does: a cancellation of the caller's own (uncancel() says which) goes on up.
        """
        task = asyncio.current_task()
        if self.is_set() or task is None:
            if asyncio.iscoroutine(work):
                work.close()  # never started: nothing to cancel
            raise Interrupted
        self._in_flight.add(task)
        try:
            return await work
        except asyncio.CancelledError:
            if task in self._cancelled and task.uncancel() == 0:
                raise Interrupted from None
            raise
        finally:
            self._in_flight.discard(task)
            self._cancelled.discard(task)

    def _cancel_in_flight(self) -> None:
        for task in self._in_flight:
            self._cancelled.add(task)
            task.cancel()
