"""The operations behind each command, returning plain data for the CLI (and web) to render.

Read operations import nothing from the fetch/extract stack.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journal import commits, disk
from journal.archive import Archive
from journal.diff import Op
from journal.errors import ConfigError, LockHeld, PushFailed, UsageError
from journal.history import Entry, Reader, ago, later
from journal.lock import WriterLock
from journal.models import Change, Revision
from journal.state import ArticleRow, State
from journal.terminal import describe, diff_inline, diff_side_by_side, safe, standalone_html, when


def read_state(archive: Archive, note: Callable[[str], None]) -> State:
    """The state database, brought up to date with git first: rebuilt when missing (a
    fresh clone), caught up when commits arrived by other means (a pull, a merge of
    shards). While an updater holds the lock it is left to the updater."""
    with disk.guard(archive.root):
        return _read_state(archive, note)


def _read_state(archive: Archive, note: Callable[[str], None]) -> State:
    fresh = not State.exists(archive.state_dir)
    state = State.open(archive.state_dir, note)
    head = archive.head()
    if head is None or state.meta("head") == head:
        return state
    if fresh or state.meta("head") is None:
        note(f"Building the local index of {archive.root} from git history (once)…")
        reindex(archive, note, state=state, search=False)
        return state
    from journal import index
    from journal.outbox import Outbox
    from journal.sources import settings

    try:
        with WriterLock(archive.state_dir):
            # Versions a killed updater committed are owed to the targets, whoever catches up.
            index.catch_up(archive, state, settings(archive), time.time(), outbox=Outbox.of(archive, state))
    except LockHeld:
        pass  # an update is running and catches up itself
    return state


def reindex(
    archive: Archive, note: Callable[[str], None], state: State | None = None, search: bool = True
) -> int:
    """Rebuild the state from git, and the search index unless `search` is False (a read
    command building the state of a fresh clone leaves the search index to searches)."""
    from journal import index
    from journal.searchindex import SearchIndex
    from journal.sources import settings

    own = state is None
    with disk.guard(archive.root), WriterLock(archive.state_dir, wait=30):
        for message in archive.recover():
            note(message)
        state = state or State.open(archive.state_dir, note)
        found = SearchIndex.open(archive.state_dir) if search else None
        try:
            config = settings(archive)
            # One walk of history for both: the search index is built from the commits
            # and texts the state's rebuild reads.
            with found.rebuilding(archive) if found else nullcontext(None) as also:
                count = index.reindex(archive, state, config, time.time(), also=also)
            state.forget_feeds(config.feed_urls())
            state.set_meta("worktree", archive.head())
        finally:
            if own:
                state.close()
            if found:
                found.close()
    return count


def run_update(
    archive: Archive,
    articles: list[str],
    sources: list[str],
    force: bool,
    watch: bool,
    push_after: bool,
    reporter: Any,
    reextract: bool = False,
) -> dict[str, Any]:
    from journal import update
    from journal.sources import settings

    config = settings(archive)
    unknown = [s for s in sources if config.source(s) is None]
    if unknown:
        raise ConfigError(f'No source named {", ".join(unknown)}; "journal source list" shows them.')
    if not config.sources and not articles:
        reporter.note('No sources yet; add one with "journal source add NAME FEED_URL".')
    ids: tuple[int, ...] = ()
    if articles:
        reader = Reader(archive, read_state(archive, reporter.note))
        ids = tuple(reader.resolve(a).id for a in articles)
        reader.state.close()
    options = update.Options(sources=tuple(sources), force=force, articles=ids, reextract=reextract)
    summary = update.run(archive, options, reporter, watch=watch).as_json()
    if push_after:
        try:
            summary["pushed"] = push(archive, None)
        except PushFailed as exc:
            summary["push_error"] = str(exc)
            summary["error"] = summary["error"] or "the push failed"
            reporter.note(str(exc))
    return summary


def push(archive: Archive, remote: str | None) -> str:
    """Push to `remote`, else push_remote, else origin; return where to. A URL given
    when the archive has no remote yet is kept as `origin` (in .git/config, never in
    journal.toml, which is pushed), so the next `journal push` needs no argument."""
    from journal.sources import settings

    config = settings(archive)
    target = remote or config.push_remote
    if not target:
        if archive.remote_url("origin"):
            target = "origin"
        else:
            raise PushFailed(
                'No remote to push to; give one ("journal push URL") or set push_remote in journal.toml.'
            )
    archive.push(target, config.push_branch)
    if (
        remote
        and not config.push_remote
        and not archive.remote_url("origin")
        and not archive.remote_url(remote)
    ):
        archive.add_remote("origin", remote)
        return f'{remote} (kept as remote "origin": "journal push" alone pushes there next time)'
    return target


def maintain(archive: Archive) -> str:
    with disk.guard(archive.root), WriterLock(archive.state_dir, wait=30):
        started = time.monotonic()
        notes = archive.recover()
        archive.maintain()
        state = State.open(archive.state_dir)
        try:
            state.set_meta("graph_head", archive.head())
        finally:
            state.close()
    done = f"Repacked and wrote the commit-graph with Bloom filters in {time.monotonic() - started:.1f}s."
    return "\n".join([*notes, done])


# -- status ---------------------------------------------------------------------------


def article_status(reader: Reader, ref: str) -> dict[str, Any]:
    row = reader.resolve(ref)
    revisions = reader.revisions(row)
    versions = reader.version_numbers(revisions)
    shown = [r for r in revisions if r.change is not Change.REEXTRACT]
    last = shown[-1] if shown else None
    return {
        "id": row.sid,
        "title": row.title,
        "url": row.url,
        "source": row.source,
        "path": row.path,
        "aliases": [a for a in reader.state.aliases(row.id) if not a.startswith("guid ")],
        "first_seen": _iso(row.first_seen),
        "last_changed": _iso(row.last_changed),
        "last_checked": _iso(row.last_checked),
        "versions": len(versions),
        "changes": max(len(versions) - 1, 0),
        "removed": bool(row.removed),
        "last_event": last.change.value if last else None,
        "retired": row.next_check is None,
        "next_check": _iso(row.next_check),
        "failures": row.failures,
        "last_error": row.last_error,
    }


def archive_status(reader: Reader) -> dict[str, Any]:
    from journal.sources import settings

    state = reader.state
    now = time.time()
    config = settings(reader.archive)
    due = state.db.execute(
        "SELECT COUNT(*) FROM articles WHERE next_check IS NOT NULL AND next_check <= ?", (now,)
    ).fetchone()[0]
    failing, stuck = state.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(failures >= 3), 0) FROM articles WHERE failures > 0"
    ).fetchone()
    configured = {(url, s.name) for s in config.sources for url in s.feeds}
    feeds = [
        {
            "url": f.url,
            "source": f.source,
            "last_polled": _iso(f.last_polled),
            "next_poll": _iso(f.next_poll),
            "failures": f.failures,
            "last_error": f.last_error,
        }
        for f in state.feeds()
        if (f.url, f.source) in configured  # a removed source's feeds are not followed
    ]
    return {
        "archive": str(reader.archive.root),
        "head": reader.archive.head(),
        "sources": [s.name for s in config.sources],
        **state.count(),
        "due": int(due),
        "failing": int(failing),
        "failing_3_times": int(stuck),
        "feeds_failing": sum(1 for f in feeds if f["failures"]),
        "feeds": feeds,
    }


def render_status(data: dict[str, Any]) -> str:
    now = datetime.now(UTC)
    if "archive" in data:
        lines = [
            f"archive   {data['archive']}",
            f"sources   {', '.join(data['sources']) or 'none yet'}",
            f"articles  {data['articles']} with {data['versions']} versions "
            f"({data['retired']} retired, {data['removed']} removed)",
            f"pending   {data['tracked'] - data['articles']} found but not yet recorded",
            f"due       {data['due']} articles due for a check now",
        ]
        broken = [f for f in data["feeds"] if f["failures"]]
        for feed in broken:
            lines.append(
                f"feed      {safe(feed['url'])} failing ({feed['failures']}x): {safe(feed['last_error'])}"
            )
        if data["failing"]:
            lines.append(
                f"failing   {data['failing']} article(s) failed their last check "
                f"({data['failing_3_times']} of them 3 or more times in a row)"
            )
        return "\n".join(lines)
    first = _dt(data["first_seen"])
    changed = _dt(data["last_changed"])
    lines = [
        safe(data["title"]),
        f"  This article is from the source '{safe(data['source'])}' and was first seen on "
        f"{when(first) if first else 'unknown'}.",
    ]
    if changed:
        lines.append(f"  It last changed {ago(changed, now)} ({when(changed)}).")
    if data["retired"]:
        lines.append("  It won't be checked again for changes.")
    elif data["next_check"]:
        nxt = _dt(data["next_check"])
        assert nxt is not None
        lines.append(f"  Next check {ago(nxt, now)} ({when(nxt)}).")
    changes, versions = data["changes"], data["versions"]
    if changes:
        lines.append(
            f"  The article has changed {changes} time{'s' if changes != 1 else ''} ({versions} versions)."
        )
    else:
        lines.append(
            f"  It has not changed since it was first seen ({versions} version{'s' if versions != 1 else ''})."
        )
    if data["removed"]:
        lines.append("  It has been removed from its site (HTTP 404/410).")
    if data["failures"] and data["last_error"]:
        lines.append(f"  The last {data['failures']} check(s) failed: {safe(data['last_error'])}")
    lines += [f"  url   {safe(data['url'])}", f"  id    {data['id']}", f"  file  {data['path']}"]
    return "\n".join(lines)


# -- lists and history -------------------------------------------------------------------------


def article_list(
    reader: Reader, source: str | None, since: str | None, limit: int | None
) -> list[dict[str, Any]]:
    since_ts = None
    if since:
        try:
            since_ts = datetime.fromisoformat(since).replace(tzinfo=UTC).timestamp()
        except ValueError as exc:
            raise UsageError(f"--since {since!r} is not a date; use YYYY-MM-DD.") from exc
    if source:
        _known_source(reader, source)
    rows = reader.state.listing(source=source, since=since_ts, limit=limit)
    return [_row_json(row) for row in rows]


def _row_json(row: ArticleRow) -> dict[str, Any]:
    return {
        "id": row.sid,
        "source": row.source,
        "url": row.url,
        "path": row.path,
        "title": row.title,
        "versions": row.versions,
        "first_seen": _iso(row.first_seen),
        "last_changed": _iso(row.last_changed) or "",
        "removed": bool(row.removed),
        "retired": row.next_check is None,
    }


def article_history(reader: Reader, ref: str) -> tuple[ArticleRow, list[Entry], dict[str, Any]]:
    row = reader.resolve(ref)
    entries = reader.entries(row)
    data = {
        **_row_json(row),
        "versions": [
            {
                "version": e.version,
                "change": e.change.value,
                "time": commits.iso(e.time),
                "gap_seconds": e.gap,
                "gap": later(e.gap) if e.gap is not None else None,
                "summary": e.revision.summary,
                "change_size": e.revision.change_size,
                "words": e.revision.words,
                "description": describe(e),
                "commit": e.revision.commit,
            }
            for e in entries
        ],
    }
    return row, entries, data


def feed_xml(
    reader: Reader,
    article: str | None,
    source: str | None,
    limit: int,
    min_size: str | None,
) -> bytes:
    from journal import changefeed
    from journal.sources import settings

    if article and source:
        raise UsageError("Give an ARTICLE or --source, not both.")
    if min_size and min_size not in changefeed.SIZES:
        raise UsageError(f"--min-size must be one of {', '.join(changefeed.SIZES)}.")
    config = settings(reader.archive)
    if source:
        _known_source(reader, source)
    scope = changefeed.Scope(source=source, article=reader.resolve(article) if article else None)
    return changefeed.build(reader, scope, config.feed_base_url, limit, min_size)


def _known_source(reader: Reader, name: str) -> None:
    """A source named in journal.toml, or one whose articles the archive holds."""
    from journal.sources import settings

    if settings(reader.archive).source(name) is None and name not in reader.state.sources_in_use():
        raise ConfigError(f'No source named "{name}"; "journal source list" shows them.')


def render_diff(
    reader: Reader, ref: str, a: int | None, b: int | None, mode: str, width: int, color: bool
) -> str:
    row = reader.resolve(ref)
    delta, rev_a, rev_b = reader.diff(row, a, b)
    gap = (rev_b.time - rev_a.time).total_seconds()
    old_label = f"Version {rev_a.version} · {when(rev_a.time)}"
    new_label = f"Version {rev_b.version} · {when(rev_b.time)}"
    if gap:
        new_label += f" {later(gap)}"
    if mode == "html":
        return standalone_html(delta, row.title, old_label, new_label)
    if mode == "side":
        return diff_side_by_side(delta, old_label, new_label, width, color)
    return diff_inline(delta, old_label, new_label, color)


def diff_json(reader: Reader, ref: str, a: int | None, b: int | None) -> dict[str, Any]:
    """The diff as `GET /api/articles/ID/diff/A/B` answers it."""
    from journal import links

    row = reader.resolve(ref)
    delta, rev_a, rev_b = reader.diff(row, a, b)
    sid = row.sid or ""
    gap = (rev_b.time - rev_a.time).total_seconds()

    def ops(found: tuple[Op, ...]) -> list[dict[str, str]]:
        return [{"kind": op.kind, "text": op.text} for op in found]

    def ref_json(revision: Revision) -> dict[str, Any]:
        return {
            "version": revision.version,
            "time": commits.iso(revision.time),
            "commit": revision.commit,
            "html": links.version("", sid, revision.version),
        }

    return {
        "article": sid,
        "a": ref_json(rev_a),
        "b": ref_json(rev_b),
        "gap": later(gap) if gap > 0 else None,
        "summary": delta.summary(),
        "change_size": delta.size(),
        "words": delta.words(),
        "fields": [{"name": f.name, "old": f.old, "new": f.new, "ops": ops(f.ops)} for f in delta.fields],
        "rows": [
            {"kind": r.kind, "old": r.old, "new": r.new, "caption": r.caption, "ops": ops(r.ops)}
            for r in delta.rows
        ],
    }


def _iso(stamp: float | None) -> str | None:
    return None if stamp is None else commits.iso(datetime.fromtimestamp(stamp, UTC))


def _dt(text: str | None) -> datetime | None:
    return None if not text else datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def add_source(
    archive: Archive, name: str, feeds: list[str], include: list[str], exclude: list[str], now: datetime
) -> Any:
    """`journal source add NAME URL...`: each URL is tried once before the source is added
    (`journal.discovery`): a web page is refused with the feeds and sitemaps it offers.
    With no URL, the feeds of the known outlet `name` are taken as listed."""
    from journal import sources
    from journal.discovery import check

    fetch = sources.settings(archive).fetch
    probe = (lambda url: check(fetch, url)) if feeds else None
    return sources.add(archive, name, feeds, include, exclude, now, check=probe)


# -- preview ---------------------------------------------------------------------------------


def preview_page(root: Path, url: str | None, page: Path | None, source: str | None) -> Any:
    """`journal preview`: with the archive's settings and articles when there is an
    archive, else with the default settings; writes nothing."""
    from journal.config import parse
    from journal.errors import NoArchive
    from journal.preview import preview
    from journal.sources import settings

    try:
        archive = Archive.open(root)
    except NoArchive:
        return preview(parse(""), None, url, page, source)
    reader = Reader(archive, read_state(archive, lambda _: None))
    try:
        return preview(settings(archive), reader, url, page, source)
    finally:
        reader.state.close()


def preview_json(found: Any) -> dict[str, Any]:
    return {
        "url": found.url,
        "source": found.source,
        "decision": found.decision,
        "reason": found.reason,
        "file": found.file.decode("utf-8") if found.file is not None else None,
        "extractor": found.extractor,
        "article": found.article,
        "version": found.version,
        "summary": found.diff.summary() if found.diff is not None else None,
    }


def render_preview(found: Any, color: bool) -> str:
    """The file first, exactly as it would be committed, then the decision (and the diff
    against the latest version when the archive has the article)."""
    lines = [safe(found.file.decode("utf-8")).rstrip("\n"), ""] if found.file is not None else []
    decision = {"new": "new article", "edit": "edit"}.get(found.decision, found.decision)
    lines.append(f"Decision: {decision}" + (f": {safe(found.reason)}" if found.reason else ""))
    about = f"Source: {safe(found.source)}; extractor: {found.extractor}"
    if found.article:
        about += f"; article {found.article}, version {found.version}"
    lines.append(about)
    if found.diff is not None and found.diff.changed and found.file is not None:
        lines += ["", diff_inline(found.diff, f"Version {found.version}", "This page", color).rstrip("\n")]
    return "\n".join(lines) + "\n"
