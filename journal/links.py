"""The URLs of `journal serve`, shared by the web app and the Atom feeds that link to it."""

from __future__ import annotations

from urllib.parse import quote


def article(base: str, sid: str) -> str:
    return f"{base}/articles/{quote(sid)}"


def version(base: str, sid: str, number: int) -> str:
    return f"{base}/articles/{quote(sid)}/versions/{number}"


def diff(base: str, sid: str, a: int, b: int) -> str:
    return f"{base}/articles/{quote(sid)}/diff/{a}/{b}"


def source(base: str, name: str) -> str:
    return f"{base}/sources/{quote(name)}"


def feed(base: str, *, source: str | None = None, sid: str | None = None) -> str:
    if sid:
        return f"{base}/articles/{quote(sid)}/feed.atom"
    if source:
        return f"{base}/sources/{quote(source)}/feed.atom"
    return f"{base}/feed.atom"
