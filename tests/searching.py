"""What the search tests share: histories written straight into real git archives (the
updater's commit format, through journal's own writer), and a brute-force reading of
the search language over those histories, written apart from the index it checks."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from journal import captions, commits, config, document
from journal.archive import Archive, Identity, Writer
from journal.models import ArticleText, Change
from journal.query import Query

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC).timestamp()


@dataclass
class Event:
    """One commit of an article: its change, text (None for a removal) and size."""

    change: Change
    title: str = ""
    lines: tuple[str, ...] = ()
    size: str | None = None


@dataclass
class Story:
    source: str
    slug: str
    byline: str = "Police Court"  # front matter made of words people search for
    versions: int = 0
    commits: list[tuple[float, Event, int]] = field(default_factory=list)  # (time, event, version)

    @property
    def path(self) -> str:
        return f"{self.source}/2026/11/{self.slug}.md"

    @property
    def url(self) -> str:
        return f"https://example.org/obama-gun-law/{self.slug}"


def write(archive_root: Path, plan: Iterable[tuple[Story, Event]], start: float = T0) -> Archive:
    """Commit `plan` in order, a minute apart, to a new archive (or the one at the root)."""
    if (archive_root / ".git").exists():
        archive = Archive.open(archive_root)
    else:
        archive = Archive.create(
            archive_root, config.STARTER, Identity(), datetime.fromtimestamp(start - 60, UTC)
        )
    with Writer(archive, Identity()) as writer:
        for n, (story, event) in enumerate(plan):
            when = start + 60 * n
            if event.change in (Change.NEW, Change.EDIT, Change.RESTORED):
                story.versions += 1
            text = ArticleText(story.url, story.source, event.title, event.lines, byline=story.byline)
            message = commits.CommitMessage(
                source=story.source,
                title=event.title,
                url=story.url,
                version=story.versions,
                change=event.change,
                fetched_at=datetime.fromtimestamp(when, UTC),
                summary="a change",
                change_size=event.size,
            )
            data = None if event.change is Change.REMOVED else document.render(text)
            writer.commit(message.render(), datetime.fromtimestamp(when, UTC), {story.path: data})
            story.commits.append((when, event, story.versions))
        writer.checkpoint()
    return archive


# -- the brute force ---------------------------------------------------------------------------


def _is_ideograph(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def words(text: str) -> list[str]:
    """unicode61 with remove_diacritics 2, read from its documentation: letters and digits
    make words, case and accents do not count, everything else separates; and, as journal
    adds, each CJK ideograph is a word of its own."""
    out: list[str] = []
    word: list[str] = []
    for char in text + " ":
        if _is_ideograph(char) or unicodedata.category(char)[0] not in "LN":
            if word:
                out.append("".join(word))
                word = []
            if _is_ideograph(char):
                out.append(char)
            continue
        bare = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
        word.append(bare.lower())
    return out


def _holds(fields: list[str], term: str) -> bool:
    wanted = words(term)
    for text in fields:
        have = words(text)
        if any(have[i : i + len(wanted)] == wanted for i in range(len(have) - len(wanted) + 1)):
            return True
    return False


def matches(query: Query, fields: list[str]) -> bool:
    """Every group has a term in one of `fields`, and no excluded term is in any."""
    return all(any(_holds(fields, t) for t in group) for group in query.groups) and not any(
        _holds(fields, t) for t in query.excluded
    )


@dataclass(frozen=True)
class Expected:
    path: str
    version: int
    time: float
    source: str
    change: Change
    size: str | None
    title: str
    added: str
    old_title: str
    removed: str
    latest: bool
    now: tuple[str, str]  # the article's current title and text


def expected_versions(stories: list[Story]) -> list[Expected]:
    """Every version of every story, with what it wrote and took out (a set difference of
    lines against the text before it, re-extractions and removals included in that text)."""
    out = []
    for story in stories:
        before: Event | None = None
        mine: list[Expected] = []
        for when, event, version in story.commits:
            if event.change is Change.REMOVED:
                continue
            if event.change is not Change.REEXTRACT:
                if before is None or event.change is Change.NEW:
                    title, added, old_title, removed = event.title, event.lines, "", ()
                else:
                    old, new = set(before.lines), set(event.lines)
                    changed = event.title != before.title
                    title, old_title = (event.title, before.title) if changed else ("", "")
                    added = tuple(line for line in event.lines if line not in old)
                    removed = tuple(line for line in before.lines if line not in new)
                mine.append(
                    Expected(
                        story.path, version, when, story.source, event.change, event.size,
                        title, _read(added), old_title, _read(removed), False, ("", ""),
                    )
                )  # fmt: skip
            before = event
        if mine and before is not None:
            mine[-1] = replace(mine[-1], latest=True, now=(before.title, _read(before.lines)))
        out += mine
    return out


def _read(lines: Iterable[str]) -> str:
    return "\n".join(captions.shown(line) for line in lines)


def brute_force(
    versions: list[Expected],
    query: Query,
    *,
    added: bool = False,
    removed: bool = False,
    title: bool = False,
    source: str | None = None,
    since: float | None = None,
    until: float | None = None,
    min_size: str | None = None,
) -> list[tuple[str, int]]:
    """(path, version) of every version the search should find, newest first."""
    sizes = ("typo", "minor", "major")
    found = []
    for v in versions:
        if source is not None and v.source != source:
            continue
        if (since is not None and v.time < since) or (until is not None and v.time >= until):
            continue
        if min_size and v.change is Change.EDIT and v.size not in sizes[sizes.index(min_size) :]:
            continue
        new = [v.title] if title else [v.title, v.added]
        old = [v.old_title] if title else [v.old_title, v.removed]
        if not (added or removed or title):  # the latest version also holds what the article says now
            hit = matches(query, [v.title, v.added, v.old_title, v.removed, *(v.now if v.latest else ())])
        else:
            hit = ((added or not removed) and matches(query, new) and not matches(query, old)) or (
                removed and matches(query, old) and not matches(query, new)
            )
        if hit:
            found.append((v.time, v.path, v.version))
    return [(path, version) for _, path, version in sorted(found, reverse=True)]
