"""`journal serve`: every page, feed and API endpoint over HTTP, on a real archive made by
the real updater from a local site, with a fixed clock."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from conftest import PARAS, Site, article_html, make_archive, rss
from fastapi.testclient import TestClient

from journal import update
from journal.archive import Archive
from journal.lock import WriterLock
from journal.state import State
from journal.web.app import create_app

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC).timestamp()
NOW = T0 + 2 * 3600 + 20 * 60
ADDRESS = "http://journal.test:8000"  # where the server was started: feeds link there
HOSTILE = "<script>alert(1)</script> \"Quoted\" & 'single' story"
ADDED = "A new paragraph says the talks will resume in Geneva next month."
SNEAKY = 'An image <img src=x onerror="window.pwned = 1"> and a link <a href="javascript:alert(4)">here</a>.'


@dataclass
class World:
    archive: Path
    client: TestClient
    talks: str  # sid of the article edited twice
    gone: str  # sid of the article taken down and back
    hostile: str  # sid of the article with hostile text (retired)


def _sid(client: TestClient, title: str) -> str:
    for item in client.get("/api/articles?per_page=500").json()["articles"]:
        if item["title"] == title:
            return str(item["id"])
    raise AssertionError(f"no article titled {title!r}")


def build_history(root: Path) -> Archive:
    """Three articles over two hours: one edited twice (a new title, a paragraph deleted, a
    word changed, then a paragraph moved and one added), one taken down and back, one
    whose title and text are hostile."""
    site = Site()
    try:
        cli = make_archive(root)
        talks = site.put("/talks", article_html("Talks resume after a year", PARAS))
        gone = site.put("/gone", article_html("A story that comes and goes", PARAS[:4]))
        hostile = site.put(
            "/hostile",
            article_html(
                HOSTILE,
                [
                    *PARAS[:3],
                    'A paragraph with <script>alert(2)</script> and "quotes" & <b>tags</b>.',
                    SNEAKY,
                ],
                canonical="javascript:alert(3)",
            ),
        )
        cli(
            "source",
            "add",
            "daily",
            site.put("/feed.xml", rss([{"link": talks}, {"link": gone}, {"link": hostile}])),
        )
        archive = Archive.open(root)
        update.run(archive, update.Options(), clock=lambda: T0)
        edited = [
            PARAS[0],
            PARAS[1].replace("according to officials", "according to two officials"),
            *PARAS[2:4],
            PARAS[5],
        ]
        site.put("/talks", article_html("Talks resume after a year of silence", edited))
        site.put("/gone", "gone", status=410)
        update.run(archive, update.Options(force=True), clock=lambda: T0 + 35 * 60)
        site.put(
            "/talks", article_html("Talks resume after a year of silence", [edited[-1], *edited[:-1], ADDED])
        )
        site.put("/gone", article_html("A story that comes and goes", [*PARAS[:4], ADDED]))
        update.run(archive, update.Options(force=True), clock=lambda: T0 + 2 * 3600)
    finally:
        site.close()
    return archive


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("web") / "archive"
    archive = build_history(root)
    client = TestClient(create_app(archive, clock=lambda: NOW, address=ADDRESS))
    with client:
        world = World(
            root,
            client,
            _sid(client, "Talks resume after a year of silence"),
            _sid(client, "A story that comes and goes"),
            _sid(client, HOSTILE),
        )
        state = State.open(archive.state_dir)  # the hostile story has reached the end of its schedule
        row = state.articles_by_sid_prefix(world.hostile)[0]
        row.next_check = None
        state.save(row)
        state.close()
        yield world


def text_of(body: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


# -- pages ----------------------------------------------------------------------------------


def test_article_page_reads_like_newssniffer(world: World) -> None:
    page = world.client.get(f"/articles/{world.talks}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = text_of(page.text)
    assert "Talks resume after a year of silence" in text
    assert (
        "This article is from the source 'daily' and was first published or seen on 2 November 2026, 09:30 UTC."
        in text
    )
    assert "It last changed 20 minutes ago and will be checked again in 10 minutes." in text
    assert "The article has changed 2 times." in text
    assert "There is an Atom feed of changes available." in text
    assert f'href="/articles/{world.talks}/feed.atom"' in page.text
    # The versions, each linking the diff with its predecessor, with gaps and sizes.
    assert f'href="/articles/{world.talks}/versions/1">Version 1</a>' in page.text
    assert f'href="/articles/{world.talks}/diff/1/2">Version 2</a>' in page.text
    assert f'href="/articles/{world.talks}/diff/2/3">Version 3</a>' in page.text
    assert "(35 minutes later)" in text
    assert "(1 hour later)" in text
    assert "title changed" in text
    assert re.search(r'class="size size-(minor|major)"', page.text)
    # The latest text, and the original's address as a link.
    assert ADDED in text
    assert "By Jane Reporter" in text
    assert PARAS[4] not in text
    assert 'class="original" href="http://127.0.0.1:' in page.text


def test_article_page_shows_removal_and_return_for_what_they_are(world: World) -> None:
    text = text_of(world.client.get(f"/articles/{world.gone}").text)
    assert "Removed 2 Nov 2026, 10:05 UTC (35 minutes later) removed: the page answered HTTP 410" in text
    assert "restored" in text
    assert "back after removal" in text
    assert "The article has changed 1 time." in text


def test_retired_article_wont_be_checked_again(world: World) -> None:
    text = text_of(world.client.get(f"/articles/{world.hostile}").text)
    assert "won't be checked again for changes." in text
    assert "The article has not changed since it was first seen." in text


def test_diff_page_is_side_by_side_with_marks_and_moves(world: World) -> None:
    page = world.client.get(f"/articles/{world.talks}/diff/1/2")
    assert page.status_code == 200
    body, text = page.text, text_of(page.text)
    assert "Version 1" in text and "Version 2" in text
    assert "(35 minutes later)" in text
    # The deleted paragraph is marked as deleted; an edited word as inserted.
    assert f"<del>{html.escape(PARAS[4])}</del>" in body
    assert '<tr class="delete">' in body
    assert "<ins>two </ins>" in body
    # The title change is shown word by word.
    assert '<tr class="field field-title">' in body
    assert "<ins> of silence</ins>" in body
    # Links to the neighbouring changes and pickers for any pair, without JavaScript.
    assert f'href="/articles/{world.talks}/diff/2/3">Next change' in body
    assert 'rel="prev"' not in body
    assert f'<form class="pick" action="/articles/{world.talks}/diff" method="get">' in body
    assert body.count('<option value="3"') == 2
    assert "<script" not in body

    moved = world.client.get(f"/articles/{world.talks}/diff/2/3").text
    assert '<tr class="move-from">' in moved and '<tr class="move-to">' in moved
    assert f"<ins>{html.escape(ADDED)}</ins>" in moved
    assert f'href="/articles/{world.talks}/diff/1/2">← Previous change' in moved
    assert "(1 hour later)" in text_of(moved)


def test_version_pickers_answer_with_the_diff_address(world: World) -> None:
    answer = world.client.get(f"/articles/{world.talks}/diff?a=1&b=3", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/articles/{world.talks}/diff/1/3"
    page = world.client.get(answer.headers["location"])
    assert page.status_code == 200
    assert 'rel="prev"' not in page.text and 'rel="next"' not in page.text


def test_version_page_shows_one_text(world: World) -> None:
    page = world.client.get(f"/articles/{world.talks}/versions/1")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Version 1 of 3" in text
    assert "Talks resume after a year" in text
    assert PARAS[4] in text
    assert ADDED not in text
    assert f'href="/articles/{world.talks}/versions/2"' in page.text


def test_front_page_lists_recent_changes_sources_and_most_edited(world: World) -> None:
    page = world.client.get("/")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Recent changes" in text
    assert "3 articles with 6 versions from 1 source." in text
    assert f'href="/articles/{world.talks}/diff/2/3"' in page.text
    assert "Talks resume after a year of silence" in text
    assert "new article" in text and "taken down" in text
    assert 'href="/sources/daily"' in page.text
    edited = page.text.split("Most edited", 1)[1]
    assert edited.index(f"/articles/{world.talks}") < edited.index(f"/articles/{world.hostile}")
    # Paged with ?page=: the second page of a small archive is empty but says where it is.
    second = world.client.get("/?page=2")
    assert second.status_code == 200
    assert "No changes recorded yet." in second.text
    assert 'rel="prev" href="?page=1"' in second.text


def test_source_page_lists_changes_and_articles(world: World) -> None:
    page = world.client.get("/sources/daily")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "3 articles with 6 versions" in text
    assert "Talks resume after a year of silence" in text
    assert 'href="/sources/daily/feed.atom"' in page.text


def test_hostile_text_is_escaped_and_links_are_inert(world: World) -> None:
    pages = [
        "/",
        f"/articles/{world.hostile}",
        f"/articles/{world.hostile}/versions/1",
        f"/articles/{world.hostile}/diff/1/1",
        "/sources/daily",
        "/search?q=script",
    ]
    for path in pages:
        body = world.client.get(path).text
        assert "<script" not in body.lower() and "<img" not in body.lower(), path
        assert not re.search(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", body, re.IGNORECASE), path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path
    article = world.client.get(f"/articles/{world.hostile}").text
    assert (
        "&lt;script&gt;alert(2)&lt;/script&gt; and &#34;quotes&#34; &amp; &lt;b&gt;tags&lt;/b&gt;" in article
    )
    title = re.search(r"<title>(.*?)</title>", article)
    assert title is not None and "<" not in title.group(1)
    # In attributes too (the feed link's title in the page head).
    assert 'title="Changes to “&lt;script&gt;alert(1)&lt;/script&gt; &#34;Quoted&#34;' in article


@pytest.mark.parametrize(
    "path",
    [
        "/articles/ffffffffff",
        "/articles/XYZ",
        "/articles/abc",  # too short for an id
        "/articles/HEAD~1",
        "/articles/..%2F..%2Fetc%2Fpasswd",
        "/articles/%2e%2e",
        "/articles/{talks}/versions/9",
        "/articles/{talks}/versions/0",
        "/articles/{talks}/versions/HEAD~1",
        "/articles/{talks}/versions/1..2",
        "/articles/{talks}/versions/-1",
        "/articles/{talks}/diff/1/9",
        "/articles/{talks}/diff/HEAD/1",
        "/articles/{talks}/diff/1/2%3Bls",
        "/articles/{talks}/feed.atom/x",
        "/articles/ffffffffff/feed.atom",
        "/sources/nosuch",
        "/sources/NoSuch",
        "/sources/..%2Fdaily",
        "/sources/nosuch/feed.atom",
        "/no/such/page",
    ],
)
def test_unknown_and_malformed_addresses_are_404_pages(world: World, path: str) -> None:
    page = world.client.get(path.format(talks=world.talks))
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    assert "Traceback" not in page.text
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/ffffffffff",
        "/api/articles/HEAD~1/versions",
        "/api/articles/ffffffffff/versions",
        "/api/articles/{talks}/diff/1/9",
        "/api/articles/{talks}/diff/x/1",
        "/api/articles?source=nosuch",
        "/api/nothing",
    ],
)
def test_api_404s_are_json(world: World, path: str) -> None:
    answer = world.client.get(path.format(talks=world.talks))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/json"
    assert isinstance(answer.json()["detail"], str)


def test_bad_query_values_are_400_pages_and_422_in_the_api(world: World) -> None:
    for path in ("/?page=0", "/?page=abc", "/search?page=-1", "/feed.atom?min_size=huge"):
        page = world.client.get(path)
        assert page.status_code == 400, path
        assert "Bad request" in page.text
    assert world.client.get("/api/articles?per_page=100000").status_code == 422


def test_pages_carry_security_headers_and_feed_links(world: World) -> None:
    for path in ("/", f"/articles/{world.talks}", "/static/journal.css", "/feed.atom", "/api/articles"):
        answer = world.client.get(path)
        assert answer.status_code == 200, path
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'none'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["server-timing"].startswith("app;dur=")
    head = world.client.get(f"/articles/{world.talks}").text.split("</head>", 1)[0]
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Changes to “Talks resume after a year of silence”" href="/articles/{world.talks}/feed.atom">'
        in head
    )
    assert '<link rel="stylesheet" href="/static/journal.css">' in head
    assert "http" not in head  # nothing loaded from elsewhere


def test_no_page_loads_anything_from_another_origin(world: World) -> None:
    css = world.client.get("/static/journal.css").text
    assert "url(" not in css and "@import" not in css
    for path in ("/", f"/articles/{world.talks}", f"/articles/{world.talks}/diff/1/2", "/search?q=talks"):
        body = world.client.get(path).text
        assert "<script" not in body
        for ref in re.findall(
            r'<(?:link|img|iframe|source|embed|object)\b[^>]*?(?:src|href)="([^"]*)"', body
        ):
            assert ref.startswith("/"), (path, ref)
        for anchor in re.findall(r'<a\b[^>]*href="https?:[^"]*"[^>]*>', body):
            assert 'rel="noopener noreferrer nofollow"' in anchor, (path, anchor)


def test_feeds_are_valid_atom_linking_this_server(world: World) -> None:
    for path in ("/feed.atom", "/sources/daily/feed.atom", f"/articles/{world.talks}/feed.atom"):
        answer = world.client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(answer.content)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.entries
        for entry in parsed.entries:
            assert entry.link.startswith(f"{ADDRESS}/articles/"), entry.link
    talks = feedparser.parse(world.client.get(f"/articles/{world.talks}/feed.atom").content)
    assert [e.link for e in talks.entries][:2] == [
        f"{ADDRESS}/articles/{world.talks}/diff/2/3",
        f"{ADDRESS}/articles/{world.talks}/diff/1/2",
    ]
    forged = world.client.get("/feed.atom", headers={"Host": "attacker.example"})
    assert b"attacker.example" not in forged.content  # the Host header names nothing
    hostile = feedparser.parse(world.client.get(f"/articles/{world.hostile}/feed.atom").content)
    assert hostile.entries[0].title.startswith("<script>alert(1)</script>")
    majors = feedparser.parse(world.client.get("/feed.atom?min_size=major").content)
    assert len(majors.entries) < len(feedparser.parse(world.client.get("/feed.atom").content).entries)


# -- the JSON API -------------------------------------------------------------------------------


def test_api_lists_articles_paged_and_by_source(world: World) -> None:
    data = world.client.get("/api/articles", params={"per_page": 2}).json()
    assert data["total"] == 3 and data["page"] == 1 and data["per_page"] == 2
    assert len(data["articles"]) == 2
    first = data["articles"][0]
    assert set(first) >= {"id", "source", "url", "path", "title", "versions", "first_seen", "last_changed"}
    assert first["links"]["html"] == f"/articles/{first['id']}"
    rest = world.client.get("/api/articles", params={"per_page": 2, "page": 2}).json()
    assert len(rest["articles"]) == 1
    assert world.client.get("/api/articles?source=daily").json()["total"] == 3
    one = world.client.get(f"/api/articles/{world.talks}").json()
    assert one["versions"] == 3 and one["title"] == "Talks resume after a year of silence"


def test_api_versions(world: World) -> None:
    data = world.client.get(f"/api/articles/{world.talks}/versions").json()
    assert data["article"]["id"] == world.talks
    versions = data["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["change"] for v in versions] == ["new", "edit", "edit"]
    assert versions[1]["gap"] == "(35 minutes later)"
    assert versions[1]["gap_seconds"] == 35 * 60
    assert versions[1]["time"] == "2026-11-02T10:05:00Z"
    assert versions[1]["change_size"] in ("minor", "major")
    assert versions[1]["html"] == f"/articles/{world.talks}/diff/1/2"
    assert re.fullmatch(r"[0-9a-f]{40}", versions[0]["commit"])
    gone = world.client.get(f"/api/articles/{world.gone}/versions").json()["versions"]
    assert [v["change"] for v in gone] == ["new", "removed", "restored"]


def test_api_diff_rows_and_fields(world: World) -> None:
    data = world.client.get(f"/api/articles/{world.talks}/diff/1/2").json()
    assert data["article"] == world.talks
    assert data["a"]["version"] == 1 and data["b"]["version"] == 2
    assert data["gap"] == "(35 minutes later)"
    assert data["fields"][0]["name"] == "title"
    assert {"kind": "insert", "text": " of silence"} in data["fields"][0]["ops"]
    kinds = [row["kind"] for row in data["rows"]]
    assert "delete" in kinds and "change" in kinds
    deleted = next(row for row in data["rows"] if row["kind"] == "delete")
    assert deleted == {"kind": "delete", "old": PARAS[4], "new": None, "caption": False, "ops": []}
    assert data["summary"].startswith("title changed")


def test_openapi_schema_documents_the_api(world: World) -> None:
    schema = world.client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/articles",
        "/api/articles/{sid}",
        "/api/articles/{sid}/versions",
        "/api/articles/{sid}/diff/{a}/{b}",
    ):
        assert paths[path]["get"]["summary"], path
        assert "404" in paths[path]["get"]["responses"]
    assert not any(p.startswith(("/articles", "/sources", "/search", "/feed")) for p in paths)
    schemas = schema["components"]["schemas"]
    assert {"Article", "ArticleList", "History", "DiffResult", "DiffRow"} <= set(schemas)
    assert world.client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


# -- serving -----------------------------------------------------------------------------------


def test_web_app_does_not_import_the_fetch_stack() -> None:
    code = (
        "import sys, journal.web.app; "
        "print([m for m in ('trafilatura', 'httpx', 'feedparser', 'aiohttp', 'journal.update', "
        "'journal.fetch', 'journal.extract') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_journal_serve_binds_loopback_and_answers_while_an_update_holds_the_lock(world: World) -> None:
    archive = Archive.open(world.archive)
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", "--archive", str(world.archive), "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        base = None
        for line in proc.stderr:
            found = re.search(r"running on (http://[\d.]+:\d+)", line)
            if found:
                base = found.group(1)
                break
        assert base is not None and base.startswith("http://127.0.0.1:")
        with WriterLock(archive.state_dir):  # as `journal update` holds it
            paths = ["/", f"/articles/{world.talks}", f"/articles/{world.talks}/diff/1/2", "/feed.atom"]
            errors: list[str] = []

            def fetch(worker: int) -> None:
                for i in range(12):
                    path = paths[(worker + i) % len(paths)]
                    with urllib.request.urlopen(base + path, timeout=30) as answer:
                        status, body = answer.status, answer.read().decode()
                    if status != 200 or (
                        "diff" in path and f"<del>{html.escape(PARAS[4])}</del>" not in body
                    ):
                        errors.append(f"{path}: {status}")

            threads = [threading.Thread(target=fetch, args=(n,)) for n in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_long_read_does_not_hold_up_other_requests(world: World) -> None:
    library = world.client.app.state.library
    answers: list[int] = []
    with library.reading():  # one reader busy, as with a long `git log`
        asking = threading.Thread(
            target=lambda: answers.append(world.client.get(f"/articles/{world.talks}").status_code),
            daemon=True,
        )
        asking.start()
        asking.join(timeout=60)
        assert answers == [200], "a request waited for another request's reader"


def test_a_fresh_clone_is_served_after_building_its_index(world: World, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(world.archive), str(clone)], check=True)
    with TestClient(create_app(Archive.open(clone), clock=lambda: NOW)) as client:
        page = client.get(f"/articles/{world.talks}")
        assert page.status_code == 200
        assert "The article has changed 2 times." in text_of(page.text)
        listed = client.get("/api/articles").json()
        assert listed["total"] == 3
        assert json.dumps(listed)  # plain JSON all the way down


def test_lists_show_a_new_version_as_soon_as_it_is_recorded(site: Site, tmp_path: Path) -> None:
    cli = make_archive(tmp_path / "archive")
    story = site.put("/story", article_html("A quiet morning", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": story}])))
    archive = Archive.open(cli.archive)
    update.run(archive, update.Options(), clock=lambda: T0)
    with TestClient(create_app(archive, clock=lambda: NOW)) as client:
        for path in ("/", "/sources/daily", "/search?q=quiet"):
            assert "A quiet morning" in client.get(path).text
        assert "0 versions with" in text_of(client.get("/search?q=busy").text)
        site.put("/story", article_html("A busy afternoon", PARAS[:5]))
        update.run(archive, update.Options(force=True), clock=lambda: T0 + 3600)
        for path in ("/", "/sources/daily"):
            text = text_of(client.get(path).text)
            assert "version 2" in text and "A busy afternoon" in text, path
        busy = client.get("/search?q=busy").text
        assert "A busy afternoon" in busy and "/diff/1/2" in busy  # the version that gave the title
        # Version 1 gave the old title and version 2 replaced it; nothing says it now.
        assert "2 versions with" in text_of(client.get("/search?q=quiet").text)
        assert "1 article with 2 versions" in text_of(client.get("/").text)


def test_head_is_answered_like_get_without_a_body(world: World) -> None:
    for path in (
        "/",
        f"/articles/{world.talks}",
        f"/articles/{world.talks}/diff/1/2",
        "/feed.atom",
        "/static/journal.css",
        "/api/articles",
        "/articles/ffffffffff",
    ):
        got, head = world.client.get(path), world.client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == str(len(got.content)), path
        assert head.headers["cache-control"] == got.headers["cache-control"]


def test_pages_of_past_versions_are_cached_for_good_and_lists_briefly(world: World) -> None:
    forever = "public, max-age=86400, immutable"
    briefly = "public, max-age=60"
    expected = {
        f"/articles/{world.talks}/diff/1/2": forever,  # version 3 exists: nothing here changes
        f"/articles/{world.talks}/versions/1": forever,
        f"/articles/{world.talks}/diff/2/3": briefly,  # the latest change: a "next" link may come
        f"/articles/{world.talks}/versions/3": briefly,
        f"/articles/{world.talks}": briefly,
        "/": briefly,
        "/sources/daily": briefly,
        "/feed.atom": briefly,
        "/api/articles": briefly,
        "/articles/ffffffffff": "no-store",
    }
    assert {path: world.client.get(path).headers["cache-control"] for path in expected} == expected
