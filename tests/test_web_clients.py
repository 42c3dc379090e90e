"""`journal serve` against slow clients, many clients and costly pages: real sockets."""

from __future__ import annotations

import random
import re
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PARAS, Site, article_html, make_archive, rss, serving

from journal.archive import Archive
from journal.web.app import create_app
from journal.web.server import Limits

QUICK = Limits(header=1.0, body=1.5)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """One article whose one long paragraph (5,000 words) had one word in fifty edited."""
    rng = random.Random(11)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmno") for _ in range(rng.randint(2, 8))) for _ in range(2000)
    ]
    words = rng.choices(vocabulary, [1 / (n + 1) for n in range(len(vocabulary))], k=5000)
    edited = [w if i % 50 else "amended" for i, w in enumerate(words)]
    site = Site()
    try:
        cli = make_archive(tmp_path_factory.mktemp("clients") / "archive")
        story = site.put(
            "/long", article_html("A long story", [*PARAS[:2], " ".join(words).capitalize() + "."])
        )
        cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": story}])))
        cli("update")
        site.put("/long", article_html("A long story", [*PARAS[:2], " ".join(edited).capitalize() + "."]))
        cli("update", "--force")
    finally:
        site.close()
    return Archive.open(cli.archive)


@pytest.fixture(scope="module")
def base(archive: Archive) -> Iterator[str]:
    with serving(create_app(archive), QUICK) as url:
        yield url


def connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def closed_by_server(sock: socket.socket, drip: bytes, seconds: float) -> bool:
    """Send `drip` a byte at a time, 0.2 s apart, for up to `seconds`; whether the
    server hung up meanwhile."""
    sock.settimeout(0.2)
    deadline = time.monotonic() + seconds
    for byte in drip * 100:
        if time.monotonic() > deadline:
            return False
        try:
            sock.sendall(bytes([byte]))
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            return True
    return False


def test_a_client_dripping_its_headers_is_cut_off(base: str) -> None:
    with connect(base) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        assert closed_by_server(sock, b"X-Slow: a\r\n", seconds=8)


def test_a_client_dripping_its_body_is_cut_off(base: str) -> None:
    with connect(base) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        assert closed_by_server(sock, b"x", seconds=8)


def test_a_kept_alive_client_dripping_its_next_request_is_cut_off(base: str) -> None:
    with connect(base) as sock:
        sock.sendall(b"GET /static/journal.css HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        length = int(re.search(rb"content-length: (\d+)", answer, re.I).group(1))  # type: ignore[union-attr]
        body = answer.split(b"\r\n\r\n", 1)[1]
        while len(body) < length:
            body += sock.recv(65536)
        assert closed_by_server(sock, b"GET / HTTP/1.1\r\nX-Slow: a\r\n", seconds=8)


def test_a_costly_diff_does_not_hold_up_other_pages(archive: Archive, base: str) -> None:
    """The word diff of a 5,000-word paragraph took 9 s, on every diff page and on the
    front page (which shows what each change removed and added), for each request."""
    sid = re.search(
        r"/articles/([0-9a-f]{10})", urllib.request.urlopen(base + "/", timeout=60).read().decode()
    )
    assert sid is not None
    paths = [f"/articles/{sid.group(1)}/diff/1/2"] * 4 + ["/", f"/articles/{sid.group(1)}", "/feed.atom"]
    took: dict[str, float] = {}

    def fetch(n: int, path: str) -> None:
        started = time.monotonic()
        with urllib.request.urlopen(base + path, timeout=120) as answer:
            assert answer.status == 200
            body = answer.read().decode()
        if "diff" in path:
            assert body.count("amended") >= 90  # diffed word by word, not replaced whole
        took[f"{n} {path}"] = time.monotonic() - started

    threads = [threading.Thread(target=fetch, args=(n, path)) for n, path in enumerate(paths)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(took) == len(paths)
    assert max(took.values()) < 5, took  # generous: each took 9 s or more, and waited for the others


def test_journal_serve_at_its_file_limit_still_serves_while_slow_clients_crowd_it(archive: Archive) -> None:
    """With 256 file handles, 400 clients that never finish their request would leave
    no handle for anyone; the slowest are dropped to make room for a real request."""

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", "--archive", str(archive.root), "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limited,
    )
    crowd: list[socket.socket] = []
    try:
        assert proc.stderr is not None
        found = None
        for line in proc.stderr:
            found = re.search(r"running on (http://[\d.]+:\d+)", line)
            if found:
                break
        assert found is not None
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # never let its log block it
        base = found.group(1)
        host, port = base.removeprefix("http://").split(":")
        for _ in range(400):
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\nX-Slow: ")
            crowd.append(sock)
        time.sleep(1)  # the server has seen them all
        with urllib.request.urlopen(base + "/", timeout=20) as answer:
            assert answer.status == 200
    finally:
        for sock in crowd:
            sock.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_feed_links_use_the_configured_address_whatever_the_host_header(
    archive: Archive, tmp_path: Path
) -> None:
    from journal import config
    from journal.sources import commit_config

    root = tmp_path / "copy"
    subprocess.run(["git", "clone", "-q", str(archive.root), str(root)], check=True)
    clone = Archive.open(root)
    text = config.set_key(clone.read_config(), "journal", "feed_base_url", "https://news.example.org/")
    from datetime import UTC, datetime

    commit_config(clone, text, "journal: feed address", "", datetime.now(UTC))
    with serving(create_app(clone, address="http://127.0.0.1:8123")) as url:
        request = urllib.request.Request(url + "/feed.atom", headers={"Host": "attacker.example"})
        feed = urllib.request.urlopen(request, timeout=60).read().decode()
    assert "attacker.example" not in feed
    assert "127.0.0.1:8123" not in feed  # journal.toml names the public address
    assert "https://news.example.org/articles/" in feed
