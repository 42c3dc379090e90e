"""Past one machine: sources sharded over updaters that push their own branches to one
git server, merged into one browsable archive without conflicts (docs/scaling.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from conftest import PARAS, Cli, Site, article_html, make_archive, rss

from journal import commits, config, document
from journal.archive import Archive, Identity, Writer
from journal.models import ArticleText, Change
from journal.sources import commit_config


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def shard(tmp_path: Path, site: Site, name: str, sources: list[str], hub: Path) -> Cli:
    cli = make_archive(tmp_path / name)
    archive = Archive.open(cli.archive)
    text = archive.read_config()
    text = config.set_key(text, "journal", "push_remote", str(hub))
    text = config.set_key(text, "journal", "push_branch", f"shards/{name}")
    for source in sources:
        text = config.add_source(text, source, [site.url(f"/{source}/feed.xml")], [], [])
    commit_config(archive, text, f"journal: shard {name}", "", datetime.now(UTC))
    return cli


def publish(site: Site, source: str, edition: int) -> None:
    links = []
    for i in range(2):
        paras = [*PARAS[:4], f"Edition {edition} of story {i} in {source} carries the latest figures."]
        links.append(site.put(f"/{source}/{i}", article_html(f"{source} story {i}", paras)))
    site.put(f"/{source}/feed.xml", rss([{"link": link} for link in links]))


MERGE = """
git -C {merged} fetch -q hub
for branch in $(git -C {merged} for-each-ref --format='%(refname:short)' refs/remotes/hub/shards/); do
    git -C {merged} merge -q --no-edit --allow-unrelated-histories -X ours "$branch"
done
"""


def test_two_shards_merge_into_one_archive(site: Site, tmp_path: Path) -> None:
    hub = tmp_path / "hub.git"
    git("init", "-q", "--bare", "-b", "main", str(hub), cwd=tmp_path)
    sources = ["alpha", "beta", "gamma", "delta"]
    for source in sources:
        publish(site, source, 1)
    shards = [
        shard(tmp_path, site, "east", sources[:2], hub),
        shard(tmp_path, site, "west", sources[2:], hub),
    ]
    merged = Cli(tmp_path / "merged")
    merged("init")
    git("remote", "add", "hub", str(hub), cwd=merged.archive)

    for edition in (1, 2):
        for source in sources:
            publish(site, source, edition)
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "journal", "update", "--force", "--push", "--json"],
                env={**os.environ, "JOURNAL_ARCHIVE": str(s.archive)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for s in shards
        ]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
            assert '"pushed"' in out
        subprocess.run(["bash", "-c", MERGE.format(merged=merged.archive)], check=True)

    assert len(merged.json("articles")) == 8
    for s in shards:
        for article in s.json("articles"):
            mine = s.json("history", article["id"])
            theirs = merged.json("history", article["id"])
            assert [v["commit"] for v in theirs["versions"]] == [v["commit"] for v in mine["versions"]]
            assert theirs["versions"][-1]["version"] == 2
    git("fsck", "--strict", cwd=merged.archive)
    assert git("status", "--porcelain", cwd=merged.archive) == ""
    assert merged("feed").stdout.count("<entry>") == 16


WHEN = datetime(2015, 9, 18, 10, 37, tzinfo=UTC)


def test_versions_read_in_order_when_merged_commits_share_a_second(tmp_path: Path) -> None:
    """A merge can reach an article's first version before its second; when their
    commits share a second, date order alone would apply version 2 before version 1."""
    archive = Archive.create(tmp_path / "a", "", Identity(), WHEN)
    root = archive.head()
    assert root is not None

    def put(writer: Writer, name: str, version: int) -> None:
        url = f"https://example.org/{name}"
        doc = ArticleText(
            url=url, source="x", title=f"Story {name}", paragraphs=(f"Text of {name}, edition {version}.",)
        )
        change = Change.NEW if version == 1 else Change.EDIT
        message = commits.CommitMessage(
            source="x", title=doc.title, url=url, version=version, change=change, fetched_at=WHEN
        )
        writer.commit(message.render(), WHEN, {f"x/2015/09/{name}.md": document.render(doc)})

    with Writer(archive, Identity()) as writer:  # a shard's branch: a1, b, a2, c
        for name, version in [("a", 1), ("b", 1), ("a", 2), ("c", 1)]:
            put(writer, name, version)
        writer.checkpoint()
    a1, _, a2, c = writer.written
    git("reset", "-q", "--hard", root, cwd=archive.root)
    with Writer(archive, Identity()) as writer:  # the merged archive's own commit
        put(writer, "d", 1)
        writer.checkpoint()
    git("reset", "-q", "--hard", cwd=archive.root)  # the writer leaves the worktree to the updater
    same_second = {"GIT_AUTHOR_DATE": WHEN.isoformat(), "GIT_COMMITTER_DATE": WHEN.isoformat()}
    for tip in (a1, c):  # merged once after a1, again after c
        subprocess.run(
            ["git", "-c", "user.name=m", "-c", "user.email=m@localhost", "merge", "-q", "--no-edit", tip],
            cwd=archive.root, env={**os.environ, **same_second}, check=True,
        )  # fmt: skip

    history = Cli(archive.root).json("history", "x/2015/09/a.md")
    assert [(v["version"], v["commit"]) for v in history["versions"]] == [(1, a1), (2, a2)]
