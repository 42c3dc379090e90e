"""`journal serve` under load: many clients at once on loopback, and the server's memory.

    python bench/load.py [--versions 100000] [--clients 200] [--requests 4000] [--write]
    python bench/load.py --archive PATH [--json]        # an existing archive, as it is

Starts `journal serve` as its own process (uvicorn, as a user runs it), then opens
--clients connections at once and keeps them all busy until --requests answers have
come back, over a mix of the pages a reader asks for: front page, article pages, side
by side diffs, versions, source pages, search, Atom feeds and the JSON API. Reports the
answers per second, latency percentiles, any error, and the server's resident memory
(VmRSS) after each of two rounds and its peak (VmHWM): a server whose memory keeps
growing from one round to the next leaks. --write puts the table in bench/RESULTS.md
under "Serve under load".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procstat import memory_mb

HERE = Path(__file__).resolve().parent


@dataclass
class Round:
    """What one round of load saw."""

    answers: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict[str, float | int]:
        return {
            "answers": self.answers,
            "errors": len(self.errors),
            "per_second": round(self.answers / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(self.percentile(50) * 1000, 1),
            "p99_ms": round(self.percentile(99) * 1000, 1),
            "max_ms": round(max(self.latencies, default=0.0) * 1000, 1),
        }


@dataclass
class Server:
    """A running `journal serve`: its address and process id."""

    base: str
    pid: int

    def memory_mb(self, key: str = "VmRSS") -> float:
        """The server's resident memory now (VmRSS) or at its peak (VmHWM), in MB."""
        return memory_mb(self.pid, key)


@contextmanager
def serving(archive: Path, timeout: float = 60) -> Iterator[Server]:
    """`journal serve` on a free loopback port, stopped on the way out."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", "--archive", str(archive), "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found: list[str] = []
    started = threading.Event()

    def watch() -> None:
        # Reads its log to the end, so that a full pipe never stalls the server.
        assert proc.stderr is not None
        for line in proc.stderr:
            if not started.is_set() and (address := re.search(r"running on (http://[\d.]+:\d+)", line)):
                found.append(address.group(1))
                started.set()
        started.set()  # the server exited

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not started.wait(timeout) or not found:
            raise RuntimeError(f"journal serve did not start (exit code {proc.poll()})")
        yield Server(found[0], proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _hammer(
    base: str, paths: Sequence[str], clients: int, requests: int, expect: dict[str, str]
) -> Round:
    seen = Round()
    issued = 0
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def client() -> None:
            nonlocal issued
            while issued < requests:
                path = paths[issued % len(paths)]
                issued += 1
                started = time.perf_counter()
                try:
                    async with session.get(base + path) as answer:
                        body = await answer.text()
                        status = answer.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    seen.errors.append(f"{path}: {type(exc).__name__} {exc}")
                    continue
                seen.latencies.append(time.perf_counter() - started)
                seen.answers += 1
                seen.statuses[status] = seen.statuses.get(status, 0) + 1
                if status != 200:
                    seen.errors.append(f"{path}: HTTP {status}")
                elif path in expect and expect[path] not in body:
                    seen.errors.append(f"{path}: answer lacks {expect[path]!r}")

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        seen.seconds = time.perf_counter() - started
    return seen


def hammer(
    base: str,
    paths: Sequence[str],
    clients: int = 200,
    requests: int = 2000,
    expect: dict[str, str] | None = None,
    limit: float = 300,
) -> Round:
    """`requests` GETs of `paths` in turn from `clients` connections at once; every answer
    must be a 200 (and contain `expect[path]` where given). Gives up after `limit` seconds."""
    return asyncio.run(asyncio.wait_for(_hammer(base, paths, clients, requests, expect or {}), limit))


def reader_paths(base: str, articles: int = 40) -> list[str]:
    """A reader's mix of pages, from what the server's own API lists."""
    import urllib.request

    with urllib.request.urlopen(f"{base}/api/articles?per_page={articles}", timeout=60) as answer:
        listed = json.load(answer)["articles"]
    paths = ["/", "/api/articles", "/feed.atom", "/search?q=officials"]
    for item in listed:
        sid, versions, source = item["id"], item["versions"], item["source"]
        paths += [f"/articles/{sid}", f"/articles/{sid}/versions/{versions}", f"/sources/{source}"]
        if versions > 1:
            paths.append(f"/articles/{sid}/diff/{versions - 1}/{versions}")
    return paths


def measure(archive: Path, clients: int, requests: int) -> dict[str, object]:
    with serving(archive) as server:
        paths = reader_paths(server.base)
        hammer(server.base, paths[:20], clients=20, requests=100)  # warm up
        rounds = []
        for _ in range(2):
            seen = hammer(server.base, paths, clients=clients, requests=requests)
            rounds.append({**seen.summary(), "rss_mb": round(server.memory_mb(), 1)})
            for error in seen.errors[:5]:
                print("error:", error, file=sys.stderr)
        return {
            "kind": "serve_load",
            "clients": clients,
            "requests": requests,
            "pages": len(paths),
            "rounds": rounds,
            "peak_rss_mb": round(server.memory_mb("VmHWM"), 1),
        }


def report(result: dict[str, object], versions: int | None) -> str:
    rounds = result["rounds"]
    assert isinstance(rounds, list)
    size = f"{versions:,} versions" if versions else "the given archive"
    lines = [
        f"`journal serve` on {size}, {result['clients']} clients at once on loopback, "
        f"{result['requests']} answers a round over {result['pages']} distinct pages "
        f"(`python bench/load.py{f' --versions {versions}' if versions else ''}`).",
        "",
        "| round | answers/s | p50 ms | p99 ms | max ms | errors | server RSS after, MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, r in enumerate(rounds, 1):
        lines.append(
            f"| {n} | {r['per_second']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} "
            f"| {r['errors']} | {r['rss_mb']} |"
        )
    lines += ["", f"Peak server RSS: **{result['peak_rss_mb']} MB**."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--archive", type=Path, help="an existing archive (nothing is built)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write", action="store_true", help="put the table in bench/RESULTS.md")
    args = parser.parse_args()
    versions = None
    archive = args.archive
    if archive is None:
        sys.path.insert(0, str(HERE))
        from synth import build

        versions = args.versions
        archive = HERE / "out" / f"load-{versions}"
        if not (archive / ".git").exists():
            build(archive, versions, 22, 2, quiet=True)
    result = measure(archive, args.clients, args.requests)
    if args.json:
        print(json.dumps(result))
        return
    text = report(result, versions)
    print(text)
    if args.write:
        sys.path.insert(0, str(HERE))
        from results import write_section

        write_section("Serve under load", text)


if __name__ == "__main__":
    main()
