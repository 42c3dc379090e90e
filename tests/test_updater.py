"""The updater: schedule, caps, identity, flip-flops, removal, errors, summaries."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Page, Site, article_html, make_archive, reply, rss

from journal import config, sources, update
from journal.archive import Archive
from journal.sources import commit_config
from journal.state import State

T0 = 1_800_000_000.0  # 2027-01-15, a fixed clock
MIN = 60.0
HOUR = 3600.0
DAY = 86400.0


def run(cli: Cli, at: float, **options: object) -> update.Summary:
    return update.run(Archive.open(cli.archive), update.Options(**options), clock=lambda: at)  # type: ignore[arg-type]


def state(cli: Cli) -> State:
    return State.open(Archive.open(cli.archive).state_dir)


def set_schedule(cli: Cli, **values: object) -> None:
    archive = Archive.open(cli.archive)
    text = archive.read_config()
    for key, value in values.items():
        text = config.set_key(text, "schedule", key, value)
    from datetime import UTC, datetime

    commit_config(archive, text, "journal: test schedule", "", datetime.now(UTC))


def one_article(site: Site, cli: Cli, paras: list[str] = PARAS) -> str:
    url = site.put("/story", article_html("Story", paras))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url, "guid": "story-1"}])))
    return url


def test_new_article_checked_at_once_then_on_the_backoff_schedule(site: Site, cli: Cli) -> None:
    one_article(site, cli)
    assert run(cli, T0).totals()["new"] == 1
    assert site.hits("/story") == 1
    run(cli, T0 + 29 * MIN)
    assert site.hits("/story") == 1  # not due yet
    assert run(cli, T0 + 30 * MIN).totals()["unchanged"] == 1
    assert site.hits("/story") == 2
    run(cli, T0 + 30 * MIN + 35 * MIN)
    assert site.hits("/story") == 2  # the wait is now 36 minutes
    run(cli, T0 + 66 * MIN)
    assert site.hits("/story") == 3
    row = state(cli).article_by_alias(site.url("/story"))
    assert row is not None
    assert row.wait == pytest.approx(43.2 * MIN)


def test_a_new_version_resets_the_wait(site: Site, cli: Cli) -> None:
    one_article(site, cli)
    run(cli, T0)
    run(cli, T0 + 30 * MIN)
    site.put(
        "/story", article_html("Story", [*PARAS, "A new closing paragraph was added to the story today."])
    )
    assert run(cli, T0 + 66 * MIN).totals()["changed"] == 1
    row = state(cli).article_by_alias(site.url("/story"))
    assert row is not None
    assert row.wait == 30 * MIN
    assert row.next_check == T0 + 96 * MIN


def test_retired_article_is_never_checked_again(site: Site, cli: Cli) -> None:
    set_schedule(cli, first_wait="1d", backoff=2.0, retire_after="5d")
    url = one_article(site, cli)
    run(cli, T0)
    for day in (1, 3):  # waits of 1 day, then 2 days; the next (4 days) is under 5; then 8: retired
        run(cli, T0 + day * DAY)
    run(cli, T0 + 7 * DAY)
    hits = site.hits("/story")
    assert hits == 4
    status = cli.json("status", url)
    assert status["retired"] is True
    assert "won't be checked again" in cli("status", url).stdout
    run(cli, T0 + 400 * DAY)
    assert site.hits("/story") == hits


def test_feeds_are_polled_on_their_interval(site: Site, cli: Cli) -> None:
    one_article(site, cli)
    site.requests.clear()  # source add tried the feed once
    run(cli, T0)
    run(cli, T0 + 2 * MIN)
    assert site.hits("/feed.xml") == 1
    run(cli, T0 + 5 * MIN)
    assert site.hits("/feed.xml") == 2


def test_max_per_source_caps_a_run_new_first(site: Site, cli: Cli) -> None:
    set_schedule(cli, max_per_source=2)
    links = [site.put(f"/s/{i}", article_html(f"Story {i}", PARAS)) for i in range(5)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    assert run(cli, T0).totals()["new"] == 2
    assert run(cli, T0 + 1).totals()["new"] == 2
    # Now old articles are due again, but the last new one goes first.
    summary = run(cli, T0 + 31 * MIN)
    assert summary.totals()["new"] == 1
    assert summary.totals()["unchanged"] == 1


def test_a_source_is_checked_while_another_sources_feed_is_still_loading(site: Site, cli: Cli) -> None:
    fast_article_fetched = threading.Event()
    waited: list[bool] = []
    slow_feed = rss([{"link": site.put("/slow/story", article_html("Slow story", PARAS))}]).encode()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        waited.append(fast_article_fetched.wait(timeout=15))
        reply(handler, slow_feed, "application/rss+xml")

    def fast_story(handler: BaseHTTPRequestHandler) -> None:
        fast_article_fetched.set()
        body = article_html("Fast story", PARAS).encode()
        reply(handler, body)

    site.pages["/fast/story"] = Page(b"", handler=fast_story)
    site.pages["/slow/feed.xml"] = Page(b"", handler=slow)
    cli("source", "add", "fast", site.put("/fast/feed.xml", rss([{"link": site.url("/fast/story")}])))
    # Added without being tried: trying it would wait for the slow feed here.
    sources.add(
        Archive.open(cli.archive),
        "slow",
        [site.url("/slow/feed.xml")],
        [],
        [],
        datetime.now(UTC),
    )
    assert run(cli, T0).totals()["new"] == 2
    assert waited == [True]  # the fast source's article was fetched before the slow feed was in


def test_guid_keeps_identity_when_the_link_changes(site: Site, cli: Cli) -> None:
    site.put("/old-slug", article_html("Story", PARAS))
    site.put("/new-slug", article_html("Story", PARAS))
    cli(
        "source", "add", "daily", site.put("/feed.xml", rss([{"link": site.url("/old-slug"), "guid": "g-1"}]))
    )
    run(cli, T0)
    site.put("/feed.xml", rss([{"link": site.url("/new-slug"), "guid": "g-1"}]))
    run(cli, T0 + 10 * MIN)
    assert len(cli.json("articles")) == 1
    assert (
        cli.json("history", site.url("/new-slug"))["path"]
        == cli.json("history", site.url("/old-slug"))["path"]
    )


def test_redirects_and_canonical_links_become_aliases(site: Site, cli: Cli) -> None:
    final = site.put("/articles/final", article_html("Story", PARAS, canonical="/canonical/story"))
    site.put("/go/1", "", status=301, Location=final)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": site.url("/go/1?utm_source=rss")}])))
    cli("update")
    paths = {
        cli.json("history", ref)["path"] for ref in (site.url("/go/1"), final, site.url("/canonical/story"))
    }
    assert len(paths) == 1
    # Two feed links that turn out to be one article make one article, not two.
    site.put("/go/2", "", status=301, Location=final)
    site.put("/feed.xml", rss([{"link": site.url("/go/1")}, {"link": site.url("/go/2")}]))
    cli("update", "--force")
    assert len(cli.json("articles")) == 1


def _waver(site: Site, cli: Cli, step: float) -> list[int]:
    one_article(site, cli)
    a = article_html("Story", PARAS)
    b = article_html(
        "Story", [*PARAS[:-1], "The spokesman later confirmed that the leaders would speak next week."]
    )
    versions = []
    for i, page in enumerate([a, b, a, b, a, b, a]):
        site.put("/story", page)
        run(cli, T0 + i * step)
        versions.append(cli.json("status", site.url("/story"))["versions"])
    return versions


def test_a_page_wavering_within_a_day_is_recorded_at_most_once_more(site: Site, cli: Cli) -> None:
    assert _waver(site, cli, 2 * HOUR) == [1, 2, 3, 4, 4, 4, 4]


def test_a_text_brought_back_days_later_is_news_again(site: Site, cli: Cli) -> None:
    assert _waver(site, cli, 2 * DAY) == [1, 2, 3, 4, 5, 6, 7]


def test_removed_and_restored(site: Site, cli: Cli) -> None:
    url = one_article(site, cli)
    run(cli, T0)
    path = cli.json("status", url)["path"]
    site.put("/story", "gone", status=404)
    summary = run(cli, T0 + 31 * MIN)
    assert summary.totals()["removed"] == 1
    assert not (cli.archive / path).exists()
    run(cli, T0 + 70 * MIN)  # still gone: no second removal
    assert cli.json("history", url)["versions"][-1]["change"] == "removed"
    assert len(cli.json("history", url)["versions"]) == 2
    site.put("/story", article_html("Story", PARAS))
    assert run(cli, T0 + 3 * DAY).totals()["restored"] == 1
    history = cli.json("history", url)["versions"]
    assert [(v["change"], v["version"]) for v in history] == [("new", 1), ("removed", 1), ("restored", 2)]
    assert (cli.archive / path).exists()
    status = subprocess.run(
        ["git", "-C", str(cli.archive), "status", "--porcelain"], capture_output=True, text=True
    )
    assert status.stdout == ""


def test_transient_errors_back_off_and_show_in_status(site: Site, cli: Cli) -> None:
    url = one_article(site, cli)
    run(cli, T0)
    site.put("/story", "down", status=503)
    waits = []
    t = T0
    for _ in range(3):
        row = state(cli).article_by_alias(url)
        assert row is not None
        assert row.next_check is not None
        t = row.next_check
        assert run(cli, t).totals()["failed"] == 1
        row = state(cli).article_by_alias(url)
        assert row is not None
        waits.append(round(row.wait / MIN, 1))
    assert waits == [36.0, 43.2, 51.8]  # 30 minutes after the version, then × 1.2
    status = cli.json("status", url)
    assert status["failures"] == 3
    assert "HTTP 503" in status["last_error"]
    assert "The last 3 check(s) failed: HTTP 503" in cli("status", url).stdout


def test_summary_names_failures_and_the_run_exits_zero(site: Site, cli: Cli) -> None:
    good = site.put("/good", article_html("Good", PARAS))
    bad = site.put("/bad", "", status=500)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": good}, {"link": bad}])))
    broken = site.put("/notafeed", "<html><body>hello</body></html>")
    # Added without being tried: `journal source add` refuses a web page.
    sources.add(Archive.open(cli.archive), "broken", [broken], [], [], datetime.now(UTC))
    result = cli("update", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["sources"]["daily"]["new"] == 1
    assert summary["sources"]["daily"]["failed"] == 1
    assert summary["feeds"] == {"polled": 2, "failed": 1}
    errors = {f["url"]: f["error"] for f in summary["failures"]}
    assert errors[bad] == "HTTP 500 from the server"
    assert "not an RSS or Atom feed" in errors[site.url("/notafeed")]
    human = cli("update", "--force").stdout
    assert "daily" in human
    assert "failed" in human


def test_bad_config_fails_the_run(cli: Cli) -> None:
    (cli.archive / "journal.toml").write_text("[fetch]\ntimeout = 'soon'\n")
    result = cli("update", ok=False)
    assert result.exit_code == 1
    assert "timeout must be a number" in result.output


def test_lock_held_fails_the_run(site: Site, cli: Cli) -> None:
    from journal.lock import WriterLock

    with WriterLock(Archive.open(cli.archive).state_dir):
        result = cli("update", ok=False)
    assert result.exit_code == 1
    assert "Another journal process" in result.output


def test_watch_stops_cleanly_on_sigterm_keeping_fetched_versions(site: Site, tmp_path: Path) -> None:
    cli = make_archive(tmp_path / "a")
    site.delay = 0.3
    links = [site.put(f"/w/{i}", article_html(f"Story {i}", PARAS)) for i in range(6)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    env = {**os.environ, "JOURNAL_ARCHIVE": str(cli.archive)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", "update", "--watch", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while sum(site.hits(f"/w/{i}") for i in range(6)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["interrupted"] is True
    fetched = sum(site.hits(f"/w/{i}") for i in range(6))
    committed = subprocess.run(
        ["git", "-C", str(cli.archive), "log", "--format=%(trailers:key=Change,valueonly)", "--", "daily/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(committed) == summary["commits"] == fetched  # every page fetched became a version
    assert "committing the pages already fetched" in err


def test_a_paragraph_the_extractor_stops_picking_is_not_a_deletion(site: Site, cli: Cli) -> None:
    """A redesign wraps the first paragraph in a block the extractor drops: the words
    are still on the page, so nothing was deleted and no version is made."""
    url = one_article(site, cli)
    run(cli, T0)
    redesigned = article_html("Story", PARAS).replace(
        f"<p>{PARAS[0]}</p>", f"<div class='teaser-content'><p>{PARAS[0]}</p></div>"
    )
    site.put("/story", redesigned)
    assert run(cli, T0 + DAY).totals()["unchanged"] == 1
    # A real deletion in the same redesign is still recorded, and only it.
    site.put("/story", redesigned.replace(f"<p>{PARAS[3]}</p>", ""))
    assert run(cli, T0 + 2 * DAY).totals()["changed"] == 1
    history = cli.json("history", url)["versions"]
    assert history[-1]["summary"] == "1 paragraph removed"
    current = cli.archive / cli.json("status", url)["path"]
    assert PARAS[0] in current.read_text()
    assert PARAS[3] not in current.read_text()


def test_a_deep_queue_at_one_host_does_not_hold_up_another_host(site: Site, tmp_path: Path) -> None:
    """120 articles of one host wait their turns (delay 0.05 s); the one article of a
    source on another host, listed once they are going, is fetched at once, not after them."""
    other = Site(host="127.0.0.2")
    try:
        links = [site.put(f"/big/{i}", article_html(f"Story {i}", PARAS)) for i in range(120)]
        big_fetched_before: list[int] = []
        body = article_html("Elsewhere", PARAS).encode()

        def small_story(handler: BaseHTTPRequestHandler) -> None:
            big_fetched_before.append(sum(p.startswith("/big/") for p, _ in site.requests))
            reply(handler, body)

        feed = rss([{"link": other.url("/story")}]).encode()

        def late_feed(handler: BaseHTTPRequestHandler) -> None:
            deadline = time.monotonic() + 15
            while not any(p.startswith("/big/") for p, _ in site.requests) and time.monotonic() < deadline:
                time.sleep(0.01)  # until the big source's articles are queued and going
            reply(handler, feed, "application/rss+xml")

        other.pages["/story"] = Page(b"", handler=small_story)
        other.pages["/feed.xml"] = Page(b"", handler=late_feed)
        cli = make_archive(tmp_path / "a", per_host=2, delay=0.05)
        cli("source", "add", "big", site.put("/feed.xml", rss([{"link": link} for link in links])))
        cli("source", "add", "small", other.url("/feed.xml"))
        assert cli.json("update")["totals"]["new"] == 121
        assert big_fetched_before and big_fetched_before[0] < 60  # it waited behind ~90 before
    finally:
        other.close()
