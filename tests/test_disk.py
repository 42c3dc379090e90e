"""A read-only or full disk under the archive: one line naming the path and the fix, nothing lost.

Real faults, made without privileges: each command runs in a user and mount namespace
(`unshare`) where the archive is bind-mounted read-only, or copied onto a tmpfs of a
few megabytes that is filled to within a few kilobytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, rss


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not _namespaces_work(), reason="unshare (user and mount namespaces) not allowed here"
)

JOURNAL = f"{sys.executable} -m journal"


def in_namespace(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-ec", script],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def recorded(site: Site, cli: Cli) -> Cli:
    links = [site.put(f"/story/{i}", article_html(f"Story {i}", PARAS)) for i in range(3)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    cli("update")
    return cli


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("journal: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["update --force", "reindex", "maintenance", "status"])
def test_a_read_only_archive_is_one_line_naming_the_path_and_the_fix(recorded: Cli, command: str) -> None:
    archive = recorded.archive
    if command == "status":  # never read before: its local state has yet to be built
        (archive / ".git" / "journal" / "state.sqlite").unlink()
    result = in_namespace(
        f"mount --bind {archive} {archive}; mount -o remount,bind,ro {archive}; "
        f"{JOURNAL} --archive {archive} {command}"
    )
    message = one_line(result)
    assert str(archive) in message
    assert "read-only" in message
    assert "writable" in message


def test_a_full_disk_is_one_line_and_loses_nothing(site: Site, recorded: Cli, tmp_path: Path) -> None:
    for i in range(3):
        site.put(
            f"/story/{i}", article_html(f"Story {i}", [*PARAS, f"An update to story {i} with new facts."])
        )
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    copy = disk / "archive"
    fill = (  # the disk filled, then its last 64 KiB given back, as a log or a download leaves it
        f"dd if=/dev/zero of={disk}/filler bs=64k 2>/dev/null || true; truncate -s -64K {disk}/filler; "
    )
    in_namespace(
        f"mount -t tmpfs -o size=8m tmpfs {disk}; cp -a {recorded.archive} {copy}; set +e; "
        # A fresh index to build: SQLite is the first to find the disk full.
        f"mv {copy}/.git/journal/state.sqlite {out}/; {fill}"
        f"{JOURNAL} --archive {copy} status > {out}/status.out 2> {out}/status.err; echo $? > {out}/status.code; "
        f"rm {disk}/filler; rm -f {copy}/.git/journal/state.sqlite*; mv {out}/state.sqlite {copy}/.git/journal/; "
        # New versions to commit: git is the first to find it full.
        f"{fill}{JOURNAL} --archive {copy} update --force > {out}/full.out 2> {out}/full.err; "
        f"echo $? > {out}/full.code; rm {disk}/filler; "
        f"{JOURNAL} --archive {copy} update --force --json > {out}/after.json 2> {out}/after.err; "
        f"git -C {copy} fsck --strict > {out}/fsck 2>&1; echo $? > {out}/fsck.code; "
        f"{JOURNAL} --archive {copy} articles --json > {out}/articles.json"
    )
    for step in ("status", "full"):
        code, err = int((out / f"{step}.code").read_text()), (out / f"{step}.err").read_text()
        message = one_line(subprocess.CompletedProcess([], code, "", err))
        assert "is full" in message and str(copy) in message and "Free some space" in message
    assert "database or disk is full" in (out / "status.err").read_text()
    summary = json.loads((out / "after.json").read_text())
    assert summary["failures"] == [], (out / "after.err").read_text()
    assert (out / "fsck.code").read_text().strip() == "0", (out / "fsck").read_text()
    assert {a["versions"] for a in json.loads((out / "articles.json").read_text())} == {2}
