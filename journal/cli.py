"""The `journal` command: parse, call one core function, render. The only typer user."""

from __future__ import annotations

import functools
import json
import logging
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from journal.errors import JournalError, UsageError

app = typer.Typer(
    name="journal",
    help="A git-backed change journal for online news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
source_app = typer.Typer(help="Manage the sources (feeds) the archive follows.", no_args_is_help=True)
app.add_typer(source_app, name="source")
notify_app = typer.Typer(
    help="Notification targets (Apprise URLs, kept on this machine only).", no_args_is_help=True
)
app.add_typer(notify_app, name="notify")

F = TypeVar("F", bound=Callable[..., Any])


def command(group: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command behind the one error boundary: JournalError → one line, exit 1
    (a UsageError: exit 2)."""

    def register(fn: F) -> F:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except JournalError as exc:
                typer.echo(f"journal: {_oneline(str(exc))}", err=True)
                raise typer.Exit(2 if isinstance(exc, UsageError) else 1) from None
            except KeyboardInterrupt:
                typer.echo("journal: interrupted", err=True)
                raise typer.Exit(130) from None

        group.command(name)(guarded)
        return fn

    return register


@dataclass
class Ctx:
    given: Path | None  # --archive or JOURNAL_ARCHIVE

    @property
    def archive(self) -> Path:
        """The archive's folder, for a command that works with or without an archive there
        (`preview`): the one given, else the one around here, else ./archive."""
        from journal.location import resolve

        return resolve(self.given, Path.cwd())


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"journal {version('journal')}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    archive: Annotated[
        Path | None,
        typer.Option(
            "--archive",
            "-a",
            envvar="JOURNAL_ARCHIVE",
            help="The archive directory (default: the archive you are in, else ./archive).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_version, help="Print the version and exit.")
    ] = False,
) -> None:
    """A git-backed change journal for online news."""
    ctx.obj = Ctx(archive)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _open(ctx: typer.Context) -> Any:
    from journal.location import open_archive

    return open_archive(ctx.obj.given, Path.cwd())


def _open_or_create(ctx: typer.Context) -> Any:
    from journal.location import open_or_create

    archive, created = open_or_create(ctx.obj.given, Path.cwd(), _now())
    if created:
        typer.echo(f"Created a new archive at {archive.root}", err=True)
    return archive


def _reader(ctx: typer.Context) -> Any:
    from journal.history import Reader
    from journal.services import read_state

    archive = _open(ctx)
    return Reader(archive, read_state(archive, lambda msg: typer.echo(msg, err=True)))


def _color() -> bool:
    return sys.stdout.isatty()


def _emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _oneline(text: str) -> str:
    from journal.terminal import safe

    return " ".join(safe(text).split())


# -- archive and sources ------------------------------------------------------------


@command(app, "init")
def init_cmd(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Where to make it (default: --archive).")] = None,
) -> None:
    """Create an archive: a git repository with a starter journal.toml."""
    from journal.location import DEFAULT, init

    archive = init(path or ctx.obj.given or Path(DEFAULT), _now())
    typer.echo(f"Created an archive at {archive.root}")
    step = "" if archive.root == Path.cwd().absolute() else f"cd {_shown(archive.root)}, then "
    typer.echo(f'Next: {step}"journal source add NAME [FEED_URL]", then "journal update".')


def _shown(path: Path) -> str:
    """`path` as typed from here: relative below the current folder."""
    try:
        return str(path.relative_to(Path.cwd().absolute()))
    except ValueError:
        return str(path)


@command(source_app, "add")
def source_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Short name: lower-case letters, digits, '-'.")],
    feeds: Annotated[
        list[str] | None,
        typer.Argument(help="RSS or Atom feed URLs, or news sitemaps (none: a known outlet's)."),
    ] = None,
    include: Annotated[list[str] | None, typer.Option(help="Only article URLs matching this regex.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Skip article URLs matching this regex.")] = None,
) -> None:
    """Add a source: its feeds, each tried once first, or a known outlet by name (a commit of journal.toml)."""
    from journal.outlets import find
    from journal.services import add_source

    source = add_source(_open(ctx), name, feeds or [], include or [], exclude or [], _now())
    typer.echo(f"Added source {source.name} with {len(source.feeds)} feed(s): {' '.join(source.feeds)}")
    outlet = None if feeds else find(name)
    if outlet is not None and outlet.note:
        typer.echo(outlet.note)


@command(source_app, "list")
def source_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the sources and their feeds."""
    from journal.sources import settings
    from journal.terminal import table

    sources = settings(_open(ctx)).sources
    if as_json:
        _emit_json(
            [
                {
                    "name": s.name,
                    "feeds": s.feeds,
                    "urls": s.urls,
                    "include": s.include,
                    "exclude": s.exclude,
                }
                for s in sources
            ]
        )
        return
    if not sources:
        typer.echo('No sources yet; add one with "journal source add NAME FEED_URL".')
        return
    rows = [[s.name, str(len(s.urls)), " ".join(s.feeds) or "-"] for s in sources]
    typer.echo(table(["source", "tracked", "feeds"], rows))


@command(source_app, "remove")
def source_remove(ctx: typer.Context, name: str) -> None:
    """Stop following a source (its articles stay in the archive)."""
    from journal.sources import remove

    remove(_open(ctx), name, _now())
    typer.echo(f"Removed source {name}; its articles stay in the archive.")


@command(app, "track")
def track_cmd(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Argument(help="The article's URL.")] = None,
    source: Annotated[str | None, typer.Option(help="File it under this source.")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="A file of URLs, one a line (# comments).")
    ] = None,
) -> None:
    """Follow one article that no feed lists (or every URL of a file)."""
    from journal.sources import track, track_many

    if from_file is None:
        if url is None:
            raise typer.BadParameter("give a URL, or --from FILE")
        name = track(_open(ctx), url, source, _now())
        typer.echo(f'Tracking {_oneline(url)} in source {name}; "journal update" fetches it.')
        return
    added, known = track_many(_open(ctx), _lines(from_file), source, _now())
    typer.echo(f"Tracking {len(added)} more URL(s); {len(known)} were tracked already.")


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalError(f"Cannot read {path}: {exc}; give a UTF-8 text file.") from exc


