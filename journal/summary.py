"""What a run of the updater did, and how it tells a person while it runs."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
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


class QuietReporter:
    def phase(self, name: str, total: int) -> None:
        pass

    def extend(self, name: str, amount: int) -> None:
        pass

    def advance(self, name: str, amount: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        log.info("%s", message)


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
            **({"notifications": self.notifications} if self.notifications is not None else {}),
        }
