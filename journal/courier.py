"""The courier: sends what the outbox owes, off the updater's critical path.

Single versions go as they are checkpointed (a task polls the outbox every
second), digests at the end of each pass. One message is in flight at a time,
composed and sent in a thread, so the event loop (and fetching) never waits for
a service; a failing service is retried with backoff, reported, and never fails
the update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from journal import notice, notify
from journal.archive import Archive
from journal.outbox import Outbox, Owed
from journal.schedule import human
from journal.summary import Reporter
from journal.targets import Target

log = logging.getLogger(__name__)


class Courier:
    """Sends what the outbox owes: single versions as they are checkpointed, digests
    at the end of each pass. One message is in flight at a time, in a thread, so the
    event loop (and fetching) never waits for a service."""

    def __init__(
        self,
        archive: Archive,
        outbox: Outbox,
        base_url: str,
        reporter: Reporter,
        clock: Callable[[], float] = time.time,
    ):
        # An archive of its own: GitPython's long-lived cat-file processes must not be
        # shared with the event loop's thread.
        self.archive = Archive.open(archive.root)
        self.outbox = outbox
        self.base_url = base_url
        self.reporter = reporter
        self.clock = clock
        self.sent = 0
        self.failed = 0
        self._busy = asyncio.Lock()
        self._stopping = asyncio.Event()

    async def run(self, every: float = 1.0) -> None:
        """Send single versions as they come, until `stop()`. Never cancelled midway: a
        message sent and not recorded would be sent again."""
        while not self._stopping.is_set():
            await self.round(digests=False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=every)

    def stop(self) -> None:
        self._stopping.set()

    async def round(self, digests: bool, deadline: float | None = None) -> None:
        """Send everything due now; digest targets only when `digests`."""
        async with self._busy:
            for target in self.outbox.targets:
                if target.digest and not digests:
                    continue
                owed = self.outbox.due(target.name, self.clock())
                if target.digest and owed:
                    await self._send(target, owed)
                    continue
                for item in owed:
                    if deadline is not None and time.monotonic() > deadline:
                        return
                    if self._stopping.is_set() and deadline is None:
                        return  # the run is ending: finish() takes over
                    if not await self._send(target, [item]):
                        break  # the service is failing: its next try is scheduled

    async def finish(self, seconds: float) -> dict[str, int]:
        """At the end of a run: send what is due, digests included, for at most
        `seconds`. Returns how many were sent and failed in the run, and how many
        are still queued (the next run sends them)."""
        self.outbox.prune(self.clock())
        await self.round(digests=True, deadline=time.monotonic() + seconds)
        counts = self.outbox.counts()
        queued = sum(counts.get(t.name, {}).get("queued", 0) for t in self.outbox.targets)
        return {"sent": self.sent, "failed": self.failed, "queued": queued}

    async def _send(self, target: Target, owed: list[Owed]) -> bool:
        try:
            delivery, missing = await asyncio.to_thread(self._compose_and_send, target, owed)
        except Exception as exc:  # reading git failed, say: a failure to retry, never the update's
            delivery, missing = (
                notify.Delivery(False, notify.scrub(f"{type(exc).__name__}: {exc}", target.url)),
                [],
            )
        now = self.clock()
        if missing:
            self.outbox.drop(missing)
            self.reporter.note(
                f"{len(missing)} notification(s) dropped: their commits are no longer in history"
            )
        sent = [o for o in owed if o not in missing]
        if not sent:
            return True
        if delivery.ok:
            self.outbox.sent(sent, now)
            self.sent += len(sent)
            log.info('notified "%s" of %d version(s)', target.name, len(sent))
            return True
        wait = self.outbox.failed(sent, delivery.reason, now)
        self.failed += len(sent)
        self.reporter.note(
            f'notification to "{target.name}" ({notify.shown(target.url)}) failed: {delivery.reason}; '
            f"next try in {human(wait)}"
        )
        return False

    def _compose_and_send(self, target: Target, owed: list[Owed]) -> tuple[notify.Delivery, list[Owed]]:
        try:
            service = notify.service(target.url)
        except notify.BadTarget as exc:
            return notify.Delivery(False, str(exc)), []
        stories, missing = [], []
        for item in owed if not target.digest else owed[: target.digest_max]:
            found = notice.story(self.archive, item.path, item.commit, self.base_url)
            if found is None:
                missing.append(item)
            else:
                stories.append(found)
        if not stories:
            return notify.Delivery(True), missing
        if target.digest:
            message = notice.digest(stories, len(owed) - len(stories) - len(missing), service.format)
        else:
            message = notice.one(stories[0], service.format)
        return notify.send(target.url, message.title, message.body, service.format), missing
