"""The check schedule (DESIGN §5), driven by a clock, never by sleeping."""

from __future__ import annotations

import pytest

from journal import schedule
from journal.models import ScheduleSettings

MIN = 60.0
DAY = 86400.0
DEFAULT = ScheduleSettings()


def test_wait_sequence_starts_30_36_43_2_minutes() -> None:
    waits = schedule.waits(DEFAULT)
    assert [round(w / MIN, 4) for w in waits[:5]] == [30.0, 36.0, 43.2, 51.84, 62.208]


def test_retirement_when_the_wait_reaches_40_days() -> None:
    waits = schedule.waits(DEFAULT)
    assert len(waits) == 42
    assert waits[-1] < 40 * DAY <= waits[-1] * 1.2
    assert 215 * DAY < sum(waits) < 225 * DAY  # "about 220 days after the last change"


def test_a_new_version_resets_the_wait() -> None:
    step = schedule.after_check(0.0, 5 * DAY, DEFAULT)
    assert step.wait == 6 * DAY
    fresh = schedule.after_change(1000.0, DEFAULT)
    assert fresh.wait == 30 * MIN
    assert fresh.at == 1000.0 + 30 * MIN


def test_after_check_retires() -> None:
    nxt = schedule.after_check(0.0, 34 * DAY, DEFAULT)
    assert nxt.retired
    assert nxt.at is None


def test_settings_change_the_sequence() -> None:
    fast = ScheduleSettings(first_wait=60, backoff=2.0, retire_after=600)
    assert schedule.waits(fast) == [60, 120, 240, 480]


def test_resume_matches_checks_made_on_time() -> None:
    """reindex rebuilds the schedule as if every check since the last change ran on time."""
    t, wait = 0.0, None
    for _ in range(10):
        step = schedule.after_check(t, wait, DEFAULT) if wait else schedule.after_change(t, DEFAULT)
        assert step.at is not None
        t, wait = step.at, step.wait
    resumed = schedule.resume(0.0, t - 1, DEFAULT)
    assert resumed.at == pytest.approx(t)
    assert resumed.wait == pytest.approx(wait)
    assert schedule.resume(0.0, 300 * DAY, DEFAULT).retired


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("40d", 3456000), ("1.5h", 5400), ("90s", 90), ("90", 90), (45, 45)]
)
def test_parse_duration(text: str | int, seconds: float) -> None:
    assert schedule.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-5m", "m"])
def test_parse_duration_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        schedule.parse_duration(text)
