"""The state database's batches: many small writes, few transactions, nothing durable lost."""

from __future__ import annotations

from pathlib import Path

import pytest

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