@command(app, "untrack")
def untrack_cmd(ctx: typer.Context, url: str) -> None:
    """Stop following a tracked article (its versions stay)."""
    from journal.sources import untrack

    name = untrack(_open(ctx), url, _now())
    typer.echo(f"No longer tracking {_oneline(url)} (source {name}); its versions stay in the archive.")


@command(source_app, "edit")
def source_edit(
    ctx: typer.Context,
    name: str,
    add_feed: Annotated[list[str] | None, typer.Option(help="Add this feed URL.")] = None,
    drop_feed: Annotated[list[str] | None, typer.Option(help="Stop polling this feed URL.")] = None,
    add_include: Annotated[list[str] | None, typer.Option(help="Add an include regex.")] = None,
    drop_include: Annotated[list[str] | None, typer.Option(help="Drop an include regex.")] = None,
    add_exclude: Annotated[list[str] | None, typer.Option(help="Add an exclude regex.")] = None,
    drop_exclude: Annotated[list[str] | None, typer.Option(help="Drop an exclude regex.")] = None,
) -> None:
    """Add or drop a source's feeds and include/exclude regexes (one commit)."""
    from journal.sources import edit

    add = {"feeds": add_feed or [], "include": add_include or [], "exclude": add_exclude or []}
    drop = {"feeds": drop_feed or [], "include": drop_include or [], "exclude": drop_exclude or []}
    source = edit(
        _open(ctx), name, {k: v for k, v in add.items() if v}, {k: v for k, v in drop.items() if v}, _now()
    )
    typer.echo(
        f"Source {source.name}: {len(source.feeds)} feed(s), {len(source.include)} include, {len(source.exclude)} exclude."
    )


