"""Well-known news outlets and their feeds (outlets.toml, data in the package): what
`journal source add NAME` takes when no feed URL is given, and the commented list in
the starter journal.toml."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Outlet:
    key: str  # the source name it is added under
    name: str
    feeds: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    note: str | None = None  # said when it is added (e.g. a news sitemap, not RSS)


def known() -> list[Outlet]:
    """Every outlet in the list, by source name."""
    data = tomllib.loads(resources.files("journal").joinpath("outlets.toml").read_text(encoding="utf-8"))
    return [
        Outlet(
            key=key,
            name=table["name"],
            feeds=tuple(table["feeds"]),
            exclude=tuple(table.get("exclude", ())),
            note=table.get("note"),
        )
        for key, table in sorted(data.items())
    ]


def find(key: str) -> Outlet | None:
    return next((o for o in known() if o.key == key), None)


def commented(outlets: list[Outlet]) -> str:
    """The outlets as journal.toml tables, commented out, for the starter file."""
    blocks = []
    for outlet in outlets:
        lines = [f"# [sources.{outlet.key}]   # {outlet.name}", f"# feeds = {_list(outlet.feeds)}"]
        if outlet.exclude:
            lines.append(f"# exclude = {_list(outlet.exclude)}")
        blocks.append("\n".join(lines))
    return "\n#\n".join(blocks) + "\n"


def _list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"
