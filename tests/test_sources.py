"""Sources managed like a feed reader's: OPML in and out, edit, track from a file, untrack."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, make_archive, rss, serving

from journal import sources as journal_sources
from journal.archive import Archive
from journal.state import State

READER_EXPORT = Path(__file__).parent / "fixtures" / "reader-export.opml"


def add_unprobed(cli: Cli, name: str, feeds: list[str], exclude: list[str] | None = None) -> None:
    """A source added as `journal source add` does, without trying its feeds (these
    tests are about journal.toml, and the feeds live nowhere)."""
    journal_sources.add(Archive.open(cli.archive), name, feeds, [], exclude or [], datetime.now(UTC))


def sources(cli: Cli) -> dict[str, list[str]]:
    return {s["name"]: s["feeds"] for s in cli.json("source", "list")}


def commits(cli: Cli) -> int:
    out = subprocess.run(
        ["git", "-C", str(cli.archive), "rev-list", "--count", "HEAD"], capture_output=True, text=True
    )
    return int(out.stdout)


def test_a_feed_readers_export_round_trips_through_opml(tmp_path: Path) -> None:
    first = make_archive(tmp_path / "first")
    before = commits(first)
    result = first("source", "import", str(READER_EXPORT))
    assert "Imported 7 feed(s) into 7 source(s)." in result.stdout
    assert (
        "skipped Broken subscription: 'javascript:alert(1)' is not an http(s) feed address" in result.stderr
    )
    assert commits(first) == before + 1  # one commit for the whole import
    imported = sources(first)
    assert imported == {
        "bbc-news-world": ["https://feeds.bbci.co.uk/news/world/rss.xml"],  # listed twice, followed once
        "world-news-the-guardian": ["https://www.theguardian.com/world/rss"],
        "le-monde-fr-actualites-et-infos-en": ["https://www.lemonde.fr/international/rss_full.xml"],
        "ars-technica": ["https://feeds.arstechnica.com/arstechnica/index"],
        "the-verge": ["https://www.theverge.com/rss/index.xml"],
        "npr-topics-news": ["https://feeds.npr.org/1001/rss.xml"],
        "www-aljazeera-com": ["https://www.aljazeera.com/xml/rss/all.xml"],
    }
    assert first("source", "import", str(READER_EXPORT)).stdout.strip() == "Nothing new to import."
    assert commits(first) == before + 1

    exported = tmp_path / "exported.opml"
    first("source", "export", "-o", str(exported))
    second = make_archive(tmp_path / "second")
    second("source", "import", str(exported))
    assert sources(second) == imported
    again = tmp_path / "again.opml"
    second("source", "export", "-o", str(again))
    assert again.read_bytes().split(b"<body>")[1] == exported.read_bytes().split(b"<body>")[1]


def test_a_source_of_several_feeds_exports_and_imports_as_one(tmp_path: Path) -> None:
    first = make_archive(tmp_path / "first")
    add_unprobed(first, "bbc", ["https://feeds.example/a.xml", "https://feeds.example/b.xml"])
    second = make_archive(tmp_path / "second")
    opml = tmp_path / "bbc.opml"
    opml.write_text(first("source", "export").stdout)
    second("source", "import", str(opml))
    assert sources(second) == {"bbc": ["https://feeds.example/a.xml", "https://feeds.example/b.xml"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>not a feed list</body></html>", "is not OPML (no <opml><body>)"),
        (b"<opml version='2.0'><body><outline", "is not OPML (XML error"),
    ],
)
def test_a_file_that_is_not_opml_is_refused_and_nothing_changes(
    tmp_path: Path, cli: Cli, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(content)
    before = commits(cli)
    result = cli("source", "import", str(bad), ok=False)
    assert result.exit_code == 1
    assert message in result.stderr and "export the file again" in result.stderr
    assert commits(cli) == before


def test_source_edit_adds_and_drops_feeds_and_filters_in_one_commit(cli: Cli) -> None:
    add_unprobed(cli, "daily", ["https://feeds.example/a.xml"], exclude=["/sport/"])
    before = commits(cli)
    cli(
        "source", "edit", "daily", "--add-feed", "https://feeds.example/b.xml",
        "--drop-feed", "https://feeds.example/a.xml", "--drop-exclude", "/sport/", "--add-include", "/news/",
    )  # fmt: skip
    (daily,) = cli.json("source", "list")
    assert daily["feeds"] == ["https://feeds.example/b.xml"]
    assert (daily["include"], daily["exclude"]) == (["/news/"], [])
    assert commits(cli) == before + 1
    wrong = cli("source", "edit", "daily", "--drop-feed", "https://feeds.example/zzz.xml", ok=False)
    assert wrong.exit_code == 1 and "has no feeds entry" in wrong.stderr
    assert cli("source", "edit", "nope", "--add-include", "x", ok=False).exit_code == 1
    assert commits(cli) == before + 1


def test_track_from_a_file_then_untrack(site: Site, cli: Cli, tmp_path: Path) -> None:
    links = [site.put(f"/story/{i}", article_html(f"Story {i}", PARAS)) for i in range(3)]
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# stories to follow\n{links[0]}\n\n{links[1]}?utm_source=x\n{links[2]}\n{links[0]}\n"
    )
    before = commits(cli)
    assert "Tracking 3 more URL(s); 0 were tracked already." in cli("track", "--from", str(listing)).stdout
    assert commits(cli) == before + 1
    assert cli.json("update")["totals"]["new"] == 3
    assert "0 more URL(s); 3 were tracked already" in cli("track", "--from", str(listing)).stdout

    cli("untrack", links[1])
    urls = [u for s in cli.json("source", "list") for u in s["urls"]]
    assert links[1] not in urls and len(urls) == 2
    assert cli.json("update", "--force")["totals"]["unchanged"] == 2  # the untracked one is not checked
    assert cli.json("status", links[1])["retired"] is True
    assert len(cli.json("history", links[1])["versions"]) == 1  # its version stays
    gone = cli("untrack", links[1], ok=False)
    assert gone.exit_code == 1 and "is not tracked" in gone.stderr


def test_track_from_a_file_with_a_bad_line_tracks_nothing(cli: Cli, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("https://news.example/a\nnot a url\n")
    before = commits(cli)
    result = cli("track", "--from", str(listing), ok=False)
    assert result.exit_code == 1
    assert "line 2:" in result.stderr and "nothing was tracked" in result.stderr
    assert commits(cli) == before


def test_version_flag_prints_the_installed_version() -> None:
    from importlib.metadata import version

    out = subprocess.run(
        [sys.executable, "-m", "journal", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"journal {version('journal')}"


def test_diff_json_is_the_apis_diff(site: Site, cli: Cli) -> None:
    url = site.put("/story", article_html("Talks begin", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    site.put("/story", article_html("Talks end", [PARAS[0].replace("Friday", "Saturday"), *PARAS[1:4]]))
    cli("update", "--force")
    ours = cli.json("diff", url)
    assert ours["summary"] and any(r["kind"] == "change" for r in ours["rows"])
    from journal.web.app import create_app

    with (
        serving(create_app(Archive.open(cli.archive))) as base,
        urllib.request.urlopen(f"{base}/api/articles/{ours['article']}/diff/1/2") as answer,
    ):
        assert json.loads(answer.read()) == ours


def test_untrack_leaves_other_state_alone(site: Site, cli: Cli) -> None:
    url = site.put("/story/x", article_html("Story", PARAS))
    cli("track", url)
    cli("update")
    cli("untrack", url)
    state = State.open(Archive.open(cli.archive).state_dir)
    try:
        row = state.article_by_alias(url)
        assert row is not None and row.versions == 1 and row.next_check is None
    finally:
        state.close()
