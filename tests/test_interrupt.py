"""Ctrl-C as a terminal sends it: SIGINT to the whole process group, at any moment.

Only the updater decides what a stop means: the pages already fetched are extracted
and committed, the fetches in flight are dropped without counting as failures, the
working tree matches HEAD, and the run exits 130.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import PARAS, Page, Site, article_html, make_archive, reply, rss

from journal import interrupt
from journal.archive import Archive
from journal.interrupt import Interrupt, Interrupted
from journal.state import State

PAGES = 14


def served_pages(site: Site, seconds: float) -> list[str]:
    """Article pages that take `seconds` to answer; `site.done` lists the paths whose
    answer was sent in full, in order."""
    site.done = []  # type: ignore[attr-defined]
    lock = threading.Lock()

    def page(n: int) -> Page:
        body = article_html(f"Story {n}", [*PARAS, f"Story {n} is the {n}th of the day."]).encode()

        def handler(req: BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)
            reply(req, body)
            req.wfile.flush()
            with lock:
                site.done.append(req.path)  # type: ignore[attr-defined]

        return Page(b"", handler=handler)

    links = []
    for n in range(PAGES):
        site.pages[f"/story/{n}"] = page(n)
        links.append(site.url(f"/story/{n}"))
    return links


def committed_urls(archive: Path) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(archive), "log", "--format=%(trailers:key=Url,valueonly,separator=)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def ctrl_c(
    archive: Path, site: Site, after: int, *args: str, sig: signal.Signals = signal.SIGINT
) -> tuple[int, dict, str, list[str], float]:
    """Run `journal update` in a process group of its own, as a shell does; send SIGINT
    (or `sig`) to the group once `after` article pages were served. Returns the exit code, the
    JSON summary, stderr, the pages served before the signal, and the seconds the
    stop took."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", "--archive", str(archive), "update", "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(site.done) < after and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.01)
    served = list(site.done)  # type: ignore[attr-defined]
    os.killpg(proc.pid, sig)
    signalled = time.monotonic()
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"journal update did not stop within 20 s of Ctrl-C:\n{err}") from None
    took = time.monotonic() - signalled
    return proc.returncode, json.loads(out) if out.strip() else {}, err, served, took


