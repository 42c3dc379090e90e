"""Hostile and broken feeds: the run completes, bad feeds are named with a reason,
good entries in partly bad feeds are taken."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import Cli, Site

from journal import config, workers
from journal.archive import Archive
from journal.sources import commit_config
from journal.state import State
from journal.urls import BadURL, canonical

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "feeds" / "feedparser-tests"


def configure(cli: Cli, feeds: dict[str, str]) -> None:
    """One source per feed, and no article fetching: this is about the feeds."""
    archive = Archive.open(cli.archive)
    text = config.set_key(archive.read_config(), "schedule", "max_per_source", 0)
    for name, url in feeds.items():
        text = config.add_source(text, name, [url], [], [])
    commit_config(archive, text, "journal: hostile feeds", "", datetime.now(UTC))


def taken(cli: Cli, link: str) -> bool:
    state = State.open(Archive.open(cli.archive).state_dir)
    try:
        return state.article_by_alias(canonical(link)) is not None
    finally:
        state.close()


def header_content_type(data: bytes) -> str:
    match = re.search(rb"Header:\s*Content-type:\s*(.+)", data)
    return match.group(1).decode().strip() if match else "application/xml"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_feedparser_suite_served_as_sources(site: Site, cli: Cli) -> None:
    files = sorted(CORPUS.rglob("*.xml"))
    assert len(files) > 90
    feeds = {}
    for i, path in enumerate(files):
        data = path.read_bytes()
        feeds[f"f{i}"] = site.put(f"/feeds/{i}", data, Content_Type=header_content_type(data))
    configure(cli, feeds)
    result = cli("update", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["feeds"]["polled"] == len(files)
    reported = {f["url"]: f["error"] for f in summary["failures"]}
    assert all(f["kind"] == "feed" for f in summary["failures"])
    good_entries = 0
    for i, path in enumerate(files):
        url = feeds[f"f{i}"]
        data = path.read_bytes()
        parsed = feedparser.parse(data, response_headers={"content-type": header_content_type(data)})
        links = []
        for entry in parsed.entries:
            try:
                links.append(canonical(entry.get("link", "")))
            except BadURL:
                continue
        if links:
            assert all(taken(cli, link) for link in links), path.name
            good_entries += len(links)
        elif parsed.bozo and not parsed.get("version"):
            assert url in reported, f"{path.name} was not reported"
        if url in reported:
            assert len(reported[url]) > 10, (path.name, reported[url])
            assert url in result.stderr  # named in the log, with its reason
    assert good_entries > 0
    assert summary["discovered"] >= good_entries - 5  # a few suites share links


ITEM = '<item><title>{t}</title><link>{link}</link><guid isPermaLink="false">{g}</guid></item>'


def channel(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (
        f'{prolog}<rss version="2.0"><channel><title>x</title><link>http://x/</link>{items}</channel></rss>'
    )


def test_own_fixture_set(site: Site, cli: Cli) -> None:
    good = [f"http://127.0.0.1:1/story/{i}" for i in range(3)]
    items = "".join(ITEM.format(t=f"Story {i}", link=link, g=f"g{i}") for i, link in enumerate(good))
    truncated = channel(items)[:-60] + "<item><title>cut off mid"
    latin = channel(ITEM.format(t="Café crème", link="http://127.0.0.1:1/latin", g="l")).encode("latin-1")
    entities = channel(
        ITEM.format(
            t="AT&amp;T &nbsp; &eacute;t&eacute; &#8220;q&#8221;", link="http://127.0.0.1:1/ent", g="e"
        )
    )
    huge_items = "".join(
        ITEM.format(t=f"Item {i}", link=f"http://127.0.0.1:1/huge/{i}", g=f"h{i}") for i in range(20_000)
    )
    too_big = channel(huge_items + "<!--" + "x" * 11_000_000 + "-->")
    feeds = {
        "truncated": site.put("/truncated.xml", truncated, Content_Type="application/rss+xml"),
        "latin": site.put("/latin.xml", latin, Content_Type="application/rss+xml; charset=utf-8"),
        "entities": site.put("/entities.xml", entities, Content_Type="application/rss+xml"),
        "html": site.put("/page.html", "<html><body><h1>Not a feed</h1><p>hello</p></body></html>"),
        "empty": site.put("/empty.xml", b"", Content_Type="application/rss+xml"),
        "huge": site.put("/huge.xml", channel(huge_items), Content_Type="application/rss+xml"),
        "toobig": site.put("/toobig.xml", too_big, Content_Type="application/rss+xml"),
        "gone": site.url("/missing.xml"),
        "binary": site.put("/binary.xml", bytes(range(256)) * 100, Content_Type="application/rss+xml"),
    }
    configure(cli, feeds)
    result = cli("update", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    errors = {f["url"]: f["error"] for f in summary["failures"]}
    assert all(taken(cli, link) for link in good[:2])  # the complete items of a truncated feed
    assert taken(cli, "http://127.0.0.1:1/latin")
    assert taken(cli, "http://127.0.0.1:1/ent")
    assert taken(cli, "http://127.0.0.1:1/huge/19999")
    assert "not an RSS or Atom feed" in errors[feeds["html"]]
    assert "empty" in errors[feeds["empty"]]
    assert "over max_bytes" in errors[feeds["toobig"]]
    assert "HTTP 404" in errors[feeds["gone"]]
    assert feeds["binary"] in errors
    assert summary["feeds"] == {"polled": len(feeds), "failed": len(errors)}


BAD_LINKS = ["http://[::1/x", "http://[zz]/x", "http://]/x", "http://a[b]/"]


def test_bad_links_cost_only_their_entries(site: Site, cli: Cli) -> None:
    good = "http://127.0.0.1:1/story/good"
    items = "".join(ITEM.format(t=f"Bad {i}", link=link, g=f"b{i}") for i, link in enumerate(BAD_LINKS))
    feeds = {
        "broken": site.put(
            "/broken.xml",
            channel(items + ITEM.format(t="Good", link=good, g="g")),
            Content_Type="application/rss+xml",
        ),
        "other": site.put(
            "/other.xml",
            channel(ITEM.format(t="Elsewhere", link="http://127.0.0.1:1/other", g="o")),
            Content_Type="application/rss+xml",
        ),
    }
    configure(cli, feeds)
    result = cli("update", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["failures"] == []
    assert taken(cli, good)
    assert taken(cli, "http://127.0.0.1:1/other")
    assert "4 entries without a usable link were skipped" in result.stderr


def _parser_that_breaks_on(body: bytes, url: str, content_type: str | None) -> object:
    if url.endswith("/breaks.xml"):
        raise RuntimeError("something no rule foresaw")
    return _real_parse_feed(body, url, content_type)


_real_parse_feed = workers.parse_feed


def test_any_exception_from_one_feed_is_that_feeds_failure(
    site: Site, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "parse_feed", _parser_that_breaks_on)  # before the pool's fork
    feeds = {
        "breaks": site.put("/breaks.xml", channel(ITEM.format(t="x", link="http://127.0.0.1:1/x", g="x"))),
        "fine": site.put("/fine.xml", channel(ITEM.format(t="y", link="http://127.0.0.1:1/y", g="y"))),
    }
    configure(cli, feeds)
    result = cli("update", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [(f["url"], f["error"]) for f in summary["failures"]] == [
        (feeds["breaks"], "RuntimeError: something no rule foresaw")
    ]
    assert taken(cli, "http://127.0.0.1:1/y")
