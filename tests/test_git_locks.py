"""Other people's git: live locks are never taken, stale ones are cleared, copies work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, rss

from journal.archive import Archive


def git(archive: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(archive), *args], capture_output=True, text=True, env={**os.environ, **env}
    )


@pytest.fixture
def recorded(site: Site, cli: Cli) -> Cli:
    cli(
        "source",
        "add",
        "daily",
        site.put("/feed.xml", rss([{"link": site.put("/a", article_html("Story", PARAS))}])),
    )
    cli("update")
    return cli


def test_a_copied_archive_updates_its_working_tree(site: Site, recorded: Cli, tmp_path: Path) -> None:
    """`cp -a` gives every file a new inode and ctime: the index's record of them is
    stale until refreshed, which `git read-tree -m` does not do by itself."""
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(recorded.archive), str(copy)], check=True)
    site.put("/a", article_html("Story", [*PARAS, "A paragraph added after the copy was made."]))
    result = Cli(copy)("update", "--force")
    assert "working tree was not updated" not in result.stderr
    (path,) = [a["path"] for a in Cli(copy).json("articles")]
    assert "added after the copy" in (copy / path).read_text()
    assert git(copy, "status", "--porcelain").stdout == ""


def test_a_live_index_lock_of_the_users_git_commit_is_left_alone(site: Site, recorded: Cli) -> None:
    """`git commit -a` with its editor open holds .git/index.lock; the updater commits its
    versions (they do not need the index), leaves the lock, and says the files wait."""
    archive = recorded.archive
    editor = users_git(archive, "commit", "-a", "--allow-empty")
    lock = archive / ".git" / "index.lock"
    try:
        deadline = time.monotonic() + 10
        while not lock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock.exists()
        held = lock.stat().st_ino
        time.sleep(1)  # a second old, as in the report
        site.put("/a", article_html("Story", [*PARAS, "A paragraph added while the user was committing."]))
        result = recorded("update", "--force")
        assert lock.exists() and lock.stat().st_ino == held  # not deleted, not replaced
        assert Path(f"/proc/{editor}").exists()
        assert "left git lock index.lock in place: git commit" in result.stderr
        assert "the working tree was not updated: git commit" in result.stderr
        assert recorded.json("articles")[0]["versions"] == 2  # the version is committed all the same
    finally:
        os.kill(editor, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while lock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not lock.exists()  # git removed its own lock as it gave up
    result = recorded("update")
    assert "working tree was not updated" not in result.stderr
    (path,) = [a["path"] for a in recorded.json("articles")]
    assert "while the user was committing" in (archive / path).read_text()


def test_a_config_lock_left_by_a_killed_reindex_is_cleared(recorded: Cli) -> None:
    archive = recorded.archive
    lock = archive / ".git" / "config.lock"
    lock.write_text("[core]\n\trepositoryformatversion = 0\n")  # half a config, as a kill leaves it
    old = time.time() - 60
    os.utime(lock, (old, old))
    assert git(archive, "config", "core.quotePath", "false").returncode != 0  # git is stuck too
    result = recorded("reindex")
    assert "removed stale git lock config.lock" in result.stderr
    assert not lock.exists()
    assert git(archive, "config", "core.quotePath", "false").returncode == 0


def users_git(archive: Path, *args: str) -> int:
    """Start `git ARGS` with an editor that stays open, the way a user's git runs: no
    child of this process. Returns its pid once it holds its lock."""
    started = subprocess.run(
        ["sh", "-c", 'cd "$1" && shift && git "$@" >/dev/null 2>&1 & echo $!', "sh", str(archive), *args],
        env={**os.environ, "GIT_EDITOR": "sleep 60; true"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(started.stdout)


def test_git_config_is_written_only_when_a_setting_differs(recorded: Cli) -> None:
    """While a git process of the user's works in the repository holding config.lock, a
    reindex with nothing to change in the config neither takes the lock nor removes it."""
    archive = recorded.archive
    index_lock = archive / ".git" / "index.lock"
    editor = users_git(archive, "commit", "-a", "--allow-empty")
    lock = archive / ".git" / "config.lock"
    try:
        deadline = time.monotonic() + 10
        while not index_lock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        lock.write_text("[core]\n")  # as `git config` writing beside it would hold it
        result = recorded("reindex")
        assert "left git lock config.lock in place: git commit" in result.stderr
        assert lock.read_text() == "[core]\n"
    finally:
        os.kill(editor, signal.SIGTERM)
        lock.unlink(missing_ok=True)
    assert git(archive, "config", "--unset", "core.commitGraph").returncode == 0
    recorded("reindex")
    assert git(archive, "config", "--get", "core.commitGraph").stdout.strip() == "true"


@pytest.mark.slow
def test_sigkill_during_reindex_leaves_git_usable(recorded: Cli) -> None:
    env = {**os.environ, "JOURNAL_ARCHIVE": str(recorded.archive)}
    for n in range(12):
        git(recorded.archive, "config", "--unset", "core.commitGraph")  # so reindex writes the config
        proc = subprocess.Popen(
            [sys.executable, "-m", "journal", "reindex"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.05 + n * 0.04)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        done = subprocess.run(
            [sys.executable, "-m", "journal", "reindex"], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert git(recorded.archive, "config", "core.quotePath", "false").returncode == 0
    assert Archive.open(recorded.archive).head() is not None
