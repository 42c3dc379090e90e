"""Pushing to remotes that fail: nothing lost locally, a clear message, and the next
push succeeds once the remote is fixed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import PARAS, Cli, Site, article_html, rss


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def archive_with_a_version(site: Site, cli: Cli) -> str:
    url = site.put("/a", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    return git("rev-parse", "HEAD", cwd=cli.archive)


def test_non_fast_forward_is_refused_then_fixed(site: Site, cli: Cli, tmp_path: Path) -> None:
    head = archive_with_a_version(site, cli)
    remote = tmp_path / "remote.git"
    git("init", "--bare", "-q", "-b", "main", str(remote))
    cli("push", str(remote))
    # Someone else moves the remote branch to a history we do not have.
    other = tmp_path / "other"
    git("clone", "-q", str(remote), str(other))
    (other / "stray.txt").write_text("x")
    git("add", "stray.txt", cwd=other)
    git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "stray", cwd=other)
    git("push", "-q", "origin", "main", cwd=other)
    site.put("/a", article_html("Story", [*PARAS, "One more paragraph arrived later in the day."]))
    cli("update", "--force")
    local = git("rev-parse", "HEAD", cwd=cli.archive)
    result = cli("push", str(remote), ok=False)
    assert result.exit_code == 1
    assert (
        "rejected" in result.stderr or "non-fast-forward" in result.stderr or "fetch first" in result.stderr
    )
    assert "commits are safe" in result.stderr
    assert git("rev-parse", "HEAD", cwd=cli.archive) == local
    git("update-ref", "refs/heads/main", head, cwd=remote)  # the remote is fixed
    cli("push", str(remote))
    assert git("rev-parse", "main", cwd=remote) == local


def test_auth_failure_is_clear_and_hides_the_password(site: Site, cli: Cli, tmp_path: Path) -> None:
    archive_with_a_version(site, cli)
    site.put(
        "/repo.git/info/refs?service=git-receive-pack",
        "denied",
        status=401,
        WWW_Authenticate='Basic realm="git"',
    )
    url = site.url("/repo.git").replace("http://", "http://user:s3cret@")
    result = cli("push", url, ok=False)
    assert result.exit_code == 1
    assert "push to" in result.stderr
    assert "s3cret" not in result.stderr
    assert (
        "Authentication failed" in result.stderr
        or "401" in result.stderr
        or "could not read" in result.stderr
    )
    git("fsck", "--strict", cwd=cli.archive)


def test_update_push_failure_keeps_the_run(site: Site, cli: Cli, tmp_path: Path) -> None:
    url = site.put("/a", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    git("remote", "add", "origin", str(tmp_path / "missing.git"), cwd=cli.archive)
    result = cli("update", "--push", "--json", ok=False)
    assert result.exit_code == 1  # cron sees the failed push
    summary = json.loads(result.stdout)
    assert summary["totals"]["new"] == 1
    assert "push to origin failed" in summary["push_error"]
    assert git("log", "--format=%(trailers:key=Change,valueonly,separator=)", "-1", cwd=cli.archive) == "new"