def assert_stopped_cleanly(
    archive: Path, site: Site, code: int, summary: dict, err: str, served: list[str]
) -> None:
    assert code == 130, err
    assert summary["interrupted"] is True
    assert summary["totals"]["failed"] == 0, summary["failures"]
    assert summary["failures"] == []
    status = subprocess.run(
        ["git", "-C", str(archive), "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout == "", status.stdout
    committed = committed_urls(archive)
    for path in served:
        assert site.url(path) in committed, f"{path} was served before the signal but not committed"
    assert len(committed) == len(set(committed)) == summary["commits"]
    state = State.open(Archive.open(archive).state_dir)
    try:
        failures = state.db.execute("SELECT url, last_error FROM articles WHERE failures > 0").fetchall()
        feeds = state.db.execute("SELECT url, last_error FROM feeds WHERE failures > 0").fetchall()
    finally:
        state.close()
    assert failures == [] and feeds == []
    assert "Traceback" not in err


@pytest.mark.slow
@pytest.mark.parametrize("after", [1, 4, 8])
def test_ctrl_c_at_the_default_politeness_commits_what_was_fetched(
    site: Site, tmp_path: Path, after: int
) -> None:
    archive = tmp_path / "archive"
    cli = make_archive(archive, delay=1.0, per_host=2)
    links = served_pages(site, 0.2)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    code, summary, err, served, _ = ctrl_c(archive, site, after)
    assert_stopped_cleanly(archive, site, code, summary, err, served)
    # The pages still queued behind the host's politeness were never requested,
    # and the next run fetches them as usual.
    assert len(site.done) < PAGES  # type: ignore[attr-defined]
    again = cli.json("update")
    assert again["totals"]["failed"] == 0
    assert len(committed_urls(archive)) == PAGES


@pytest.mark.slow
@pytest.mark.parametrize("after", [2, 6, 10])
def test_ctrl_c_at_fast_settings_commits_what_was_fetched(site: Site, tmp_path: Path, after: int) -> None:
    archive = tmp_path / "archive"
    cli = make_archive(archive, per_host=6)
    links = served_pages(site, 0.3)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    code, summary, err, served, _ = ctrl_c(archive, site, after)
    assert_stopped_cleanly(archive, site, code, summary, err, served)
    assert "Ctrl-C" in err or "SIGINT" in err


@pytest.mark.slow
def test_a_second_ctrl_c_leaves_at_once_and_the_last_checkpoint_stands(site: Site, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    cli = make_archive(archive, per_host=6)
    links = served_pages(site, 0.3)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", "--archive", str(archive), "update"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(site.done) < 3 and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.01)
    # The second Ctrl-C is sent once the first has been heard (two signals sent together
    # can arrive as one), while the pages in flight are being waited for.
    lines: list[str] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    os.killpg(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + 20
    while not any("stopping" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=20)
    reader.join(timeout=5)
    err = "".join(lines)
    assert proc.returncode == 130, err
    assert "journal: interrupted" in err
    assert "Traceback" not in err
    git = ["git", "-C", str(archive)]
    assert subprocess.run([*git, "fsck", "--strict"], capture_output=True).returncode == 0
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    again = cli.json("update")
    assert again["totals"]["failed"] == 0
    assert len(committed_urls(archive)) == PAGES


@pytest.mark.slow
def test_sigterm_to_the_whole_process_group_stops_as_cleanly(site: Site, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    cli = make_archive(archive, per_host=6)
    links = served_pages(site, 0.3)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    code, summary, err, served, _ = ctrl_c(archive, site, 5, sig=signal.SIGTERM)
    assert_stopped_cleanly(archive, site, code, summary, err, served)
    assert "SIGTERM: stopping" in err


def test_a_stop_keeps_what_arrives_within_the_grace_and_drops_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(interrupt, "GRACE", 0.3)

    async def fetch(seconds: float) -> float:
        await asyncio.sleep(seconds)
        return seconds

    async def main() -> None:
        stop = Interrupt()
        quick = asyncio.ensure_future(stop.race(fetch(0.1)))
        slow = asyncio.ensure_future(stop.race(fetch(30)))
        await asyncio.sleep(0.01)
        stop.set()
        assert await quick == 0.1
        with pytest.raises(Interrupted):
            await slow
        with pytest.raises(Interrupted):
            await stop.race(fetch(0))  # after the stop, no fetch starts
        # A caller cancelled for its own reasons is not an interrupted fetch.
        other = Interrupt()
        caller = asyncio.ensure_future(other.race(fetch(30)))
        await asyncio.sleep(0.01)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller

    asyncio.run(main())


SPAWNER = """
import asyncio, signal, subprocess, sys, time
from journal.children import popen_apart
from journal.workers import ExtractorPool

heard = 0
def hear():
    global heard
    heard += 1

async def main():
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, hear)
    print("ready", flush=True)
    children = []
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        children.append(popen_apart(["sleep", "0.3"]))
        await asyncio.sleep(0)
    codes = sorted({child.wait() for child in children})
    pool = ExtractorPool(size=1)  # a worker forked in the storm is alive and answers
    words = await pool.page_text(b"<p>still here</p>", "text/html")  # WorkerDied if not
    pool.close()
    print(codes, heard > 0, type(words).__name__, flush=True)

asyncio.run(main())
"""


def test_children_are_out_of_reach_of_ctrl_c_from_their_first_instant(tmp_path: Path) -> None:
    """A child is in its parent's process group from its fork until it moves to its own:
    a Ctrl-C to the group in that moment must not kill it (a git fast-import halfway
    through a checkpoint). Ctrl-C storms a process that starts children all the while."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SPAWNER], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.005)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert out.strip() == "[0] True Page"
