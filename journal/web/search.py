"""Search over the current versions: titles from the state database, text with
`git grep` at HEAD. Neither scans history."""

from __future__ import annotations

import json
from dataclasses import dataclass

from journal.history import Reader
from journal.web.views import page_count

MAX_QUERY = 200  # characters


@dataclass(frozen=True)
class Hit:
    sid: str
    title: str
    source: str
    versions: int
    last_changed: float | None
    removed: bool
    in_title: bool


@dataclass(frozen=True)
class Results:
    query: str
    hits: tuple[Hit, ...]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def clean(query: str) -> str:
    """The query as searched: one line, no control characters, bounded."""
    text = "".join(c if c.isprintable() else " " for c in query)
    return " ".join(text.split())[:MAX_QUERY]


def search(reader: Reader, query: str, page: int, per_page: int) -> Results:
    """Articles whose title or current text holds `query` (any case): title matches
    first, then the most recently changed."""
    query = clean(query)
    if not query:
        return Results(query, (), page, per_page, 0)
    paths = json.dumps(reader.archive.grep(query))
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # One query joins both: the title LIKE and the paths git grep found (json_each keeps
    # the path list a single bound parameter, whatever its length).
    where = (
        "FROM articles WHERE path IS NOT NULL AND sid IS NOT NULL "
        "AND (title LIKE :like ESCAPE '\\' OR path IN (SELECT value FROM json_each(:paths)))"
    )
    params = {"like": pattern, "paths": paths, "limit": per_page, "offset": (page - 1) * per_page}
    db = reader.state.db
    total = int(db.execute(f"SELECT COUNT(*) {where}", params).fetchone()[0])
    rows = db.execute(
        "SELECT sid, title, source, versions, last_changed, removed, title LIKE :like ESCAPE '\\' "
        f"{where} ORDER BY 7 DESC, last_changed DESC LIMIT :limit OFFSET :offset",
        params,
    ).fetchall()
    hits = tuple(
        Hit(str(sid), str(title), str(source), int(versions), last, bool(removed), bool(in_title))
        for sid, title, source, versions, last, removed, in_title in rows
    )
    return Results(query, hits, page, per_page, total)