@command(source_app, "import")
def source_import(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="An OPML file.")]) -> None:
    """Add the feeds of an OPML file (a feed reader's export) as sources."""
    from journal.sources import import_opml

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise JournalError(
            f"Cannot read {file}: {exc.strerror}; give the OPML file your reader exported."
        ) from exc
    added, skipped = import_opml(_open(ctx), data, str(file), _now())
    for line in skipped:
        typer.echo(f"skipped {_oneline(line)}", err=True)
    count = sum(len(v) for v in added.values())
    typer.echo(
        f"Imported {count} feed(s) into {len(added)} source(s)." if added else "Nothing new to import."
    )


@command(source_app, "export")
def source_export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Write the sources as OPML 2.0, for any feed reader."""
    from journal.sources import export_opml

    data = export_opml(_open(ctx))
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output}", err=True)


# -- notifications -------------------------------------------------------------------


@command(notify_app, "add")
def notify_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Short name: lower-case letters, digits, '-'.")],
    url: Annotated[str, typer.Argument(help="An Apprise URL, or - to read it from stdin.")],
    source: Annotated[list[str] | None, typer.Option(help="Only this source (repeatable).")] = None,
    change: Annotated[
        list[str] | None, typer.Option(help="new, edit, removed, restored (default: all but new).")
    ] = None,
    min_size: Annotated[str | None, typer.Option(help="Leave out smaller edits: minor or major.")] = None,
    title: Annotated[str | None, typer.Option(help="Only titles matching this regex.")] = None,
    link: Annotated[str | None, typer.Option(help="Only article URLs matching this regex.")] = None,
    digest: Annotated[int, typer.Option(help="One message per run telling up to N versions (0: off).")] = 0,
) -> None:
    """Add a notification target: an Apprise URL and its filters (kept out of history)."""
    from journal import notifications, targets

    secret = sys.stdin.readline().strip() if url == "-" else url
    target = targets.make(
        name, secret, sources=source or [], changes=change or [], min_size=min_size,
        title=title, link=link, digest=digest > 0, digest_max=max(digest, 1),
    )  # fmt: skip
    shown = notifications.add(_open(ctx), target)
    typer.echo(
        f"Added target {name}: {shown['service']} at {shown['address']}; told of {', '.join(target.changes)}."
    )


@command(notify_app, "list")
def notify_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the notification targets (addresses without their secrets) and their queues."""
    from journal.notifications import listing
    from journal.terminal import table

    items = listing(_open(ctx))
    if as_json:
        _emit_json(items)
        return
    if not items:
        typer.echo('No notification targets; add one with "journal notify add NAME APPRISE_URL".')
        return
    rows = [
        [i["name"], i["service"], i["address"], ",".join(i["changes"]), str(i["sent"]), str(i["queued"]),
         i["last_error"] or ""]
        for i in items
    ]  # fmt: skip
    typer.echo(table(["target", "service", "address", "changes", "sent", "queued", "last error"], rows))


@command(notify_app, "remove")
def notify_remove(ctx: typer.Context, name: str) -> None:
    """Remove a notification target and drop what was queued for it."""
    from journal.notifications import remove

    dropped = remove(_open(ctx), name)
    typer.echo(f"Removed target {name}" + (f"; {dropped} queued message(s) dropped." if dropped else "."))


@command(notify_app, "test")
def notify_test(ctx: typer.Context, name: str) -> None:
    """Send the latest change (marked as a test) to one target now."""
    from journal.notifications import test

    typer.echo(f"Sent a test message to {name} ({test(_open(ctx), name)}).")


# -- updating ------------------------------------------------------------------------


Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Also log each step (notifications sent, …).")]


