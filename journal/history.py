"""Reading an archive: find an article, list its versions, get the text of one, diff two.

Everything here reads git through archive.py (path-limited `git log`, `cat-file`)
and the state database for lookups; nothing imports the fetch/extract stack, so
read commands start fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from journal import document
from journal.archive import Archive
from journal.diff import Diff, diff
from journal.errors import UnknownArticle, UnknownVersion
from journal.models import ArticleText, Change, Revision
from journal.schedule import human
from journal.state import ArticleRow, State
from journal.urls import BadURL, canonical

_SID = re.compile(r"^[0-9a-f]{4,10}$")


@dataclass(frozen=True)
class Entry:
    """One line of an article's history: a version, or an event (removed, reextract)."""

    revision: Revision
    gap: float | None  # seconds since the previous entry shown to readers
    new_extractor: bool = False  # a reextract by another extractor than the text before it

    @property
    def version(self) -> int:
        return self.revision.version

    @property
    def change(self) -> Change:
        return self.revision.change

    @property
    def time(self) -> datetime:
        return self.revision.time


class Reader:
    """Read access to one archive."""

    def __init__(self, archive: Archive, state: State):
        self.archive = archive
        self.state = state

    def resolve(self, ref: str) -> ArticleRow:
        """An article from a URL (any alias), a path in the archive, or a short id."""
        ref = ref.strip()
        row: ArticleRow | None = None
        if re.match(r"^https?://", ref, re.IGNORECASE):
            try:
                row = self.state.article_by_alias(canonical(ref))
            except BadURL:
                row = None
            row = row or self.state.article_by_alias(ref)
        elif ref.endswith(".md"):
            row = self.state.article_by_path(self._relative(ref))
        elif _SID.match(ref):
            rows = self.state.articles_by_sid_prefix(ref)
            if len(rows) > 1:
                ids = ", ".join(r.sid or "" for r in rows)
                raise UnknownArticle(f"Short id {ref!r} is ambiguous ({ids}); give more characters.")
            row = rows[0] if rows else None
        if row is None or row.path is None:
            raise UnknownArticle(
                f'No article matches {ref[:200]!r}; "journal articles" lists them '
                "(an ARTICLE is a URL, a path in the archive, or a short id)."
            )
        return row

    def _relative(self, ref: str) -> str:
        path = Path(ref)
        if path.is_absolute():
            try:
                return path.resolve().relative_to(self.archive.root.resolve()).as_posix()
            except ValueError:
                return ref
        parts = path.parts
        if parts and parts[0] == self.archive.root.name and len(parts) > 4:
            parts = parts[1:]  # "archive/bbc/2015/09/x.md" given from the project directory
        return "/".join(parts)

    def revisions(self, row: ArticleRow) -> list[Revision]:
        assert row.path is not None
        return self.archive.revisions(row.path, row.last_commit, row.first_seen)

    def entries(self, row: ArticleRow, revisions: list[Revision] | None = None) -> list[Entry]:
        """Every commit of the article with the time since the previous one readers see."""
        out: list[Entry] = []
        previous: datetime | None = None
        extractor: str | None = None
        for revision in revisions if revisions is not None else self.revisions(row):
            gap = None if previous is None else (revision.time - previous).total_seconds()
            # Not every reextract has a new extractor: the same one re-reads a page
            # whose layout changed around the same words.
            new_extractor = revision.change is Change.REEXTRACT and revision.extractor != extractor
            out.append(Entry(revision, gap, new_extractor))
            if revision.change is not Change.REEXTRACT:
                previous = revision.time
            if revision.change is not Change.REMOVED:
                extractor = revision.extractor
        return out

    def version_numbers(self, revisions: list[Revision]) -> list[int]:
        return sorted({r.version for r in revisions if r.change is not Change.REMOVED and r.version > 0})

    def text(
        self,
        row: ArticleRow,
        number: int | None = None,
        *,
        last: bool = True,
        revisions: list[Revision] | None = None,
    ) -> tuple[ArticleText, Revision]:
        """The text of version `number` (default: the latest).

        A version re-extracted later has several commits; `last` picks the latest
        extraction (what a reader sees), otherwise the first (as first recorded).
        """
        revisions = revisions if revisions is not None else self.revisions(row)
        numbers = self.version_numbers(revisions)
        if not numbers:
            raise UnknownVersion(f"{row.url} has no versions yet.")
        number = numbers[-1] if number is None else number
        matching = [r for r in revisions if r.version == number and r.change is not Change.REMOVED]
        if not matching:
            raise UnknownVersion(
                f"{row.url} has no version {number}; it has versions {numbers[0]} to {numbers[-1]}."
            )
        revision = matching[-1] if last else matching[0]
        data = self.archive.read_blob(revision.blob) if revision.blob else None
        if data is None:
            raise UnknownVersion(f"version {number} of {row.url} cannot be read from git.")
        return document.parse(data), revision

    def diff(
        self, row: ArticleRow, a: int | None = None, b: int | None = None
    ) -> tuple[Diff, Revision, Revision]:
        """Diff between versions a and b (default: the two latest)."""
        revisions = self.revisions(row)
        numbers = self.version_numbers(revisions)
        if b is None:
            b = numbers[-1] if numbers else 1
        if a is None:
            earlier = [n for n in numbers if n < b]
            a = earlier[-1] if earlier else b
        # The older text as it stood when it was superseded, the newer as first recorded:
        # both then come from the same extractor even across a reextract.
        old, rev_a = self.text(row, a, last=a < b, revisions=revisions)
        new, rev_b = self.text(row, b, last=a >= b, revisions=revisions)
        return diff(old, new), rev_a, rev_b


def ago(moment: datetime | float, now: datetime | None = None) -> str:
    """'35 minutes ago', 'in 2 hours'."""
    if isinstance(moment, int | float):
        moment = datetime.fromtimestamp(moment, UTC)
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    return f"{human(seconds)} ago" if seconds >= 0 else f"in {human(seconds)}"


def later(seconds: float) -> str:
    """'(35 minutes later)' as on NewsSniffer's diff page; '(35 minutes earlier)' for a
    diff read backwards."""
    return f"({human(seconds)} {'earlier' if seconds < 0 else 'later'})"
