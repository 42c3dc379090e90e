"""The operations behind `journal notify`: add, list, remove and test targets.

Nothing here prints or returns a target's URL: a target is its name, its service
and `notify.shown()`'s redacted address.
"""

from __future__ import annotations

import time
from typing import Any

from journal import notice, notify, targets
from journal.archive import Archive
from journal.errors import JournalError
from journal.models import Change
from journal.outbox import Outbox
from journal.sources import settings
from journal.state import State


class NotifyFailed(JournalError):
    """A test message did not go through."""


def add(archive: Archive, target: targets.Target) -> dict[str, Any]:
    """Check the URL with Apprise, then keep the target in the local file."""
    service = notify.service(target.url)
    targets.add(archive.state_dir, target)
    return _describe(target, service.name, {})


def remove(archive: Archive, name: str) -> int:
    """Forget a target and what was still queued for it; returns how many were queued."""
    targets.remove(archive.state_dir, name)
    state = State.open(archive.state_dir)
    try:
        return Outbox(state, []).forget(name)
    finally:
        state.close()


def listing(archive: Archive) -> list[dict[str, Any]]:
    state = State.open(archive.state_dir)
    try:
        outbox = Outbox(state, [])
        counts = outbox.counts()
        out = []
        for target in targets.load(archive.state_dir):
            try:
                name = notify.service(target.url).name
            except notify.BadTarget:
                name = "unknown service"
            item = _describe(target, name, counts.get(target.name, {}))
            item["last_error"] = outbox.last_error(target.name)
            out.append(item)
        return out
    finally:
        state.close()


def test(archive: Archive, name: str) -> str:
    """Send the latest change in the archive (or a greeting) to one target, marked as a
    test; returns the service's name. NotifyFailed says why it did not go through."""
    found = [t for t in targets.load(archive.state_dir) if t.name == name]
    if not found:
        raise JournalError(f'No notification target "{name}"; "journal notify list" shows them.')
    target = found[0]
    service = notify.service(target.url)
    message = _latest(archive, service.format)
    started = time.monotonic()
    delivery = notify.send(target.url, f"[test] {message.title}", message.body, service.format)
    if not delivery.ok:
        raise NotifyFailed(
            f'The test message to "{name}" ({service.shown}) failed after '
            f"{time.monotonic() - started:.1f}s: {delivery.reason}; check the URL's host, "
            'credentials and options, then "journal notify remove" and add it again.'
        )
    return service.name


def _latest(archive: Archive, fmt: notice.Format) -> notice.Notice:
    for revision in archive.log(limit=50):
        if revision.change is Change.REEXTRACT:
            continue
        story = notice.story(archive, revision.path, revision.commit, settings(archive).feed_base_url)
        if story is not None:
            return notice.one(story, fmt)
    return notice.Notice("journal can reach this target", "This is a test message from journal.\n")


def _describe(target: targets.Target, service: str, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "name": target.name,
        "service": service,
        "address": notify.shown(target.url),
        "from": "environment" if target.from_env else "notify.toml",
        "sources": list(target.sources),
        "changes": list(target.changes),
        "min_size": target.min_size,
        "title": target.title,
        "link": target.link,
        "digest": target.digest_max if target.digest else None,
        "sent": counts.get("sent", 0),
        "queued": counts.get("queued", 0),
        "failing": counts.get("failing", 0),
    }
