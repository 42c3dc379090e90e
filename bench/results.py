"""bench/RESULTS.md: each benchmark owns one `## ` section and rewrites only that."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(title: str, body: str) -> None:
    """Put `body` under `## title`, replacing what was there; other sections stay as they are."""
    section = f"## {title}\n\n{body.strip()}\n"
    text = RESULTS.read_text("utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text, "utf-8")
