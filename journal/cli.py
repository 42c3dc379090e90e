"""The `journal` command: parse, call one core function, render. The only typer user."""

from __future__ import annotations

import functools
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from journal.errors import JournalError

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

F = TypeVar("F", bound=Callable[..., Any])


def command(group: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command behind the one error boundary: JournalError → one line, exit 1."""

    def register(fn: F) -> F:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except JournalError as exc:
                typer.echo(f"journal: {_oneline(str(exc))}", err=True)
                raise typer.Exit(1) from None
            except KeyboardInterrupt:
                typer.echo("journal: interrupted", err=True)
                raise typer.Exit(130) from None

        group.command(name)(guarded)
        return fn

    return register


@dataclass
class Ctx:
    archive: Path


@app.callback()
def main(
    ctx: typer.Context,
    archive: Annotated[
        Path,
        typer.Option("--archive", "-a", envvar="JOURNAL_ARCHIVE", help="The archive directory."),
    ] = Path("archive"),
) -> None:
    """A git-backed change journal for online news."""
    ctx.obj = Ctx(archive)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _open(ctx: typer.Context) -> Any:
    from journal.archive import Archive

    return Archive.open(ctx.obj.archive)


def _open_or_create(ctx: typer.Context) -> Any:
    from journal.sources import open_or_create

    archive, created = open_or_create(ctx.obj.archive, _now())
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
    from journal.sources import init

    archive = init(path or ctx.obj.archive, _now())
    typer.echo(f"Created an archive at {archive.root}")
    typer.echo('Next: journal source add NAME FEED_URL, then "journal update".')


@command(source_app, "add")
def source_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Short name: lower-case letters, digits, '-'.")],
    feeds: Annotated[list[str], typer.Argument(help="RSS or Atom feed URLs.")],
    include: Annotated[list[str] | None, typer.Option(help="Only article URLs matching this regex.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Skip article URLs matching this regex.")] = None,
) -> None:
    """Add a source: a name and its feeds (a commit of journal.toml)."""
    from journal.sources import add

    source = add(_open_or_create(ctx), name, feeds, include or [], exclude or [], _now())
    typer.echo(f"Added source {source.name} with {len(source.feeds)} feed(s).")


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
    url: str,
    source: Annotated[str | None, typer.Option(help="File it under this source.")] = None,
) -> None:
    """Follow one article that no feed lists."""
    from journal.sources import track

    name = track(_open_or_create(ctx), url, source, _now())
    typer.echo(f'Tracking {url} in source {name}; "journal update" fetches it.')


# -- updating ------------------------------------------------------------------------


@command(app, "update")
def update_cmd(
    ctx: typer.Context,
    articles: Annotated[list[str] | None, typer.Argument(help="Check just these articles now.")] = None,
    watch: Annotated[bool, typer.Option(help="Keep running, sleeping until the next check is due.")] = False,
    source: Annotated[list[str] | None, typer.Option(help="Only this source (repeatable).")] = None,
    force: Annotated[bool, typer.Option(help="Check now, ignoring the schedule.")] = False,
    push: Annotated[bool, typer.Option(help="Push the archive when the run ends.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """Poll the feeds, fetch due articles, commit every changed text."""
    from journal.services import run_update

    archive = _open_or_create(ctx)
    with _reporter(quiet=as_json) as reporter:
        summary = run_update(archive, articles or [], source or [], force, watch, push, reporter)
    _print_summary(summary, as_json)


@command(app, "reextract")
def reextract_cmd(
    ctx: typer.Context,
    articles: Annotated[
        list[str] | None, typer.Argument(help="Just these articles (default: all made by another extractor).")
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """Re-extract latest versions made by an older extractor; commits them as `reextract`."""
    from journal.services import run_update

    archive = _open(ctx)
    with _reporter(quiet=as_json) as reporter:
        summary = run_update(
            archive, articles or [], source or [], False, False, False, reporter, reextract=True
        )
    _print_summary(summary, as_json)


def _print_summary(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _emit_json(summary)
    else:
        typer.echo(_render_summary(summary))


def _render_summary(summary: dict[str, Any]) -> str:
    from journal.terminal import table

    keys = ["new", "changed", "unchanged", "removed", "restored", "reextracted", "skipped", "failed"]
    rows = [[name, *(str(counts[k]) for k in keys)] for name, counts in summary["sources"].items()]
    if len(rows) != 1:
        rows.append(["total", *(str(summary["totals"][k]) for k in keys)])
    lines = [table(["source", *keys], rows)] if summary["sources"] else ["Nothing was due."]
    feeds = summary["feeds"]
    lines.append(
        f"{summary['commits']} commit(s); {feeds['polled']} feed(s) polled, {feeds['failed']} failed; "
        f"{summary['discovered']} new article(s) found."
    )
    if summary.get("pushed"):
        lines.append(f"Pushed to {summary['pushed']}.")
    if summary.get("push_error"):
        lines.append(f"Push failed: {summary['push_error']}")
    if summary.get("interrupted"):
        lines.append("Stopped early; everything fetched so far is committed.")
    return "\n".join(lines)


class _Reporter:
    """Progress bars on a terminal, plain log lines on stderr otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.live = sys.stdout.isatty() and not quiet
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Reporter:
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

    def note(self, message: str) -> None:
        line = _oneline(message)
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            typer.echo(f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {line}", err=True)


def _reporter(quiet: bool) -> _Reporter:
    return _Reporter(quiet)


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
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 0,
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
        typer.echo('No articles yet; "journal update" fetches them.')
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
) -> None:
    """What changed between two versions: paragraphs, then words."""
    from journal.services import render_diff

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
    limit: Annotated[int, typer.Option(help="Entries in the feed.")] = 50,
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
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
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
