"""The JSON API: articles, their versions, and the diff between two versions.

The response models below are the contract; FastAPI publishes them as OpenAPI at
/api/openapi.json.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from journal import commits, links
from journal.diff import Op
from journal.history import later
from journal.models import Change, Revision
from journal.state import ArticleRow
from journal.urls import SOURCE_NAME
from journal.web import search, views
from journal.web.deps import SID, library

router = APIRouter(prefix="/api", tags=["api"])

Version = Annotated[int, Path(ge=1, le=1_000_000, description="A version number (1 is the first).")]


class ArticleLinks(BaseModel):
    html: str = Field(description="The article's page.")
    versions: str = Field(description="Its versions, as JSON.")
    feed: str = Field(description="The Atom feed of its changes.")


class Article(BaseModel):
    """One tracked article, as the state database knows it."""

    id: str = Field(description="Short id (hex), stable for the life of the article.")
    source: str
    url: str = Field(description="The URL the article is fetched from.")
    path: str = Field(description="Its file in the archive: <source>/<YYYY>/<MM>/<slug>.md.")
    title: str
    versions: int = Field(description="Versions recorded (re-extractions not counted).")
    first_seen: str | None = Field(description="Time of version 1 (UTC, ISO 8601).")
    last_changed: str | None = Field(description="Time of the latest version or event.")
    removed: bool = Field(description="Taken down by its site (HTTP 404/410).")
    retired: bool = Field(description="True when it won't be checked again for changes.")
    links: ArticleLinks


class ArticleList(BaseModel):
    page: int
    per_page: int
    total: int = Field(description="Articles in the listing, over all pages.")
    articles: list[Article]


class VersionEntry(BaseModel):
    """One commit of the article's history: a version, or an event."""

    version: int
    change: Change
    time: str = Field(description="Fetch time (UTC, ISO 8601).")
    gap_seconds: float | None = Field(description="Seconds since the entry before (re-extractions skipped).")
    gap: str | None = Field(description='The gap for people: "(35 minutes later)".')
    summary: str = Field(description='What changed: "title changed; 1 paragraph removed".')
    change_size: str | None = Field(description="typo, minor or major (edits only).")
    words: str | None = Field(description='Words added and removed: "+5 -41".')
    commit: str = Field(description="The git commit of this entry.")
    html: str | None = Field(description="Its diff with the version before, or the version itself.")


class History(BaseModel):
    article: Article
    versions: list[VersionEntry]


class WordOp(BaseModel):
    kind: Literal["equal", "insert", "delete"]
    text: str


class DiffRow(BaseModel):
    """One row of the side-by-side diff; `ops` (word marks) only for `change` rows."""

    kind: Literal["equal", "insert", "delete", "change", "move-from", "move-to"]
    old: str | None = Field(description="The line of the older version, as in the file.")
    new: str | None = Field(description="The line of the newer version, as in the file.")
    caption: bool = Field(
        description="A photo caption line, `![text](media)`: its ops mark the caption's words."
    )
    ops: list[WordOp]


class FieldChange(BaseModel):
    name: str = Field(description="title, byline or published.")
    old: str
    new: str
    ops: list[WordOp]


class VersionRef(BaseModel):
    version: int
    time: str
    commit: str
    html: str


class DiffResult(BaseModel):
    article: str = Field(description="The article's id.")
    a: VersionRef
    b: VersionRef
    gap: str | None = Field(description='"(35 minutes later)" from a to b.')
    summary: str
    change_size: str = Field(description="typo, minor or major.")
    words: str
    fields: list[FieldChange] = Field(description="Title, byline and published date, when they changed.")
    rows: list[DiffRow] = Field(description="Paragraphs aligned: old and new side by side.")


class Problem(BaseModel):
    detail: str


class SnippetJSON(BaseModel):
    field: Literal["title", "added", "old title", "removed", "title now", "text now"] = Field(
        description="Where the words matched: the title a version gave or replaced, the lines it "
        "added or removed, or the article's current title or text."
    )
    text: str = Field(description="A piece of that field around the matching words.")
    marks: list[tuple[int, int]] = Field(description="[start, end) of each matching word in `text`.")


class SearchHit(BaseModel):
    """One version that matches."""

    article: str = Field(description="The article's id.")
    source: str
    title: str = Field(description="The article's current title.")
    version: int
    previous: int | None = Field(description="The version it was compared with (none for a first version).")
    change: Change
    size: str | None = Field(description="typo, minor or major (edits only).")
    time: str = Field(description="Fetch time of the version (UTC, ISO 8601).")
    commit: str
    taken_down: bool = Field(description="The site has since removed the article.")
    html: str = Field(description="Its diff with the version before (the version itself for a first one).")
    snippets: list[SnippetJSON]


class SearchResults(BaseModel):
    query: str = Field(description="The query as understood.")
    page: int
    per_page: int
    more: bool = Field(description="Another page follows.")
    total: int | None = Field(description="How many versions match, when this page reaches the end.")
    hits: list[SearchHit] = Field(description="Newest first.")


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such article, version or source."}
}


