"""`journal serve` under load: 200 clients at once on loopback, a bounded number of
requests in bounded time, every answer right, and the server's memory flat."""

from __future__ import annotations

import re
import sys
import urllib.request
from pathlib import Path

import pytest
from test_web import build_history

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from load import hammer, reader_paths, serving

pytestmark = pytest.mark.slow


def _signature(base: str, path: str) -> str:
    """What marks the right answer to `path`: its <title>, or for feeds and JSON a fixed part."""
    with urllib.request.urlopen(base + path, timeout=30) as answer:
        body = answer.read().decode()
    if path.endswith(".atom"):
        return "<feed"
    if path.startswith("/api/"):
        return '"total":3'
    found = re.search(r"<title>[^<]+</title>", body)
    assert found, f"{path} has no title"
    return found.group(0)


def test_200_concurrent_clients_get_right_answers_and_memory_stays_flat(tmp_path: Path) -> None:
    archive = build_history(tmp_path / "archive")
    with serving(archive.root) as server:
        paths = reader_paths(server.base)
        assert len(paths) >= 12 and any("/diff/" in p for p in paths)
        expect = {path: _signature(server.base, path) for path in paths}
        assert len(set(expect.values())) >= 8  # distinct pages, not one page many times
        after: list[float] = []
        for _ in range(2):
            seen = hammer(server.base, paths, clients=200, requests=1200, expect=expect, limit=240)
            assert seen.errors == []
            assert seen.answers == 1200 and seen.statuses == {200: 1200}
            after.append(server.memory_mb())
        first, second = after
        assert second <= first * 1.1 + 5, f"server memory grew from {first:.0f} MB to {second:.0f} MB"
        assert server.memory_mb("VmHWM") < 300
