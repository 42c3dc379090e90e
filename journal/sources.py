"""The source list kept in the archive: journal.toml edits, each its own commit."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from journal import commits, config, disk, opml, outlets
from journal.archive import CONFIG_FILE, Archive, Identity, Writer
from journal.errors import ConfigError, UsageError
from journal.lock import WriterLock
from journal.models import Settings, Source
from journal.state import State
from journal.urls import BadURL, canonical, host_of

log = logging.getLogger(__name__)


def init(root: Path, now: datetime) -> Archive:
    """A new archive with the starter journal.toml (and its list of outlets)."""
    return Archive.create(root, config.starter(outlets.commented(outlets.known())), Identity(), now)


def settings(archive: Archive) -> Settings:
    return config.parse(archive.read_config(), where=str(archive.root / CONFIG_FILE))


def add(
    archive: Archive,
    name: str,
    feeds: list[str],
    include: list[str],
    exclude: list[str],
    now: datetime,
    check: Callable[[str], None] | None = None,
) -> Source:
    """Add a source; `check` is called on each feed URL once the new table is known to be
    valid, before anything is written (it raises to refuse the URL)."""
    if not feeds:
        feeds, exclude = _outlet(name, exclude)
    text = config.add_source(archive.read_config(), name, feeds, include, exclude)
    if check is not None:
        for url in feeds:
            check(url)
    commit_config(archive, text, f"journal: add source {name}", f"feeds: {' '.join(feeds)}", now)
    source = settings(archive).source(name)
    assert source is not None
    return source


def _outlet(name: str, exclude: list[str]) -> tuple[list[str], list[str]]:
    """The feeds and exclusions of the known outlet `name` (given exclusions kept too)."""
    outlet = outlets.find(name)
    if outlet is None:
        names = ", ".join(o.key for o in outlets.known())
        raise UsageError(
            f'"{name}" is not an outlet journal knows; give its feed: "journal source add {name} FEED_URL" '
            f"(known outlets: {names})."
        )
    return list(outlet.feeds), [*outlet.exclude, *(e for e in exclude if e not in outlet.exclude)]


def remove(archive: Archive, name: str, now: datetime) -> None:
    text = config.remove_source(archive.read_config(), name)
    commit_config(archive, text, f"journal: remove source {name}", "", now)


def track(archive: Archive, url: str, source: str | None, now: datetime) -> str:
    """Follow one article no feed lists; returns the source it was filed under."""
    try:
        url = canonical(url)
    except BadURL as exc:
        raise ConfigError(f"{exc}; give the article's full http(s) address.") from exc
    if source is not None and settings(archive).source(source) is None:
        raise ConfigError(
            f'No source named "{source}"; "journal source list" shows them '
            "(without --source the article is filed under a source named after its site)."
        )
    name = source or source_name(host_of(url))
    text = config.track_url(archive.read_config(), name, url)
    commit_config(archive, text, f"journal: track {url}", f"source: {name}", now)
    return name


def track_many(
    archive: Archive, lines: list[str], source: str | None, now: datetime
) -> tuple[list[str], list[str]]:
    """Follow every URL of a list (one a line; blank lines and # comments skipped) in
    one commit. Returns (tracked, already tracked); a bad line is an error naming it,
    and then nothing is tracked."""
    wanted: list[str] = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            wanted.append(canonical(text))
        except BadURL as exc:
            raise ConfigError(
                f"line {number}: {exc}; nothing was tracked. Fix the line and run again."
            ) from exc
    text, added, known = archive.read_config(), [], []
    for url in dict.fromkeys(wanted):
        try:
            text = config.track_url(text, source or source_name(host_of(url)), url)
            added.append(url)
        except ConfigError:
            known.append(url)
    if added:
        commit_config(archive, text, f"journal: track {len(added)} URLs", "\n".join(added), now)
    return added, known


def untrack(archive: Archive, url: str, now: datetime) -> str:
    """Stop following a tracked URL: out of journal.toml, and no more checks of its
    article (its versions stay). Returns the source it was in."""
    try:
        url = canonical(url)
    except BadURL as exc:
        raise ConfigError(f"{exc}; give the tracked article's full http(s) address.") from exc
    text, name = config.untrack_url(archive.read_config(), url)
    commit_config(archive, text, f"journal: untrack {url}", f"source: {name}", now)
    with WriterLock(archive.state_dir, wait=30):
        state = State.open(archive.state_dir)
        try:
            row = state.article_by_alias(url)
            if row is not None:
                row.next_check = None
                state.save(row)
        finally:
            state.close()
    return name


def edit(
    archive: Archive, name: str, add: dict[str, list[str]], drop: dict[str, list[str]], now: datetime
) -> Source:
    """Add or drop a source's feeds and include/exclude regexes, in one commit."""
    text = config.edit_source(archive.read_config(), name, add, drop)
    changes = [f"+{k} {v}" for k, vs in add.items() for v in vs] + [
        f"-{k} {v}" for k, vs in drop.items() for v in vs
    ]
    commit_config(archive, text, f"journal: edit source {name}", "\n".join(changes), now)
    source = settings(archive).source(name)
    assert source is not None
    return source


def import_opml(
    archive: Archive, data: bytes, where: str, now: datetime
) -> tuple[dict[str, list[str]], list[str]]:
    """Add the feeds of an OPML file (one commit); returns the feeds added by source,
    and a line for each outline left out."""
    feeds, skipped = opml.read(data, where)
    todo = opml.plan(feeds, settings(archive).sources)
    if todo:
        text = config.merge_feeds(archive.read_config(), todo)
        count = sum(len(v) for v in todo.values())
        commit_config(archive, text, f"journal: import {count} feeds from OPML", "\n".join(todo), now)
    return todo, skipped


def export_opml(archive: Archive) -> bytes:
    return opml.write(settings(archive).sources)


def source_name(host: str) -> str:
    """'www.bbc.co.uk' → 'bbc-co-uk'."""
    for prefix in ("www.", "m.", "amp."):
        host = host.removeprefix(prefix)
    name = "".join(c if c.isalnum() else "-" for c in host.lower()).strip("-")
    return name[:40].rstrip("-") or "tracked"


def commit_config(archive: Archive, text: str, subject: str, detail: str, now: datetime) -> None:
    """Write journal.toml, commit it alone, and leave index and working tree matching HEAD.
    An edit made by hand since the last commit is committed first, on its own."""
    with disk.guard(archive.root), WriterLock(archive.state_dir, wait=30):
        for note in archive.recover():
            log.warning("%s", note)
        _commit(archive, text, subject, detail, now)


def commit_hand_edits(archive: Archive, now: datetime) -> bool:
    """Commit journal.toml as edited by hand since its last commit, as a configuration
    commit of its own (never folded into the next command's). Call under the writer
    lock; returns whether there was an edit."""
    head = archive.head()
    if head is None:
        return False
    text = archive.read_config()
    before = archive.read_config(head)
    if text == before:
        return False
    tables = config.changed_tables(before, text)
    detail = f"changed: {', '.join(tables)}" if tables else "comments only"
    _commit(archive, text, HAND_EDIT, detail, now, edits_first=False)
    return True


HAND_EDIT = "journal: journal.toml edited by hand"


def _commit(
    archive: Archive, text: str, subject: str, detail: str, now: datetime, edits_first: bool = True
) -> None:
    if edits_first:
        commit_hand_edits(archive, now)
    ident = config.parse(text)
    target = archive.root / CONFIG_FILE
    if archive.read_config() != text:
        tmp = target.with_suffix(".toml.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    with Writer(archive, Identity(ident.author_name, ident.author_email)) as writer:
        writer.commit(commits.config_message(subject, detail), now, {CONFIG_FILE: text.encode()})
        head = writer.checkpoint()
    archive.stage(CONFIG_FILE)
    state = State.open(archive.state_dir)
    try:
        state.forget_feeds(ident.feed_urls())
        if state.meta("worktree") is None or _only_config_changed(archive, state.meta("worktree"), head):
            state.set_meta("worktree", head)
    finally:
        state.close()


def _only_config_changed(archive: Archive, old: str | None, new: str | None) -> bool:
    if old is None or new is None:
        return False
    changed = archive.git("diff", "--name-only", old, new).split()
    return set(changed) <= {CONFIG_FILE}