def article_json(row: ArticleRow) -> Article:
    sid = row.sid or ""
    return Article(
        id=sid,
        source=row.source,
        url=row.url,
        path=row.path or "",
        title=row.title,
        versions=row.versions,
        first_seen=_iso(row.first_seen),
        last_changed=_iso(row.last_changed),
        removed=bool(row.removed),
        retired=row.next_check is None,
        links=ArticleLinks(
            html=links.article("", sid),
            versions=f"/api/articles/{sid}/versions",
            feed=links.feed("", sid=sid),
        ),
    )


def _iso(seconds: float | None) -> str | None:
    moment = views.stamp(seconds)
    return commits.iso(moment) if moment else None


def _ops(ops: tuple[Op, ...]) -> list[WordOp]:
    return [WordOp(kind=op.kind, text=op.text) for op in ops]


@router.get("/articles", summary="Tracked articles, most recently changed first", responses=NOT_FOUND)
def list_articles(
    lib: Annotated[views.Library, Depends(library)],
    source: Annotated[
        str | None, Query(pattern=SOURCE_NAME.pattern, description="Only this source's articles.")
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ArticleList:
    with lib.reading() as reader:
        if source:
            views.known_source(reader, source)
        found = views.articles(reader, page, source=source, per_page=per_page)
    return ArticleList(
        page=page, per_page=per_page, total=found.total, articles=[article_json(r) for r in found.rows]
    )


@router.get(
    "/search",
    summary="Versions whose words match a query, newest first",
    responses={400: {"model": Problem, "description": "A query or filter that cannot be read."}},
)
def get_search(
    lib: Annotated[views.Library, Depends(library)],
    params: Annotated[search.Params, Depends()],
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
) -> SearchResults:
    with lib.searching(), lib.reading() as reader:
        found = search.run(lib, reader, params, per_page)
    if found.results is None:
        raise HTTPException(400, found.problem or "Give a query: ?q=words.")
    r = found.results
    return SearchResults(
        query=str(r.query),
        page=r.page,
        per_page=r.per_page,
        more=r.more,
        total=r.total,
        hits=[
            SearchHit(
                article=hit.sid,
                source=hit.source,
                title=hit.title,
                version=hit.version,
                previous=hit.previous,
                change=hit.change,
                size=hit.size,
                time=commits.iso(hit.time),
                commit=hit.commit,
                taken_down=hit.taken_down,
                html=hit.href,
                snippets=[
                    SnippetJSON(field=sn.field, text=sn.plain(), marks=sn.marks()) for sn in hit.snippets
                ],
            )
            for hit in r.hits
        ],
    )


@router.get("/articles/{sid}", summary="One article", responses=NOT_FOUND)
def get_article(lib: Annotated[views.Library, Depends(library)], sid: SID) -> Article:
    with lib.reading() as reader:
        return article_json(views.article(reader, sid))


@router.get(
    "/articles/{sid}/versions",
    summary="Every version and event of an article, oldest first",
    responses=NOT_FOUND,
)
def get_versions(lib: Annotated[views.Library, Depends(library)], sid: SID) -> History:
    with lib.reading() as reader:
        page = views.article_page(reader, sid)
    return History(
        article=article_json(page.row),
        versions=[
            VersionEntry(
                version=line.revision.version,
                change=line.revision.change,
                time=commits.iso(line.revision.time),
                gap_seconds=line.entry.gap,
                gap=line.gap,
                summary=line.summary,
                change_size=line.revision.change_size if line.revision.change is Change.EDIT else None,
                words=line.revision.words,
                commit=line.revision.commit,
                html=line.href,
            )
            for line in page.lines
        ],
    )


@router.get(
    "/articles/{sid}/diff/{a}/{b}",
    summary="The diff between versions a and b: aligned paragraphs with word marks",
    responses=NOT_FOUND,
)
def get_diff(lib: Annotated[views.Library, Depends(library)], sid: SID, a: Version, b: Version) -> DiffResult:
    with lib.reading() as reader:
        page = views.diff_page(reader, sid, a, b)
    delta, sid = page.delta, page.row.sid or ""
    seconds = (page.new.time - page.old.time).total_seconds()
    return DiffResult(
        article=sid,
        a=_ref(sid, page.old.version, page.old),
        b=_ref(sid, page.new.version, page.new),
        gap=later(seconds) if seconds > 0 else None,
        summary=delta.summary(),
        change_size=delta.size(),
        words=delta.words(),
        fields=[FieldChange(name=f.name, old=f.old, new=f.new, ops=_ops(f.ops)) for f in delta.fields],
        rows=[
            DiffRow(kind=r.kind, old=r.old, new=r.new, caption=r.caption, ops=_ops(r.ops)) for r in delta.rows
        ],
    )


def _ref(sid: str, number: int, revision: Revision) -> VersionRef:
    return VersionRef(
        version=number,
        time=commits.iso(revision.time),
        commit=revision.commit,
        html=links.version("", sid, number),
    )
