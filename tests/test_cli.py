"""The command line as a whole: help, docs, one error boundary, lean read commands."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import trafilatura
import typer
from conftest import PARAS, Cli, Site, Webhook, article_html, make_archive, rss
from typer.testing import CliRunner

from journal.cli import app
from journal.extractor import EXTRACTOR, trafilatura_version

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands() -> dict[str, typer.models.CommandInfo]:
    found = {c.name or "": c for c in app.registered_commands}
    for group in app.registered_groups:
        assert group.typer_instance is not None
        for c in group.typer_instance.registered_commands:
            found[f"{group.name} {c.name}"] = c
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    found = commands()
    assert len(found) >= 15
    for name, info in found.items():
        assert info.callback is not None
        assert (info.callback.__doc__ or "").strip(), f"journal {name} has no docstring"
        assert f"`journal {name}" in README, f"journal {name} is not in the README"


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("update", "history", "diff", "feed", "serve", "push", "reindex", "maintenance"):
        assert name in result.stdout


def test_python_dash_m_works(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "journal", "--help"], capture_output=True, text=True, check=True
    )
    assert "change journal" in out.stdout


def test_expected_failures_are_one_line_without_traceback(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "journal", "--archive", str(tmp_path / "none"), "history", "x"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0
    assert "Traceback" not in out.stderr
    assert 'run "journal init' in out.stderr


def test_read_commands_do_not_import_the_fetch_stack(site: Site, cli: Cli) -> None:
    url = site.put("/a", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    code = textwrap.dedent(
        f"""
        import sys
        from typer.testing import CliRunner
        from journal.cli import app
        for args in (["history", {url!r}], ["diff", {url!r}], ["status"], ["articles"], ["show", {url!r}], ["feed"]):
            result = CliRunner().invoke(app, ["--archive", {str(cli.archive)!r}, *args])
            assert result.exit_code == 0, result.output
        print(sorted(m for m in ("trafilatura", "aiohttp", "feedparser", "lxml", "journal.update", "journal.extract") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_terminal_output_is_inert(site: Site, cli: Cli) -> None:
    """Escape sequences in a page never reach the terminal."""
    url = site.put(
        "/a",
        article_html(
            "Title \x1b]0;pwned\x07 \x1b[2J", [*PARAS[:3], "Para with \x1b[31mred\x1b[0m and \x9b31m C1."]
        ),
    )
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    for args in (("history", url), ("show", url), ("status", url), ("articles",), ("diff", url)):
        out = cli(*args).stdout
        assert "\x1b" not in out
        assert "\x9b" not in out
        assert "\x07" not in out


def test_update_on_a_terminal_shows_a_bar_per_phase_counting_every_source(site: Site, tmp_path: Path) -> None:
    cli = make_archive(tmp_path / "archive")
    for name in ("alpha", "beta"):
        story = site.put(f"/{name}/story", article_html(f"{name} story", PARAS))
        cli("source", "add", name, site.put(f"/{name}/feed.xml", rss([{"link": story}])))
    ours, theirs = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", "--archive", str(cli.archive), "update"],
        stdin=theirs, stdout=theirs, stderr=theirs, env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )  # fmt: skip
    os.close(theirs)
    screen = b""
    while True:
        ready, _, _ = select.select([ours], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(ours, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        screen += chunk
    os.close(ours)
    assert proc.wait(timeout=60) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode("utf-8", errors="replace"))
    assert re.search(r"feeds[^\r\n]*2/2", text)
    # The first source's article is counted, then the second's as its feed comes in.
    assert re.search(r"articles[^\r\n]*2/2", text)
    assert "2 new article(s) found" in text


def test_the_updater_leaves_the_extractor_to_its_workers(site: Site, cli: Cli) -> None:
    """`journal update` extracts in worker processes; its own process never loads
    trafilatura or feedparser (a tenth of a second of every run)."""
    url = site.put("/a", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    code = textwrap.dedent(
        f"""
        import sys
        from typer.testing import CliRunner
        from journal.cli import app
        result = CliRunner().invoke(app, ["--archive", {str(cli.archive)!r}, "update", "--json"])
        assert result.exit_code == 0, result.output
        assert '"new": 1' in result.output, result.output
        print(sorted(m for m in ("trafilatura", "feedparser", "lxml", "journal.extract") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_extractor_version_is_trafilaturas_own() -> None:
    assert trafilatura_version() == trafilatura.__version__
    assert EXTRACTOR.startswith(f"trafilatura {trafilatura.__version__}; normalise ")


def test_quiet_prints_nothing_and_verbose_logs_each_step(site: Site, cli: Cli, webhook: Webhook) -> None:
    url = site.put("/a", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("notify", "add", "hook", f"json://127.0.0.1:{webhook.port}/", "--change", "new", "--change", "edit")
    loud = cli("update", "-v")
    assert 'notified "hook" of 1 version(s)' in loud.stderr
    assert "1 commit(s)" in loud.stdout
    site.put("/a", article_html("Story", [*PARAS, "A closing paragraph was added to the story."]))
    quiet = cli("update", "--force", "-q")
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert len(webhook.messages()) == 2  # quiet, not idle
