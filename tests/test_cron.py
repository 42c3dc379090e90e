"""What cron and systemd see: exit codes they can trust, a log that shows a long run
moving, and messages that say what to do next."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, rss

from journal import update
from journal.archive import Archive
from journal.summary import QuietReporter


class Notes(QuietReporter):
    """A reporter that keeps what it is told."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.progress_lines: list[str] = []

    def note(self, message: str) -> None:
        self.notes.append(message)

    def progress(self, message: str) -> None:
        self.progress_lines.append(message)


def test_every_feed_failing_exits_1(site: Site, cli: Cli) -> None:
    cli("source", "add", "daily", site.put("/feed.xml", rss([])))
    cli("source", "add", "other", site.put("/other.xml", rss([])))
    site.put("/feed.xml", "down", status=503)  # both fail once added
    site.put("/other.xml", "<html><body>not a feed</body></html>")
    result = cli("update", "--json", ok=False)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"] == "every feed failed (2 of 2)"
    assert result.stderr.strip().endswith("journal: every feed failed (2 of 2)")


def test_nothing_fetchable_exits_1_and_one_good_page_is_enough(site: Site, cli: Cli) -> None:
    bad = [site.put(f"/bad/{i}", "oops", status=500) for i in range(3)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in bad])))
    result = cli("update", ok=False)
    assert result.exit_code == 1
    assert "no article could be fetched (3 tried)" in result.stderr
    site.put("/bad/0", article_html("Story", PARAS))
    assert cli("update", "--force", ok=False).exit_code == 0  # two failures, one version: a run that worked


def test_usage_errors_exit_2(cli: Cli) -> None:
    for args in (
        ("feed", "--limit", "0"),
        ("articles", "--since", "yesterday"),
        ("feed", "--min-size", "huge"),
        ("update", "--no-such-option"),
        ("serve", "--port", "70000"),
    ):
        assert cli(*args, ok=False).exit_code == 2, args


def test_a_failed_first_poll_says_when_the_next_is_and_how_to_force_it(site: Site, cli: Cli) -> None:
    cli("source", "add", "daily", site.put("/feed.xml", rss([])))
    site.put("/feed.xml", "down", status=503)  # it fails once added
    first = cli("update", ok=False)
    assert re.search(
        r"feed failed .*HTTP 503.* next try in 5 minutes, or now with \"journal update --force\"",
        first.stderr,
    )
    second = cli("update")  # the feed is not due again yet: nothing failed
    assert re.search(r"Nothing was due: the next feed poll is due in [45] minutes", second.stdout)
    assert '"journal update --force" checks everything now' in second.stdout


def test_a_long_run_logs_its_progress(site: Site, cli: Cli) -> None:
    site.delay = 0.15
    links = [site.put(f"/s/{i}", article_html(f"Story {i}", PARAS)) for i in range(8)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    notes = Notes()
    summary = update.run(Archive.open(cli.archive), update.Options(), notes, progress_every=0.2)
    assert summary.totals()["new"] == 8
    assert len(notes.progress_lines) >= 2
    pattern = r"progress: (\d+) checked \((\d+) new, 0 changed, 0 failed\), (\d+) queued; [01] feed\(s\) polled, 0 failed"
    seen = []
    for line in notes.progress_lines:
        found = re.fullmatch(pattern, line)
        assert found is not None, line
        seen.append(tuple(int(n) for n in found.groups()))
    assert seen == sorted(seen, key=lambda s: s[0])  # moving forward
    assert any(queued > 0 for _, _, queued in seen)
    assert all(checked + queued <= 8 for checked, _, queued in seen)


def test_progress_lines_go_to_the_log_when_stdout_is_not_a_terminal(
    site: Site, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.delay = 0.15
    links = [site.put(f"/s/{i}", article_html(f"Story {i}", PARAS)) for i in range(6)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    monkeypatch.setattr(update, "PROGRESS_EVERY", 0.2)
    result = cli("update")
    lines = [line for line in result.stderr.splitlines() if "progress:" in line]
    assert lines, result.stderr
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ progress: \d+ checked", line) for line in lines)


def test_cron_recipes_in_the_readme_name_the_exit_codes() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("### Exit codes") :]
    section = section[: section.index("\n## ")]
    for code in ("`0`", "`1`", "`2`", "`130`"):
        assert code in section
