"""What a run of the updater did, and how it tells a person while it runs."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from journal.commits import iso

log = logging.getLogger(__name__)

COUNTERS = ("new", "changed", "unchanged", "removed", "restored", "reextracted", "skipped", "failed")


class Reporter(Protocol):
    """Progress and log lines (the CLI renders them as bars or plain lines)."""

    def phase(self, name: str, total: int) -> None: ...

    def extend(self, name: str, amount: int) -> None:
        """The phase has `amount` more steps than it was started with."""

    def advance(self, name: str, amount: int = 1) -> None: ...

    def note(self, message: str) -> None: ...

    def progress(self, message: str) -> None:
        """How the run is going, every few seconds: for logs, where no bar shows it."""


class QuietReporter:
    def phase(self, name: str, total: int) -> None:
        pass

    def extend(self, name: str, amount: int) -> None:
        pass

    def advance(self, name: str, amount: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        log.info("%s", message)

    def progress(self, message: str) -> None:
        log.debug("%s", message)


@dataclass
class Summary:
    """What one pass did, per source; `failures` names every URL that failed and why."""

    started: datetime
    finished: datetime | None = None
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    feeds_polled: int = 0
    feeds_failed: int = 0
    discovered: int = 0
    commits: int = 0
    head: str | None = None
    interrupted: bool = False
    next_poll: float | None = None  # when a feed is due next (UNIX seconds)
    next_check: float | None = None  # when an article is due next
    notifications: dict[str, int] | None = None  # sent, failed, queued (when targets are set)

    def count(self, source: str, key: str) -> None:
        self.counts.setdefault(source, Counter())[key] += 1

    def fail(self, source: str, url: str, reason: str, *, feed: bool = False) -> None:
        self.failures.append(
            {"source": source, "url": url, "error": reason, "kind": "feed" if feed else "article"}
        )

    def add(self, part: Summary) -> None:
        """Fold another pass into this one (--watch reports all its passes)."""
        for source, counter in part.counts.items():
            self.counts.setdefault(source, Counter()).update(counter)
        self.failures += part.failures
        self.feeds_polled += part.feeds_polled
        self.feeds_failed += part.feeds_failed
        self.discovered += part.discovered
        self.commits += part.commits
        self.head = part.head
        self.next_poll, self.next_check = part.next_poll, part.next_check

    def failure(self) -> str | None:
        """Why the run as a whole failed (exit code 1 for cron), or None: every feed
        polled failed, or every article checked could not be fetched."""
        if self.feeds_polled and self.feeds_failed == self.feeds_polled:
            return f"every feed failed ({self.feeds_failed} of {self.feeds_polled})"
        totals = self.totals()
        checked = sum(totals.values())
        if checked and totals["failed"] == checked:
            return f"no article could be fetched ({checked} tried)"
        return None

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for counter in self.counts.values():
            total.update(counter)
        return {key: total.get(key, 0) for key in COUNTERS}

    def as_json(self) -> dict[str, Any]:
        return {
            "started": iso(self.started),
            "finished": iso(self.finished) if self.finished else None,
            "interrupted": self.interrupted,
            "commits": self.commits,
            "head": self.head,
            "feeds": {"polled": self.feeds_polled, "failed": self.feeds_failed},
            "discovered": self.discovered,
            "totals": self.totals(),
            "sources": {
                name: {key: counter.get(key, 0) for key in COUNTERS}
                for name, counter in sorted(self.counts.items())
            },
            "failures": self.failures,
            "error": self.failure(),
            "next_poll": _iso(self.next_poll),
            "next_check": _iso(self.next_check),
            **({"notifications": self.notifications} if self.notifications is not None else {}),
        }


def _iso(stamp: float | None) -> str | None:
    return None if stamp is None else iso(datetime.fromtimestamp(stamp, UTC))
