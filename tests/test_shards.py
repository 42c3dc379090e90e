"""Past one machine: sources sharded over updaters that push their own branches to one
git server, merged into one browsable archive without conflicts (docs/scaling.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from conftest import PARAS, Cli, Site, article_html, make_archive, rss

from journal import config
from journal.archive import Archive
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
