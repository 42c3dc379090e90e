"""Memory of a process from /proc/PID/status.

VmHWM is the peak of the process's own memory. `ru_maxrss` is not: on Linux it also
counts the memory of the process it was forked from.
"""

from __future__ import annotations

import re
from pathlib import Path


def memory_mb(pid: int | str = "self", key: str = "VmHWM") -> float:
    """The process's resident memory at its peak (VmHWM) or now (VmRSS), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(rf"^{key}:\s+(\d+) kB", status, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no {key} in /proc/{pid}/status")
    return int(found.group(1)) / 1024
