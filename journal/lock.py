"""One writer per archive: an flock on .git/journal/lock.

The kernel drops an flock when its process dies, so a killed updater never leaves
a lock that blocks the next run. The git processes that write for the updater
(`git fast-import`, `git read-tree -u`) hold the lock with it (`held()`): an updater
killed mid-checkpoint leaves git to finish, and the next writer waits for that.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from journal.errors import LockHeld

_HELD: set[int] = set()


def held() -> tuple[int, ...]:
    """The descriptors of the writer locks this process holds, for a child that writes."""
    return tuple(sorted(_HELD))


class WriterLock:
    def __init__(self, state_dir: Path, wait: float = 0.0):
        self.path = state_dir / "lock"
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> WriterLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
                    os.close(fd)
                    raise LockHeld(
                        f"Another journal process (pid {holder}) is writing to this archive; "
                        "wait for it to finish, or stop it, then run again."
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        _HELD.add(fd)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            _HELD.discard(self._fd)
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
