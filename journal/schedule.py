"""When to check an article again (DESIGN §5). Pure functions of times and settings.

A new article is checked at once. After a check with no change the wait is
`first_wait`, then the previous wait × `backoff`; a new version resets it. When the
wait would reach `retire_after` the article is retired: never checked again.
With the defaults that is 42 checks spread over ~220 days after the last change.
"""

from __future__ import annotations

from dataclasses import dataclass

from journal.models import ScheduleSettings


@dataclass(frozen=True)
class Next:
    """The outcome of a check: the wait now in force and the next check (None: retired)."""

    wait: float
    at: float | None

    @property
    def retired(self) -> bool:
        return self.at is None


def after_change(now: float, settings: ScheduleSettings) -> Next:
    """A new version was recorded: start the backoff again."""
    return Next(settings.first_wait, now + settings.first_wait)


def after_check(now: float, wait: float | None, settings: ScheduleSettings) -> Next:
    """A check found no change (or failed transiently): wait longer."""
    new_wait = settings.first_wait if wait is None else wait * settings.backoff
    if new_wait >= settings.retire_after:
        return Next(new_wait, None)
    return Next(new_wait, now + new_wait)


def resume(last_changed: float, now: float, settings: ScheduleSettings) -> Next:
    """The schedule an article would have if every check since `last_changed` ran on time.

    Used by reindex, where only git history is known.
    """
    at, wait = last_changed + settings.first_wait, settings.first_wait
    while at <= now:
        wait *= settings.backoff
        if wait >= settings.retire_after:
            return Next(wait, None)
        at += wait
    return Next(wait, at)


def waits(settings: ScheduleSettings) -> list[float]:
    """Every wait from a change to retirement (for docs and tests)."""
    out, step = [], after_check(0.0, None, settings)
    while not step.retired:
        out.append(step.wait)
        step = after_check(0.0, step.wait, settings)
    return out


def parse_duration(text: str | float | int) -> float:
    """'30m', '40d', '1.5h', '90s', or a number of seconds, as seconds."""
    if isinstance(text, int | float):
        return float(text)
    value = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    unit = units.get(value[-1:]) if value else None
    number = value[:-1] if unit else value
    try:
        seconds = float(number) * (unit or 1)
    except ValueError as exc:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 12h, 40d)") from exc
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {text!r}")
    return seconds


def human(seconds: float) -> str:
    """A short duration for people: '35 minutes', '2 hours', '40 days'."""
    seconds = abs(seconds)
    for size, name in ((86400 * 365, "year"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {name}{'s' if n != 1 else ''}"
    n = int(seconds)
    return f"{n} second{'s' if n != 1 else ''}"
