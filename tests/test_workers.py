"""The extraction pool: one bad page costs that page only, and no worker outlives the pool."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from journal import workers
from journal.errors import FeedError
from journal.models import Extraction, NotArticle, PageRules

ARTICLE = (
    "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
    + "".join(f"<p>Paragraph {i} says the harbour reopened after the storm on Tuesday.</p>" for i in range(6))
    + "</article></body></html>"
).encode()


def _misbehaving(
    body: bytes, content_type: str | None, url: str, rules: PageRules | None = None
) -> Extraction | NotArticle:
    if "crash" in url:
        os._exit(3)
    if "hang" in url:
        time.sleep(600)
    return _real(body, content_type, url, rules)


_real = workers.extract_page


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(workers, "extract_page", _misbehaving)  # before the fork: the workers see it
    made = workers.ExtractorPool(size=2, timeout=2.0)
    yield made
    made.close()


def test_a_crash_or_a_hang_costs_one_page_and_the_pool_carries_on(pool: workers.ExtractorPool) -> None:
    urls = ["https://e.test/ok-1", "https://e.test/crash", "https://e.test/ok-2", "https://e.test/hang"]
    urls += [f"https://e.test/ok-{i}" for i in range(3, 9)]

    async def main() -> list[Extraction | NotArticle]:
        return await asyncio.gather(*(pool.extract(ARTICLE, "text/html", url) for url in urls))

    started = time.monotonic()
    results = asyncio.run(main())
    by_url = dict(zip(urls, results, strict=True))
    assert isinstance(by_url["https://e.test/crash"], NotArticle)
    assert "crashed" in by_url["https://e.test/crash"].reason
    assert by_url["https://e.test/crash"].blocked
    assert isinstance(by_url["https://e.test/hang"], NotArticle)
    assert "crashed" in by_url["https://e.test/hang"].reason
    for url, result in by_url.items():
        if "ok" in url:
            assert isinstance(result, Extraction), (url, result)
            assert result.title == "Harbour reopens"
    assert time.monotonic() - started < 30  # the hung page was given up on, not waited out


def test_close_leaves_no_worker_behind(pool: workers.ExtractorPool) -> None:
    pids = [w.pid for w in pool._workers]
    assert all(_alive(pid) for pid in pids)
    pool.close()
    assert not any(_alive(pid) for pid in pids)


def test_a_feed_error_in_a_worker_reaches_the_caller(pool: workers.ExtractorPool) -> None:
    async def main() -> None:
        await pool.parse_feed(b"<html>not a feed</html>", "https://e.test/feed", "text/html")

    with pytest.raises(FeedError):
        asyncio.run(main())
