"""What killed writers leave in a repository, and when it is safe to remove.

A killed `git fast-import` leaves half-written packs and a crash report; a killed git
leaves its lock file (`index.lock`, `config.lock`, `HEAD.lock`, a branch's `.lock`),
and every later git command that needs the lock then fails. A lock file is also what
a live git process holds while it works (a `git commit` whose editor is open holds
`index.lock` for minutes), so a lock is removed only when no process can be holding
it: no git process other than this one's own children works in the repository, and it
is a couple of seconds old. When that cannot be told (a git process of another user,
whose working directory cannot be read), the lock stays, and the caller is told.

Only the writer-lock holder calls `clear`: then no journal process is writing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

# Git subcommands that only read: journal's own readers (`journal serve`'s cat-file,
# log and grep) and a user's `git log` take no lock.
_READING = frozenset(
    [
        "cat-file",
        "log",
        "show",
        "grep",
        "rev-list",
        "rev-parse",
        "ls-tree",
        "ls-files",
        "blame",
        "merge-base",
        "diff-tree",
        "for-each-ref",
        "show-ref",
        "name-rev",
        "describe",
        "shortlog",
        "whatchanged",
        "cherry",
        "version",
        "help",
    ]
)
GRACE = 2.0  # seconds: a lock younger than this may belong to a process just starting


@dataclass(frozen=True)
class Leftovers:
    """What `clear` did: one note per thing removed, and one per lock left in place."""

    removed: tuple[str, ...]
    kept: tuple[str, ...]


def clear(git_dir: Path, root: Path, wait: float = 3.0) -> Leftovers:
    removed: list[str] = []
    kept: list[str] = []
    for tmp in [*(git_dir / "objects" / "pack").glob("tmp_*"), *(git_dir / "objects").glob("*/tmp_obj_*")]:
        tmp.unlink(missing_ok=True)
        removed.append(f"removed half-written pack file {tmp.name} from an interrupted run")
    for report in git_dir.glob("fast_import_crash_*"):
        report.unlink(missing_ok=True)
        removed.append(f"removed {report.name}, the report of an interrupted commit stream")
    deadline = time.time() + wait
    for lock in locks(git_dir):
        while _age(lock) < GRACE and time.time() < deadline:
            time.sleep(0.1)  # a git command may be finishing
        if not lock.exists():
            continue
        name = lock.relative_to(git_dir)
        holders = git_processes(root, git_dir)
        unless = f"; once no git command runs here, remove it (rm {lock}) if it stays"
        if holders is None:
            kept.append(
                f"left git lock {name} in place: a git process this user cannot see may hold it{unless}"
            )
        elif holders:
            kept.append(f"left git lock {name} in place: {holders[0]} is working in this repository")
        elif _age(lock) < GRACE:
            kept.append(f"left git lock {name} in place: it was made a moment ago{unless}")
        else:
            lock.unlink(missing_ok=True)
            removed.append(f"removed stale git lock {name} left by an interrupted run")
    return Leftovers(tuple(removed), tuple(kept))


def locks(git_dir: Path) -> list[Path]:
    """The lock files git takes in the places journal and its users write."""
    return [
        path
        for path in [
            git_dir / "index.lock",
            git_dir / "HEAD.lock",
            git_dir / "config.lock",
            git_dir / "packed-refs.lock",
            *git_dir.glob("refs/heads/**/*.lock"),
            git_dir / "objects" / "info" / "commit-graph.lock",
            git_dir / "objects" / "info" / "commit-graphs" / "commit-graph-chain.lock",
        ]
        if path.exists()
    ]


@dataclass(frozen=True)
class GitProcess:
    pid: int
    command: str  # "git commit"

    def __str__(self) -> str:
        return f"{self.command} (pid {self.pid})"


def git_processes(root: Path, git_dir: Path) -> list[GitProcess] | None:
    """The git processes that may write in this repository (working in it, or naming it
    on their command line), apart from this process's children and git commands that
    only read. None when a git process's working directory cannot be read."""
    if not Path("/proc").is_dir():
        return None  # no process table to read: in doubt
    ours = _descendants(os.getpid())
    places = [str(root.resolve()), str(git_dir.resolve())]
    found: list[GitProcess] = []
    doubt = False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in ours:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue  # gone
        program = os.path.basename(argv[0].decode(errors="replace")) if argv and argv[0] else name
        if not (program == "git" or program.startswith("git-") or name.startswith("git")):
            continue
        args = [a.decode(errors="replace") for a in argv[1:] if a]
        subcommand = _subcommand(args)
        if subcommand in _READING:
            continue
        command = f"git {subcommand}" if subcommand else program
        try:
            cwd = os.readlink(entry / "cwd")
        except FileNotFoundError:
            continue
        except OSError:
            doubt = True
            continue
        named = any(place in arg for arg in args for place in places)
        if named or any(cwd == place or cwd.startswith(place + os.sep) for place in places):
            found.append(GitProcess(int(entry.name), command))
    if doubt and not found:
        return None
    return found


def _subcommand(args: list[str]) -> str | None:
    """`commit` in `git -C dir -c k=v commit -m x`."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-C", "-c", "--git-dir", "--work-tree", "--namespace"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _descendants(pid: int) -> set[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = {pid}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _age(path: Path) -> float:
    """Seconds since `path` was modified; infinity when it does not exist."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")
