"""Push, clone, reindex, maintenance: the archive is plain git that anyone can take away."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import feedparser
from conftest import PARAS, Cli, Site, article_html, rss

from journal.archive import Archive

T0 = time.time() - 4 * 3600  # a history made over the last few hours


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def build_history(site: Site, cli: Cli) -> str:
    """Two articles; one edited twice, one removed."""
    from journal import update

    a = site.put("/a", article_html("First story", PARAS))
    b = site.put("/b", article_html("Second story", PARAS[:4]))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": a}, {"link": b}])))
    archive = Archive.open(cli.archive)
    update.run(archive, update.Options(), clock=lambda: T0)
    site.put(
        "/a",
        article_html(
            "First story, updated", [*PARAS[:3], "A new paragraph about the outcome of the talks on Friday."]
        ),
    )
    site.put("/b", "gone", status=410)
    update.run(archive, update.Options(force=True), clock=lambda: T0 + 3600)
    site.put(
        "/a",
        article_html(
            "First story, updated", [*PARAS[:2], "A new paragraph about the outcome of the talks on Friday."]
        ),
    )
    update.run(archive, update.Options(force=True), clock=lambda: T0 + 7200)
    return a


def test_push_clone_reindex_reads_the_same(site: Site, cli: Cli, tmp_path: Path) -> None:
    url = build_history(site, cli)
    remote = tmp_path / "remote.git"
    git("init", "--bare", "-q", "-b", "main", str(remote))
    cli("push", str(remote))
    assert git("rev-parse", "main", cwd=remote) == git("rev-parse", "HEAD", cwd=cli.archive)

    clone = tmp_path / "clone"
    git("clone", "-q", str(remote), str(clone))
    copy = Cli(clone)
    assert "Reindexed" in copy("reindex").stdout
    for args in (
        ("history", url, "--json"),
        ("diff", url, "1", "3"),
        ("diff", url, "--side-by-side"),
        ("articles", "--json"),
        ("feed",),
        ("feed", "--source", "daily"),
        ("feed", url),
    ):
        assert copy(*args).stdout == cli(*args).stdout, args
    for key in ("first_seen", "last_changed", "versions", "path", "removed", "retired"):
        assert copy.json("status", url)[key] == cli.json("status", url)[key]
    # The schedule continues from history: the edited article is due 30 min after its last change.
    assert copy.json("status", url)["next_check"] is not None


def test_read_commands_on_a_fresh_clone_build_the_index_themselves(
    site: Site, cli: Cli, tmp_path: Path
) -> None:
    url = build_history(site, cli)
    clone = tmp_path / "clone"
    git("clone", "-q", str(cli.archive), str(clone))
    result = Cli(clone)("history", url)
    assert "Building the local index" in result.stderr
    assert "v3" in result.stdout


def test_push_to_an_unreachable_remote_loses_nothing(site: Site, cli: Cli, tmp_path: Path) -> None:
    build_history(site, cli)
    head = git("rev-parse", "HEAD", cwd=cli.archive)
    missing = tmp_path / "nowhere" / "remote.git"
    result = cli("push", str(missing), ok=False)
    assert result.exit_code == 1
    assert "push to" in result.stderr
    assert "commits are safe" in result.stderr
    assert git("rev-parse", "HEAD", cwd=cli.archive) == head
    git("fsck", "--strict", cwd=cli.archive)
    git("init", "--bare", "-q", "-b", "main", str(missing))
    cli("push", str(missing))
    assert git("rev-parse", "main", cwd=missing) == head


def test_update_push_pushes_at_the_end_of_a_run(site: Site, cli: Cli, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git("init", "--bare", "-q", "-b", "main", str(remote))
    git("remote", "add", "origin", str(remote), cwd=cli.archive)
    url = site.put("/a", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    summary = cli.json("update", "--push")
    assert summary["pushed"] == "origin"
    assert git("rev-parse", "main", cwd=remote) == git("rev-parse", "HEAD", cwd=cli.archive)


def test_feeds_are_valid_atom(site: Site, cli: Cli) -> None:
    url = build_history(site, cli)
    for args in (("feed",), ("feed", "--source", "daily"), ("feed", url)):
        xml = cli(*args).stdout
        parsed = feedparser.parse(xml)
        assert not parsed.bozo, (args, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
        assert parsed.feed.author
        for entry in parsed.entries:
            assert entry.id.startswith("urn:journal:commit:")
            assert entry.title and entry.updated and entry.link
    everything = feedparser.parse(cli("feed").stdout)
    titles = [e.title for e in everything.entries]
    assert titles[0] == "First story, updated (version 3, major)"
    assert "Second story: removed" in titles
    assert len(titles) == 5  # 2 new, 2 edits, 1 removal; no reextracts
    edit = everything.entries[0]
    assert edit.link.endswith("/diff/2/3")
    assert "Removed" in edit.summary


def test_feed_escapes_hostile_text(site: Site, cli: Cli) -> None:
    title = "<script>alert(1)</script> & \x0b “quotes”"
    url = site.put(
        "/x",
        article_html(title, [*PARAS[:3], "A paragraph with <b>tags</b> & ampersands and \x01 controls."]),
    )
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    parsed = feedparser.parse(cli("feed").stdout)
    assert not parsed.bozo
    assert parsed.entries[0].title.startswith("<script>alert(1)</script> &")


def test_maintenance_writes_bloom_filters(site: Site, cli: Cli) -> None:
    build_history(site, cli)
    assert "Bloom filters" in cli("maintenance").stdout
    git_dir = cli.archive / ".git"
    graphs = list((git_dir / "objects" / "info").rglob("*graph*"))
    data = b"".join(p.read_bytes() for p in graphs if p.is_file())
    assert b"BIDX" in data
    assert b"BDAT" in data
    git("commit-graph", "verify", cwd=cli.archive)
    assert len(list((git_dir / "objects" / "pack").glob("pack-*.pack"))) == 1
    git("fsck", "--strict", cwd=cli.archive)
