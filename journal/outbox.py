"""The outbox: every committed version owed to a target, until it is sent.

Rows are keyed by (commit, target) and written in the same state transaction
that records the version after a checkpoint (ledger) or after a crash (catch-up
from git), never by a rebuild (`journal reindex` must not announce the whole
history) and never for a `reextract`. So a SIGKILL at any moment loses no
message: a version is either recorded with its rows or caught up with them
later. A row is marked sent in a transaction of its own right after its send, so
a message is repeated only when the process dies between the two (one message,
or one digest, is in flight at a time). Failures are retried with backoff, across
runs, and reported (courier.py); they never fail the update.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from journal import targets
from journal.archive import Archive
from journal.models import Change
from journal.state import State
from journal.targets import News, Target

FIRST_RETRY = 60.0  # seconds; doubled after each failure
LAST_RETRY = 6 * 3600.0
KEEP_SENT = 30 * 86400.0  # sent rows are kept this long (counts, and proof of sending)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox (
        commit_id TEXT NOT NULL,
        target TEXT NOT NULL,
        path TEXT NOT NULL,
        queued REAL NOT NULL,
        next_try REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent REAL,
        last_error TEXT,
        PRIMARY KEY (commit_id, target)
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (target, sent, next_try)",
)


@dataclass(frozen=True)
class Owed:
    commit: str
    target: str
    path: str
    attempts: int


class Outbox:
    """The outbox table of one state database, and the targets it fills for."""

    def __init__(self, state: State, wanted: list[Target], clock: Callable[[], float] = time.time):
        self.state = state
        self.targets = wanted
        self.clock = clock
        for statement in _SCHEMA:  # executescript() would end a transaction in progress
            state.db.execute(statement)

    @classmethod
    def of(cls, archive: Archive, state: State, clock: Callable[[], float] = time.time) -> Outbox | None:
        """The archive's outbox, or None when no target is set (nothing to queue)."""
        wanted = targets.load(archive.state_dir)
        return cls(state, wanted, clock) if wanted else None

    def add(self, news: News) -> None:
        """Owe `news` to every target that wants it (inside the caller's transaction)."""
        if news.change is Change.REEXTRACT:
            return
        now = self.clock()
        for target in self.targets:
            if target.wants(news):
                self.state.db.execute(
                    "INSERT OR IGNORE INTO outbox (commit_id, target, path, queued, next_try) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (news.commit, target.name, news.path, now, now),
                )

    def due(self, target: str, now: float) -> list[Owed]:
        rows = self.state.db.execute(
            "SELECT commit_id, target, path, attempts FROM outbox "
            "WHERE target = ? AND sent IS NULL AND next_try <= ? ORDER BY rowid",
            (target, now),
        )
        return [Owed(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per target: sent (kept rows), queued, failing (queued after a failure)."""
        out: dict[str, dict[str, int]] = {}
        for name, sent, queued, failing in self.state.db.execute(
            "SELECT target, COUNT(sent), SUM(sent IS NULL), SUM(sent IS NULL AND attempts > 0) "
            "FROM outbox GROUP BY target"
        ):
            out[str(name)] = {"sent": int(sent), "queued": int(queued or 0), "failing": int(failing or 0)}
        return out

    def last_error(self, target: str) -> str | None:
        row = self.state.db.execute(
            "SELECT last_error FROM outbox WHERE target = ? AND sent IS NULL AND last_error IS NOT NULL "
            "ORDER BY next_try DESC LIMIT 1",
            (target,),
        ).fetchone()
        return None if row is None else str(row[0])

    def sent(self, owed: list[Owed], now: float) -> None:
        with self.state.transaction():
            for item in owed:
                self.state.db.execute(
                    "UPDATE outbox SET sent = ?, attempts = attempts + 1, last_error = NULL "
                    "WHERE commit_id = ? AND target = ?",
                    (now, item.commit, item.target),
                )

    def failed(self, owed: list[Owed], reason: str, now: float) -> float:
        """Record a failure; returns the seconds until the next try. The whole target
        waits: a service that is down is not asked again for each message queued."""
        attempts = max(item.attempts for item in owed) + 1
        wait = min(FIRST_RETRY * float(2 ** (attempts - 1)), LAST_RETRY)
        with self.state.transaction():
            for item in owed:
                self.state.db.execute(
                    "UPDATE outbox SET attempts = ?, last_error = ? WHERE commit_id = ? AND target = ?",
                    (attempts, reason, item.commit, item.target),
                )
            self.state.db.execute(
                "UPDATE outbox SET next_try = MAX(next_try, ?) WHERE target = ? AND sent IS NULL",
                (now + wait, owed[0].target),
            )
        return wait

    def drop(self, owed: list[Owed]) -> None:
        with self.state.transaction():
            for item in owed:
                self.state.db.execute(
                    "DELETE FROM outbox WHERE commit_id = ? AND target = ?", (item.commit, item.target)
                )

    def forget(self, target: str) -> int:
        """Drop what is still owed to a target that was removed."""
        with self.state.transaction():
            cur = self.state.db.execute("DELETE FROM outbox WHERE target = ?", (target,))
        return int(cur.rowcount)

    def prune(self, now: float) -> None:
        self.state.db.execute("DELETE FROM outbox WHERE sent IS NOT NULL AND sent < ?", (now - KEEP_SENT,))
