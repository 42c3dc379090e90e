"""The disk under an archive failing a write: read-only, or full.

Python and SQLite say so in their own words, deep in a traceback ("[Errno 30]
Read-only file system", "database or disk is full"). Around a command's work,
`guard(root)` turns them into one JournalError that names the path and the fix. Git
commits first and the state follows (journal.ledger), so a write that fails loses
nothing committed: the next run, with space or permission, takes up where this one
stopped.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from journal.errors import JournalError

_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT}
# What git prints for the same faults (it runs in this locale only when it is English;
# otherwise its own message stands, which is one line too).
_GIT_FULL = ("No space left on device", "Disk quota exceeded")
_GIT_READ_ONLY = ("Read-only file system", "Permission denied")


class ReadOnlyArchive(JournalError):
    """The archive cannot be written by this process."""


class DiskFull(JournalError):
    """The disk under the archive has no room for a write."""


@contextmanager
def guard(root: Path) -> Iterator[None]:
    """Turn a read-only or full disk under `root` into one clear JournalError."""
    state = root / ".git" / "journal" / "state.sqlite"
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL:
            raise DiskFull(_full(root, exc.filename or root, exc.strerror)) from exc
        if exc.errno in _READ_ONLY:
            raise ReadOnlyArchive(_read_only(root, exc.filename or root, exc.strerror)) from exc
        raise
    except sqlite3.OperationalError as exc:
        code = exc.sqlite_errorcode
        # A failed write of a WAL or its index is "disk I/O error", however full the disk.
        if code == sqlite3.SQLITE_FULL or ((code & 0xFF) == sqlite3.SQLITE_IOERR and _no_room(root)):
            raise DiskFull(_full(root, state, str(exc))) from exc
        if (
            code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN)
            or (code & 0xFF) == sqlite3.SQLITE_READONLY
        ):
            raise ReadOnlyArchive(_read_only(root, state, str(exc))) from exc
        raise
    except JournalError as exc:
        text = str(exc)
        if any(reason in text for reason in _GIT_FULL) and not isinstance(exc, DiskFull):
            raise DiskFull(_full(root, root / ".git", text[:200])) from exc
        if any(reason in text for reason in _GIT_READ_ONLY) and not isinstance(exc, ReadOnlyArchive):
            raise ReadOnlyArchive(_read_only(root, root / ".git", text[:200])) from exc
        raise


def move_aside(path: Path) -> Path:
    """Move a damaged SQLite file out of the way, with its WAL and shared memory (a WAL
    left beside a new file would be applied to it); return where it went."""
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    return aside


def _no_room(root: Path) -> bool:
    """Whether the disk under `root` has less than a megabyte left."""
    try:
        stat = os.statvfs(root)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < 1 << 20


def _read_only(root: Path, path: Path | str, reason: str | None) -> str:
    return (
        f"Cannot write to {path} ({reason or 'not writable'}): the archive is read-only here. "
        f"journal keeps its lock, its local state and its commits under {root}/.git; make the archive "
        "writable (remount its file system read-write, or give this user write access) or run journal as "
        "its owner."
    )


def _full(root: Path, path: Path | str, reason: str | None) -> str:
    return (
        f"The disk holding {root} is full ({reason or 'no space left'}, writing {path}). Free some space "
        "and run the command again: nothing committed is lost."
    )
