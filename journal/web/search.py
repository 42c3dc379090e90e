"""/search and GET /api/search: the query language and filters of `journal search`
(journal.query, journal.search) over the app's search index, caught up with git first
when the archive moved (a pull, merged shards) and no updater is running."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from journal import query, search, searchindex
from journal.errors import BadQuery
from journal.history import Reader
from journal.web.views import Library, log

Flag = Annotated[
    bool, Query(description="Narrow to what versions wrote (added), took out (removed), or titles.")
]
Day = Annotated[str | None, Query(max_length=40, description="A date, YYYY-MM-DD (UTC), or an ISO time.")]


@dataclass(frozen=True)
class Params:
    """What the search form and the API take (the form's query string, as it is)."""

    q: Annotated[str, Query(max_length=1000, description='Words, "exact phrases", -left-out, a OR b.')] = ""
    added: Flag = False
    removed: Flag = False
    title: Flag = False
    source: Annotated[str | None, Query(max_length=40, description="Only this source.")] = None
    since: Day = None
    until: Day = None
    min_size: Annotated[
        str | None, Query(pattern="^(typo|minor|major)?$", description="Leave out smaller edits.")
    ] = None
    page: Annotated[int, Query(ge=1, le=100_000)] = 1

    def query_string(self) -> dict[str, str]:
        """The filters as the next and previous pages' links carry them (page aside)."""
        values = {
            "q": self.q,
            "source": self.source or "",
            "since": self.since or "",
            "until": self.until or "",
            "min_size": self.min_size or "",
        }
        values |= {name: "1" for name in ("added", "removed", "title") if getattr(self, name)}
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Outcome:
    params: Params
    results: search.Results | None  # None: nothing asked, or a problem
    problem: str | None = None  # a query or filter that cannot be read, for a person


def run(lib: Library, reader: Reader, params: Params, per_page: int) -> Outcome:
    """Call inside `lib.searching()`: the index has one connection."""
    if not params.q.strip():
        return Outcome(params, None)
    try:
        parsed = query.parse(params.q)
        chosen = search.filters(
            source=params.source,
            since=params.since,
            until=params.until,
            added=params.added,
            removed=params.removed,
            title=params.title,
            min_size=params.min_size,
        )
        searchindex.refresh(lib.index, reader.archive, lambda message: log.info("%s", message))
        key = ("search", lib.index.head, str(parsed), chosen, params.page, per_page)
        results = lib.remember(
            reader, key, lambda: search.search(lib.index, parsed, chosen, params.page, per_page)
        )
    except BadQuery as exc:
        return Outcome(params, None, str(exc))
    return Outcome(params, results)
