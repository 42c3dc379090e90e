"""Right answers: what the commands say matches what the archive holds, filters that
match nothing say so, sizes rate what a reader would notice."""

from __future__ import annotations

import re
import subprocess
import time

import pytest
from conftest import PARAS, Cli, Site, article_html, rss
from fastapi.testclient import TestClient

from journal import update
from journal.archive import Archive
from journal.state import State
from journal.web.app import create_app


def one_story(site: Site, cli: Cli, title: str = "Story", paras: list[str] = PARAS) -> str:
    url = site.put("/story", article_html(title, paras))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    return url


def trailer(cli: Cli, key: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(cli.archive), "log", f"--format=%(trailers:key={key},valueonly,separator=)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def test_a_filter_that_matches_nothing_says_so(site: Site, cli: Cli) -> None:
    one_story(site, cli)
    unknown = cli("articles", "--source", "nosuch", ok=False)
    assert unknown.exit_code == 1
    assert 'No source named "nosuch"' in unknown.stderr
    later = cli("articles", "--since", "2099-01-01")
    assert later.stdout.strip() == 'No articles changed since 2099-01-01; "journal articles" lists them all.'
    assert "yet" not in later.stdout
    assert cli("articles", "--since", "2000-01-01", "--source", "daily").stdout.count("Story") == 1
    assert cli("articles", "--since", "01/01/2000", ok=False).exit_code == 2


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_feed_limit_below_one_is_a_usage_error(site: Site, cli: Cli, limit: str) -> None:
    one_story(site, cli)
    result = cli("feed", "--limit", limit, ok=False)
    assert result.exit_code == 2
    assert "<entry>" not in result.stdout


def test_status_counts_what_is_failing_now(site: Site, cli: Cli) -> None:
    url = one_story(site, cli)
    site.put("/story", "down", status=503)
    site.put("/feed.xml", "down", status=503)
    cli("update", "--force", ok=False)  # every feed failed: exit 1
    status = cli.json("status")
    assert status["failing"] == 1
    assert status["feeds_failing"] == 1
    text = cli("status").stdout
    assert "1 article(s) failed their last check" in text
    assert f"feed      {site.url('/feed.xml')} failing (1x)" in text
    assert cli.json("status", url)["failures"] == 1


def test_an_article_that_never_changed_says_so(site: Site, cli: Cli) -> None:
    url = one_story(site, cli)
    text = cli("status", url).stdout
    assert "It has not changed since it was first seen (1 version)." in text
    assert "0 times" not in text
    site.put("/story", article_html("Story", [*PARAS, "A closing paragraph arrived in the afternoon."]))
    cli("update", "--force")
    assert "The article has changed 1 time (2 versions)." in cli("status", url).stdout


def test_a_diff_read_backwards_shows_both_times(site: Site, cli: Cli) -> None:
    url = one_story(site, cli)
    site.put("/story", article_html("Story", [*PARAS, "A closing paragraph arrived in the afternoon."]))
    cli("update", "--force")
    backwards = cli("diff", url, "2", "1").stdout.splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"
    assert re.fullmatch(rf"--- Version 2 · {stamp}", backwards[0]), backwards[0]
    assert re.fullmatch(rf"\+\+\+ Version 1 · {stamp}( \(\d+ seconds? earlier\))?", backwards[1]), backwards[
        1
    ]


def test_a_reread_by_the_same_extractor_is_not_called_a_newer_extractor(site: Site, cli: Cli) -> None:
    """Two paragraphs merged into one by a redesign: a `reextract` by the extractor
    that made the version before it."""
    url = one_story(site, cli)
    site.put("/story", article_html("Story", [PARAS[0] + " " + PARAS[1], *PARAS[2:]]))
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "reextract"]
    assert len(set(trailer(cli, "Extractor"))) == 1  # one extractor made both
    assert "newer extractor" not in history[1]["description"]
    assert "layout changed" in history[1]["description"]
    client = TestClient(create_app(Archive.open(cli.archive)))
    page = client.get(f"/articles/{cli.json('status', url)['id']}").text
    assert "newer extractor" not in page
    assert "the page&#39;s layout changed" in page or "the page's layout changed" in page


def test_a_restored_article_is_not_rated_a_typo(site: Site, cli: Cli) -> None:
    url = one_story(site, cli)
    site.put("/story", "gone", status=404)
    cli("update", "--force")
    site.put("/story", article_html("Story", PARAS))
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "removed", "restored"]
    assert history[-1]["change_size"] == "major"
    assert "Story" in cli("feed", "--min-size", "major").stdout.split("<entry>", 1)[1]


def test_a_headline_rewrite_is_major(site: Site, cli: Cli) -> None:
    """A new headline over a long article: few of its words, all of the headline."""
    long = PARAS + [
        f"{p} Witness number {i} repeated that account to reporters." for i, p in enumerate(PARAS)
    ]
    url = one_story(site, cli, "Defence chiefs discuss the conflict in a first call", long)
    site.put("/story", article_html("Talks on air safety agreed after a year of silence", long))
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert history[-1]["summary"] == "title changed"
    assert history[-1]["change_size"] == "major"
    feed = cli("feed", "--min-size", "major").stdout
    assert "Talks on air safety agreed" in feed
    # An edited headline is not a rewrite.
    site.put("/story", article_html("Talks on air safety agreed after a year of talks", long))
    cli("update", "--force")
    assert cli.json("history", url)["versions"][-1]["change_size"] == "minor"


def test_a_removed_sources_failing_feed_is_forgotten(site: Site, cli: Cli) -> None:
    one_story(site, cli)
    cli("source", "add", "broken", site.put("/broken.xml", rss([])))
    site.put("/broken.xml", "down", status=503)  # it fails once added
    cli("update", ok=False)
    assert cli.json("status")["feeds_failing"] == 1
    cli("source", "remove", "broken")
    assert cli.json("status")["feeds_failing"] == 0
    assert "broken.xml" not in cli("status").stdout
    # The feed that is no longer polled must not hold the next poll in the past, or
    # `update --watch` wakes every second for ever.
    later = time.time() + 600
    update.run(Archive.open(cli.archive), update.Options(), clock=lambda: later)
    state = State.open(Archive.open(cli.archive).state_dir)
    try:
        next_poll = state.next_poll()
        assert next_poll is not None and next_poll > later
    finally:
        state.close()


def test_reindex_forgets_the_feeds_of_a_source_removed_by_hand(site: Site, cli: Cli) -> None:
    one_story(site, cli)
    cli("source", "add", "broken", site.put("/broken.xml", rss([])))
    site.put("/broken.xml", "down", status=503)  # it fails once added
    cli("update", ok=False)
    toml = cli.archive / "journal.toml"
    text = toml.read_text()
    toml.write_text(text[: text.index("[sources.broken]")])
    cli("reindex")
    state = State.open(Archive.open(cli.archive).state_dir)
    try:
        assert [f.url for f in state.feeds()] == [site.url("/feed.xml")]
    finally:
        state.close()
