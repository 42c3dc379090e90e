"""The state database's batches: many small writes, few transactions, nothing durable lost."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, rss

from journal.state import State


def seen_by_a_reader(state_dir: Path) -> set[str]:
    reader = State.open(state_dir)
    try:
        return {row.url for row in reader.due("news", float("inf"), 100)}
    finally:
        reader.close()


def test_a_batch_is_seen_by_readers_only_when_committed(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    with state.batch():
        state.add_article("news", "https://e.test/1", 0.0)
        assert seen_by_a_reader(tmp_path) == set()  # readers see the last commit
        state.commit()
        assert seen_by_a_reader(tmp_path) == {"https://e.test/1"}
        state.add_article("news", "https://e.test/2", 0.0)
        assert seen_by_a_reader(tmp_path) == {"https://e.test/1"}
    assert seen_by_a_reader(tmp_path) == {"https://e.test/1", "https://e.test/2"}


def failing_step(state: State) -> None:
    with state.transaction():
        state.add_article("news", "https://e.test/undone", 0.0)
        raise RuntimeError("the checkpoint failed")


def test_a_transaction_in_a_batch_is_durable_at_its_end_or_undone_alone(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    with state.batch():
        state.add_article("news", "https://e.test/before", 0.0)
        with state.transaction():
            state.add_article("news", "https://e.test/versioned", 0.0)
        assert seen_by_a_reader(tmp_path) == {"https://e.test/before", "https://e.test/versioned"}
        state.add_article("news", "https://e.test/kept", 0.0)
        with pytest.raises(RuntimeError):
            failing_step(state)
    assert seen_by_a_reader(tmp_path) == {
        "https://e.test/before",
        "https://e.test/versioned",
        "https://e.test/kept",
    }


# -- a damaged state file ------------------------------------------------------------------


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bad_header(data: bytes) -> bytes:
    return b"this is no database!" + data[20:]


def _garbage_in_the_middle(data: bytes) -> bytes:
    middle = len(data) // 2 // 4096 * 4096
    noise = random.Random(5).randbytes(8192)
    return data[:middle] + noise + data[middle + len(noise) :]


@pytest.fixture
def recorded(site: Site, cli: Cli) -> Cli:
    links = [site.put(f"/story/{i}", article_html(f"Story {i}", PARAS)) for i in range(40)]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    cli("update")
    return cli


def _damage(cli: Cli, how: Callable[[bytes], bytes]) -> Path:
    path = cli.archive / ".git" / "journal" / "state.sqlite"
    assert not path.with_name("state.sqlite-wal").exists()  # every connection closed: all in the file
    path.write_bytes(how(path.read_bytes()))
    return path


@pytest.mark.parametrize("how", [_truncate, _bad_header, _garbage_in_the_middle])
@pytest.mark.parametrize("command", [["status"], ["update"], ["reindex"], ["articles"]], ids=" ".join)
def test_a_damaged_state_is_moved_aside_and_rebuilt_from_git(
    recorded: Cli, how: Callable[[bytes], bytes], command: list[str]
) -> None:
    path = _damage(recorded, how)
    damaged = path.read_bytes()
    result = recorded(*command)
    assert "was damaged" in result.stderr
    assert "rebuilding it from git history" in result.stderr
    aside = list(path.parent.glob("state.sqlite.corrupt-*"))
    assert [p.read_bytes() for p in aside if not p.name.endswith(("-wal", "-shm"))] == [damaged]
    listed = recorded.json("articles")
    assert len(listed) == 40
    assert {a["versions"] for a in listed} == {1}
    assert "was damaged" not in recorded("status").stderr  # once only
