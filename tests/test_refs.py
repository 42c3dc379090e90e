"""Archive.head() reads HEAD from the ref files (no GitPython): it must agree with git in
every layout an archive can be in, since commits are written on top of it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from journal.archive import Archive
from journal.errors import NoArchive


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def commit(root: Path, text: str) -> str:
    (root / "file.md").write_text(text)
    git(root, "add", "file.md")
    git(root, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-q", "-m", text)
    return git(root, "rev-parse", "HEAD")


def test_head_agrees_with_git_in_every_layout(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    assert Archive.open(root).head() is None  # an unborn branch
    first = commit(root, "one")
    assert Archive.open(root).head() == first  # a loose ref
    git(root, "pack-refs", "--all")
    assert not (root / ".git" / "refs" / "heads" / "main").exists()
    assert Archive.open(root).head() == first  # a packed ref
    second = commit(root, "two")
    assert Archive.open(root).head() == second  # loose again, packed one stale
    git(root, "checkout", "-q", "--detach", first)
    assert Archive.open(root).head() == first  # detached
    git(root, "checkout", "-q", "-b", "feature/deep/name", second)
    assert Archive.open(root).head() == second  # a branch in folders
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    assert Archive.open(clone).head() == git(clone, "rev-parse", "HEAD")


def test_head_falls_back_to_git_when_the_files_do_not_settle_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    first = commit(root, "one")
    (root / ".git" / "refs" / "heads" / "alias").write_text("ref: refs/heads/main\n")  # a symbolic ref
    git(root, "symbolic-ref", "HEAD", "refs/heads/alias")
    assert Archive.open(root).head() == first
    (root / ".git" / "HEAD").write_text("ref: ../../outside\n")  # never read outside .git:
    (tmp_path / "outside").write_text("f" * 40)  # git says it is no repository, and so do we
    with pytest.raises(NoArchive, match="not a git repository"):
        Archive.open(root).head()