@command(app, "update")
def update_cmd(
    ctx: typer.Context,
    articles: Annotated[list[str] | None, typer.Argument(help="Check just these articles now.")] = None,
    watch: Annotated[bool, typer.Option(help="Keep running, sleeping until the next check is due.")] = False,
    source: Annotated[list[str] | None, typer.Option(help="Only this source (repeatable).")] = None,
    force: Annotated[bool, typer.Option(help="Check now, ignoring the schedule.")] = False,
    push: Annotated[bool, typer.Option(help="Push the archive when the run ends.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Poll the feeds, fetch due articles, commit every changed text."""
    from journal.services import run_update

    archive = _open_or_create(ctx)
    with _reporter(quiet=as_json, silent=quiet, verbose=verbose) as reporter:
        summary = run_update(archive, articles or [], source or [], force, watch, push, reporter)
    _print_summary(summary, as_json, quiet)
    _exit_for(summary, watch)


@command(app, "preview")
def preview_cmd(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Argument(help="The page's address.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read this saved page instead of fetching.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Read it with this source's rules.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the file the updater would commit for a page, and what it would decide (writes nothing)."""
    from journal.services import preview_json, preview_page, render_preview

    found = preview_page(ctx.obj.archive, url, file, source)
    if as_json:
        _emit_json(preview_json(found))
    else:
        typer.echo(render_preview(found, _color()), nl=False)


@command(app, "reextract")
def reextract_cmd(
    ctx: typer.Context,
    articles: Annotated[
        list[str] | None, typer.Argument(help="Just these articles (default: all made by another extractor).")
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Re-extract latest versions made by an older extractor; commits them as `reextract`."""
    from journal.services import run_update

    archive = _open(ctx)
    with _reporter(quiet=as_json, silent=quiet, verbose=verbose) as reporter:
        summary = run_update(
            archive, articles or [], source or [], False, False, False, reporter, reextract=True
        )
    _print_summary(summary, as_json, quiet)
    _exit_for(summary, False)


def _exit_for(summary: dict[str, Any], watch: bool) -> None:
    """Exit codes cron and systemd can trust: 130 for a pass stopped early (`--watch`
    ends that way, so 0 there), 1 when the run failed as a whole."""
    if summary["interrupted"] and not watch:
        raise typer.Exit(130)
    if summary["error"]:
        typer.echo(f"journal: {_oneline(summary['error'])}", err=True)
        raise typer.Exit(1)


def _print_summary(summary: dict[str, Any], as_json: bool, quiet: bool = False) -> None:
    if as_json:
        _emit_json(summary)
    elif not quiet:
        typer.echo(_render_summary(summary))


def _render_summary(summary: dict[str, Any]) -> str:
    from journal.terminal import table

    keys = ["new", "changed", "unchanged", "removed", "restored", "reextracted", "skipped", "failed"]
    rows = [[name, *(str(counts[k]) for k in keys)] for name, counts in summary["sources"].items()]
    if len(rows) != 1:
        rows.append(["total", *(str(summary["totals"][k]) for k in keys)])
    lines = [table(["source", *keys], rows)] if summary["sources"] else [_nothing_due(summary)]
    feeds = summary["feeds"]
    lines.append(
        f"{summary['commits']} commit(s); {feeds['polled']} feed(s) polled, {feeds['failed']} failed; "
        f"{summary['discovered']} new article(s) found."
    )
    if summary.get("pushed"):
        lines.append(f"Pushed to {summary['pushed']}.")
    if summary.get("push_error"):
        lines.append(f"Push failed: {summary['push_error']}")
    if summary.get("notifications"):
        told = summary["notifications"]
        lines.append(f"Notifications: {told['sent']} sent, {told['failed']} failed, {told['queued']} queued.")
    if summary.get("interrupted"):
        lines.append("Stopped early; everything fetched so far is committed.")
    return "\n".join(lines)


def _nothing_due(summary: dict[str, Any]) -> str:
    from journal.history import ago

    upcoming = [
        f"the next {what} is due {ago(datetime.fromisoformat(at))}"
        for what, at in (("feed poll", summary["next_poll"]), ("article check", summary["next_check"]))
        if at
    ]
    nothing = "No article was due" if summary["feeds"]["polled"] else "Nothing was due"
    if not upcoming:
        return f"{nothing}."
    return f'{nothing}: {" and ".join(upcoming)}; "journal update --force" checks everything now.'


class _Reporter:
    """Progress bars on a terminal, plain log lines on stderr otherwise."""

    def __init__(self, quiet: bool, silent: bool = False, verbose: bool = False):
        self.quiet = quiet
        self.silent = silent  # -q: not even notes
        self.verbose = verbose  # -v: journal's own log lines too
        self.live = sys.stdout.isatty() and not quiet and not silent
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._log: logging.Handler | None = None

    def __enter__(self) -> _Reporter:
        if self.verbose and not self.silent:
            reporter = self

            class ToReporter(logging.Handler):
                def emit(self, record: logging.LogRecord) -> None:
                    reporter.note(record.getMessage())

            self._log = ToReporter(logging.INFO)
            logging.getLogger("journal").addHandler(self._log)
            logging.getLogger("journal").setLevel(logging.INFO)
        if self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
        if self._log is not None:
            logging.getLogger("journal").removeHandler(self._log)

    def phase(self, name: str, total: int) -> None:
        if self._progress is not None:
            self._tasks[name] = self._progress.add_task(name, total=total)

    def extend(self, name: str, amount: int) -> None:
        if self._progress is not None and name in self._tasks:
            task = self._tasks[name]
            self._progress.update(task, total=(self._progress.tasks[task].total or 0) + amount)

    def advance(self, name: str, amount: int = 1) -> None:
        if self._progress is not None and name in self._tasks:
            self._progress.advance(self._tasks[name], amount)

    def progress(self, message: str) -> None:
        if self._progress is None:  # a terminal has the bars
            self.note(message)

    def note(self, message: str) -> None:
        if self.silent:
            return
        line = _oneline(message)
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            typer.echo(f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {line}", err=True)


def _reporter(quiet: bool, silent: bool = False, verbose: bool = False) -> _Reporter:
    return _Reporter(quiet, silent, verbose)


# -- reading -----------------------------------------------------------------------------


@command(app, "status")
def status_cmd(
    ctx: typer.Context,
    article: Annotated[str | None, typer.Argument(help="URL, path or short id.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Archive summary, or one article: first seen, last changed, versions, next check."""
    from journal.services import archive_status, article_status

    reader = _reader(ctx)
    data = article_status(reader, article) if article else archive_status(reader)
    if as_json:
        _emit_json(data)
    else:
        from journal.services import render_status

        typer.echo(render_status(data))


@command(app, "articles")
def articles_cmd(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    since: Annotated[str | None, typer.Option(help="Changed on or after this date (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: all).")] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List tracked articles with their version counts, most recently changed first."""
    from journal.services import article_list
    from journal.terminal import table

    items = article_list(_reader(ctx), source, since, limit or None)
    if as_json:
        _emit_json(items)
        return
    if not items:
        typer.echo(_nothing_listed(source, since))
        return
    rows = [
        [
            i["id"],
            i["source"],
            str(i["versions"]),
            i["last_changed"][:16].replace("T", " "),
            i["title"],
        ]
        for i in items
    ]
    typer.echo(table(["id", "source", "versions", "last changed", "title"], rows))


def _nothing_listed(source: str | None, since: str | None) -> str:
    if not source and not since:
        return 'No articles yet; "journal update" fetches them.'
    where = f" in source {source}" if source else ""
    when = f" changed since {since}" if since else ""
    return f'No articles{where}{when}; "journal articles" lists them all.'


@command(app, "history")
def history_cmd(
    ctx: typer.Context,
    article: Annotated[str, typer.Argument(help="URL, path or short id.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every version of an article: number, time, gap, what changed."""
    from journal.services import article_history
    from journal.terminal import history

    reader = _reader(ctx)
    row, entries, data = article_history(reader, article)
    if as_json:
        _emit_json(data)
    else:
        typer.echo(history(row.title, row.url, row.source, entries, _color()))


@command(app, "show")
def show_cmd(
    ctx: typer.Context,
    article: Annotated[str, typer.Argument(help="URL, path or short id.")],
    version: Annotated[
        int | None, typer.Option("--version", "-v", help="Version number (default: latest).")
    ] = None,
) -> None:
    """Print the text of one version of an article."""
    from journal import document
    from journal.terminal import article as readable

    reader = _reader(ctx)
    text, _ = reader.text(reader.resolve(article), version)
    typer.echo(readable(document.render(text).decode("utf-8"), _color()), nl=False)


@command(app, "diff")
def diff_cmd(
    ctx: typer.Context,
    article: Annotated[str, typer.Argument(help="URL, path or short id.")],
    a: Annotated[int | None, typer.Argument(help="Older version (default: the one before B).")] = None,
    b: Annotated[int | None, typer.Argument(help="Newer version (default: the latest).")] = None,
    side_by_side: Annotated[bool, typer.Option("--side-by-side", "-y", help="Two columns.")] = False,
    word: Annotated[bool, typer.Option("--word", help="Inline word diff (the default).")] = False,
    as_html: Annotated[bool, typer.Option("--html", help="A standalone HTML page.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The diff as JSON (as the web API's).")] = False,
) -> None:
    """What changed between two versions: paragraphs, then words."""
    from journal.services import diff_json, render_diff

    if as_json:
        _emit_json(diff_json(_reader(ctx), article, a, b))
        return
    mode = "html" if as_html else "side" if side_by_side else "word"
    width = shutil.get_terminal_size((100, 24)).columns
    text = render_diff(_reader(ctx), article, a, b, mode, width, _color() and output is None)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}")
    else:
        typer.echo(text, nl=False)


@command(app, "feed")
def feed_cmd(
    ctx: typer.Context,
    article: Annotated[str | None, typer.Argument(help="One article's changes (default: all).")] = None,
    source: Annotated[str | None, typer.Option(help="One source's changes.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Entries in the feed.")] = 50,
    min_size: Annotated[str | None, typer.Option(help="Leave out smaller edits: minor or major.")] = None,
) -> None:
    """An Atom feed of changes: all sources, one source, or one article."""
    from journal.services import feed_xml

    data = feed_xml(_reader(ctx), article, source, limit, min_size)
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output}", err=True)


@command(app, "search")
def search_cmd(
    ctx: typer.Context,
    words: Annotated[
        list[str], typer.Argument(help='Words, "exact phrases", -left-out, a OR b (quote the query).')
    ],
    added: Annotated[bool, typer.Option("--added", help="Only what versions wrote.")] = False,
    removed: Annotated[bool, typer.Option("--removed", help="Only what versions took out.")] = False,
    title: Annotated[
        bool, typer.Option("--title", help="Only titles versions gave (or, with --removed, replaced).")
    ] = False,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    since: Annotated[str | None, typer.Option(help="On or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="On or before this date (YYYY-MM-DD).")] = None,
    min_size: Annotated[str | None, typer.Option(help="Leave out smaller edits: minor or major.")] = None,
    page: Annotated[int, typer.Option(min=1, help="Page of results.")] = 1,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Versions per page.")] = 25,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Find versions by their words: what was written, what was taken out, what articles say now."""
    from journal.search import filters, find

    chosen = filters(
        source=source, since=since, until=until, added=added, removed=removed, title=title, min_size=min_size
    )
    results = find(_open(ctx), " ".join(words), chosen, page, limit, lambda msg: typer.echo(msg, err=True))
    if as_json:
        _emit_json(results.as_json())
    else:
        from journal.terminal import search_results

        typer.echo(search_results(results, _color()))


@command(app, "serve")
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")] = 8000,
) -> None:
    """Serve the archive's web pages, feeds and JSON API (read-only)."""
    from journal.web.app import serve

    serve(_open(ctx), host, port)


# -- upkeep ----------------------------------------------------------------------------------


@command(app, "push")
def push_cmd(
    ctx: typer.Context,
    remote: Annotated[str | None, typer.Argument(help="A git remote name or URL.")] = None,
) -> None:
    """Push the archive to a git remote."""
    from journal.services import push
    from journal.terminal import safe

    typer.echo(f"Pushed main to {safe(push(_open(ctx), remote))}.")


@command(app, "reindex")
def reindex_cmd(ctx: typer.Context) -> None:
    """Rebuild local state (schedule, aliases, counts) and the search index from git history."""
    from journal.services import reindex

    count = reindex(_open(ctx), lambda msg: typer.echo(msg, err=True))
    typer.echo(f"Reindexed {count} version commit(s).")


@command(app, "maintenance")
def maintenance_cmd(ctx: typer.Context) -> None:
    """Repack and write a commit-graph with changed-path Bloom filters."""
    from journal.services import maintain

    typer.echo(maintain(_open(ctx)))
