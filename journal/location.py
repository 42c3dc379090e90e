"""Where the archive is, and where a new one may be made.

Found the way git finds a repository: `--archive` (or JOURNAL_ARCHIVE) when given,
else the nearest folder at or above the current one that is an archive, else
`./archive`. Only `journal init` and `journal update` make one; every other command
on a missing archive says so. Advice never points inside another archive, or at a
system folder (a service started in `/` would otherwise make `/archive`).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from journal.archive import CONFIG_FILE, Archive, clone_to_adopt
from journal.errors import JournalError, NoArchive

DEFAULT = "archive"
# Folders that belong to the operating system (the Filesystem Hierarchy Standard's):
# no place for an archive nobody asked for.
_SYSTEM = tuple(
    Path(p)
    for p in (
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/lib",
        "/lib32",
        "/lib64",
        "/proc",
        "/run",
        "/sbin",
        "/sys",
        "/usr",
        "/var",
    )
)
_SUGGESTED = "~/news"


def is_archive(folder: Path) -> bool:
    """A git work tree with journal.toml (or journal's state), or a clone of an archive
    that checked nothing out yet."""
    if not (folder / ".git").is_dir():
        return False
    if (folder / CONFIG_FILE).is_file() or (folder / ".git" / "journal").is_dir():
        return True
    return clone_to_adopt(folder) is not None


def around(start: Path) -> Path | None:
    """The nearest archive at or above `start`."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if is_archive(folder):
            return folder
    return None


def resolve(given: Path | None, cwd: Path) -> Path:
    """The archive a command works on: the one given, the one around `cwd`, or ./archive."""
    if given is not None:
        return Path(os.path.abspath(given.expanduser()))  # "../other" read as the folder it names
    return around(cwd) or Path(os.path.abspath(cwd / DEFAULT))


def open_archive(given: Path | None, cwd: Path) -> Archive:
    """The archive for a command that reads or edits one: never made here."""
    path = resolve(given, cwd)
    if not (path / ".git").exists():
        raise _missing(path, given is not None, cwd)
    return Archive.open(path)


def open_or_create(given: Path | None, cwd: Path, now: datetime) -> tuple[Archive, bool]:
    """The archive for `journal update`, made on first use (not in a system folder, not
    inside another archive)."""
    path = resolve(given, cwd)
    if (path / ".git").exists():
        return Archive.open(path), False
    if given is None and _system(cwd):
        raise NoArchive(
            f"No archive here ({cwd} is a system folder); make one with "
            f'"journal init {_SUGGESTED}", then run journal from there or give --archive.'
        )
    return init(path, now), True


def init(path: Path, now: datetime) -> Archive:
    """A new archive at `path`, refused inside another archive."""
    from journal.sources import init as make

    path = Path(os.path.abspath(path.expanduser()))
    if is_archive(path):
        raise JournalError(f"{path} is an archive already; use it (cd {path}, or give --archive {path}).")
    outer = around(path.parent)
    if outer is not None:
        raise JournalError(
            f"{path} is inside the archive {outer}; make the new archive outside it "
            f'(e.g. "journal init {outer.parent / path.name}").'
        )
    return make(path, now)


def _missing(path: Path, given: bool, cwd: Path) -> NoArchive:
    outer = around(path.parent)
    if outer is not None:
        return NoArchive(f"No archive at {path}; it would be inside the archive {outer}: use that one.")
    if given:
        where = _SUGGESTED if _system(path.parent) else str(path)
        return NoArchive(f'No archive at {path}; check --archive, or run "journal init {where}" first.')
    if _system(cwd):
        return NoArchive(
            f'No archive here or above {cwd}; run "journal init {_SUGGESTED}" first, '
            "then run journal from there (or give --archive)."
        )
    return NoArchive(
        f"No archive here or above {cwd}, nor at ./{DEFAULT}; "
        f'run "journal init" first (or "journal init NAME", then cd NAME), or give --archive.'
    )


def _system(folder: Path) -> bool:
    """The root, an operating system folder, or one this user cannot write to."""
    folder = folder.absolute()
    if folder == Path(folder.anchor) or any(folder == s or s in folder.parents for s in _SYSTEM):
        return True
    existing = next((f for f in (folder, *folder.parents) if f.exists()), folder)
    return not os.access(existing, os.W_OK)
