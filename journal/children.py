"""Children out of reach of the terminal's Ctrl-C.

A Ctrl-C at a terminal is a SIGINT to the whole process group. The children journal
starts (every git, the extraction workers) are moved to groups of their own, or ignore
it, so that only journal decides when they stop (`journal.interrupt`).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM in this thread while a child is made.

    A child is in its parent's process group from its fork until it moves to a group
    of its own; a Ctrl-C sent to the group in that moment kills it (a git that was
    meant to be out of reach, halfway through a checkpoint). Held, the signal waits:
    the child starts with it blocked (a git keeps it so, in its own group; a worker
    ignores it before it lets it through) and the parent takes it when this ends.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def popen_apart(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen` in a process group of its own, out of reach of the terminal's
    Ctrl-C from its first instant."""
    kwargs.setdefault("process_group", 0)
    with held_signals():
        return subprocess.Popen(*args, **kwargs)
