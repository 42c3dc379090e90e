"""Search on the web: /search and GET /api/search over the archive of test_web (one
article edited twice, one taken down and back, one hostile), made by the real updater."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_web import HOSTILE, NOW, build_history, text_of

from journal.web import views
from journal.web.app import create_app


@dataclass
class World:
    client: TestClient
    talks: str  # edited twice: a new title, a paragraph edited, one removed; then one added
    gone: str  # taken down, then back with a paragraph added


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    archive = build_history(tmp_path_factory.mktemp("search") / "archive")
    with TestClient(create_app(archive, clock=lambda: NOW)) as client:
        ids = {a["title"]: a["id"] for a in client.get("/api/articles").json()["articles"]}
        yield World(client, ids["Talks resume after a year of silence"], ids["A story that comes and goes"])


def found(world: World, q: str, **params: Any) -> list[tuple[str, int]]:
    answer = world.client.get("/api/search", params={"q": q, "per_page": 100, **params})
    assert answer.status_code == 200, answer.text
    return [(hit["article"], hit["version"]) for hit in answer.json()["hits"]]


def test_search_finds_what_versions_wrote_and_took_out(world: World) -> None:
    talks, gone = world.talks, world.gone
    legitimacy = "lend legitimacy"  # in version 1 of the talks; its version 2 took it out
    assert found(world, legitimacy) == [(talks, 2), (talks, 1)]  # newest first
    assert found(world, legitimacy, removed=True) == [(talks, 2)]
    assert found(world, legitimacy, added=True) == [(talks, 1)]
    # An edited paragraph: the words it gained were added, the words it lost removed,
    # and the words it kept neither.
    assert found(world, '"two officials"', added=True) == [(talks, 2)]
    assert found(world, '"according to officials"', removed=True) == [(talks, 2)]
    assert (talks, 2) not in found(world, "familiar conversation", added=True)
    assert found(world, "familiar conversation", removed=True) == []
    # A paragraph back after a takedown is compared with the text before it.
    assert set(found(world, "Geneva", added=True)) == {(talks, 3), (gone, 2)}
    # Titles: the one a version gave, or (with removed) the one it replaced.
    assert found(world, "silence", title=True) == [(talks, 2)]
    assert found(world, "silence", title=True, removed=True) == []
    assert found(world, "year", title=True, removed=True) == []  # still in the new title


def test_search_covers_every_version_and_the_current_text_any_case(world: World) -> None:
    talks, gone = world.talks, world.gone
    # The current texts of both articles hold the words, and so did their first versions.
    assert set(found(world, "AIR Corridors")) == {(talks, 3), (talks, 1), (gone, 2), (gone, 1)}
    assert found(world, "OF SILENCE") == [(talks, 3), (talks, 2)]  # the title now, the title given
    assert set(found(world, "corridors -Geneva")) == {(talks, 1), (gone, 1)}
    assert set(found(world, "legitimacy OR Geneva")) == {(talks, 3), (talks, 2), (talks, 1), (gone, 2)}
    answer = world.client.get("/api/search", params={"q": "legitimacy", "removed": True}).json()
    (hit,) = answer["hits"]
    assert hit["html"] == f"/articles/{talks}/diff/1/2"
    assert (hit["previous"], hit["change"], hit["title"]) == (
        1,
        "edit",
        "Talks resume after a year of silence",
    )
    (snippet,) = hit["snippets"]
    assert snippet["field"] == "removed"
    assert "lend legitimacy to a military build-up" in snippet["text"]
    assert [snippet["text"][a:b] for a, b in snippet["marks"]] == ["legitimacy"]


def test_search_filters_and_pages(world: World) -> None:
    assert found(world, "corridors", source="daily") == found(world, "corridors")
    assert found(world, "corridors", since="2026-11-03") == []
    assert found(world, "corridors", until="2026-11-01") == []
    assert len(found(world, "corridors", since="2026-11-02", until="2026-11-02")) == 4
    pages = [
        world.client.get("/api/search", params={"q": "corridors", "per_page": 1, "page": n}).json()
        for n in (1, 4, 5)
    ]
    assert [len(p["hits"]) for p in pages] == [1, 1, 0]
    assert (pages[0]["more"], pages[0]["total"]) == (True, None)
    assert (pages[1]["more"], pages[1]["total"]) == (False, 4)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"q": "-talks"}, "at least one word"),
        ({"q": "--output=/tmp/x"}, "at least one word"),
        ({"q": "%"}, "Nothing to search for"),
        ({"q": "talks", "source": "nosuch"}, "No version in this archive comes from a source named"),
        ({"q": "talks", "since": "yesterday"}, "is not a date"),
        ({"q": "talks", "page": 41}, "Results stop at page 40"),
    ],
)
def test_queries_that_cannot_be_read_are_said_so(world: World, params: dict[str, Any], problem: str) -> None:
    api = world.client.get("/api/search", params=params)
    assert api.status_code == 400
    assert problem in api.json()["detail"]
    page = world.client.get("/search", params=params)
    assert page.status_code == 200
    assert problem in text_of(page.text)


def test_queries_that_look_like_syntax_are_words(world: World) -> None:
    for q in (
        "HEAD~1",
        "'; DROP TABLE articles; --",
        'NEAR("talks" "year")',
        "title:talks",
        "{title}: talks",
    ):
        assert found(world, q) == [], q  # read as words no article holds in a row
    assert found(world, "talks*") == found(world, "talks") != []  # no prefix search either
    assert found(world, "(talks)") == found(world, "talks")
    for q in ("_", "\\", "*", '""'):
        assert world.client.get("/api/search", params={"q": q}).status_code == 400, q


def test_search_page_marks_the_words_and_keeps_the_filters(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = world.client.get("/search", params={"q": "legitimacy", "removed": "1"})
    assert "<mark>legitimacy</mark>" in page.text
    assert f'href="/articles/{world.talks}/diff/1/2"' in page.text
    assert 'name="removed" value="1" checked' in page.text
    assert "1 version with “legitimacy”." in text_of(page.text)
    monkeypatch.setattr(views, "PER_PAGE", 1)
    first = world.client.get(
        "/search", params={"q": "corridors", "source": "daily", "since": "2026-11-02"}
    ).text
    assert 'rel="next" href="?q=corridors&amp;source=daily&amp;since=2026-11-02&amp;page=2"' in first
    second = world.client.get("/search", params={"q": "corridors", "page": 2}).text
    assert 'rel="prev"' in second and "Versions 2–2 with" in text_of(second)


def test_hostile_text_in_snippets_is_escaped(world: World) -> None:
    page = world.client.get("/search", params={"q": "script alert"}).text
    assert "<script" not in page.lower()
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)" in page
    assert HOSTILE not in page  # never raw
