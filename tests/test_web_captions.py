"""Photo captions as readers see them: on the web pages (over HTTP and in headless
Chromium), in the API, in the terminal and in the feeds. Always labelled as captions,
always escaped, and the photo itself never loaded."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, figure, make_archive, rss, serving
from fastapi.testclient import TestClient
from markupsafe import escape
from test_web_browser import ARGS, CHROMIUM

from journal import update
from journal.archive import Archive
from journal.web.app import create_app

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC).timestamp()
NOW = T0 + 3600
LEAD = "https://cdn.example.org/photos/lead.jpg"
SNEAKY = 'https://cdn.example.org/a"onmouseover="alert(7).jpg'
HOSTILE = 'Officials <img src=x onerror="window.pwned = 1"> arrive [for](javascript:alert(5)) the talks'
BEFORE = "A micrograph of a virion in fluid."
AFTER = "A micrograph of an virion in fluid."


@dataclass
class World:
    root: Path
    client: TestClient
    sid: str


def build(root: Path) -> Archive:
    """One article with three figures: a plain caption edited in version 2, a hostile
    caption on hostile media, and a caption whose photo is a javascript: address."""
    site = Site()
    try:
        cli = make_archive(root)

        def page(caption: str) -> str:
            return article_html(
                "Talks resume",
                PARAS,
                blocks={
                    1: figure(caption, LEAD),
                    3: figure(HOSTILE, SNEAKY),
                    5: figure("A photo with a bad address.", "javascript:alert(6)"),
                },
            )

        url = site.put("/talks", page(BEFORE))
        cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
        archive = Archive.open(root)
        update.run(archive, update.Options(), clock=lambda: T0)
        site.put("/talks", page(AFTER))
        update.run(archive, update.Options(force=True), clock=lambda: T0 + 35 * 60)
    finally:
        site.close()
    return archive


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("captions") / "archive"
    archive = build(root)
    client = TestClient(create_app(archive, clock=lambda: NOW))
    with client:
        sid = client.get("/api/articles").json()["articles"][0]["id"]
        yield World(root, client, sid)


def test_the_caption_edit_is_a_version(world: World) -> None:
    versions = world.client.get(f"/api/articles/{world.sid}/versions").json()["versions"]
    assert [(v["change"], v["summary"], v["change_size"]) for v in versions] == [
        ("new", "first version", None),
        ("edit", "1 caption edited", "typo"),
    ]


def test_article_page_shows_captions_as_captions_escaped_and_without_images(world: World) -> None:
    body = world.client.get(f"/articles/{world.sid}").text
    story = body.split('<article class="story">', 1)[1].split("</article>", 1)[0]
    assert "<img" not in story and "<script" not in story and "<video" not in story
    assert story.count('<p class="caption">') == 3
    assert f'<p class="caption"><span class="caption-label">Caption</span> {AFTER}' in story
    assert str(escape(HOSTILE)) in story
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", body, re.IGNORECASE)
    # The photo is linked, never loaded; a hostile address stays inside its attribute.
    assert f'<a class="media" href="{LEAD}" rel="noopener noreferrer nofollow">media</a>' in story
    assert 'href="https://cdn.example.org/a%22onmouseover=%22alert%287%29.jpg"' in story
    assert "onmouseover=" not in story.replace("%22onmouseover=%22", "")
    assert story.count('class="media"') == 2  # not for the javascript: address


def test_diff_page_marks_the_caption_words(world: World) -> None:
    body = world.client.get(f"/articles/{world.sid}/diff/1/2").text
    row = re.search(r'<tr class="change caption">.*?</tr>', body, re.DOTALL)
    assert row is not None
    assert '<span class="caption-label">Caption</span> A micrograph of <del>a</del> virion' in row.group(0)
    assert '<span class="caption-label">Caption</span> A micrograph of <ins>an</ins> virion' in row.group(0)
    assert LEAD not in row.group(0)
    assert '<tr class="equal caption">' in body
    assert "<img" not in body and "<script" not in body


def test_api_diff_says_which_rows_are_captions(world: World) -> None:
    data = world.client.get(f"/api/articles/{world.sid}/diff/1/2").json()
    assert data["summary"] == "1 caption edited"
    changed = [r for r in data["rows"] if r["kind"] == "change"]
    assert len(changed) == 1 and changed[0]["caption"]
    assert changed[0]["new"] == f"![{AFTER}]({LEAD})"
    assert [o["text"] for o in changed[0]["ops"] if o["kind"] == "insert"] == ["an"]
    assert not any(r["caption"] for r in data["rows"] if r["old"] in PARAS)


def test_feed_shows_the_caption_change(world: World) -> None:
    feed = world.client.get(f"/articles/{world.sid}/feed.atom").text
    assert "Caption: A micrograph of an virion in fluid." in html.unescape(feed)


def test_terminal_shows_captions_as_captions(world: World) -> None:
    cli = Cli(world.root)
    shown = cli("show", world.sid).stdout
    assert shown.startswith("---\nurl: ")
    assert f"\nCaption: {AFTER}\n" in shown
    assert "![" not in shown
    assert "\x1b" not in shown and "\u202e" not in shown
    changed = cli("diff", world.sid).stdout
    assert "~ Caption: A micrograph of [-a-]{+an+} virion in fluid." in changed
    side = cli("diff", world.sid, "--side-by-side").stdout
    assert "Caption: A micrograph of [-a-]" in side
    page = cli("diff", world.sid, "--html").stdout
    assert "<b>Caption:</b> A micrograph of <del>a</del> virion" in page
    assert "<img" not in page and html.escape(HOSTILE) in page


@pytest.mark.browser
def test_a_reader_sees_captions_and_no_photo_is_fetched(world: World, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with (
        serving(create_app(Archive.open(world.root), clock=lambda: NOW)) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(java_script_enabled=True, viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"{base}/articles/{world.sid}")
            captions = page.locator("article.story p.caption")
            assert captions.count() == 3
            assert captions.first.text_content() == f"Caption {AFTER} media"
            assert captions.nth(1).locator(".caption-label").inner_text() == "CAPTION"  # styled as a label
            assert HOSTILE in (captions.nth(1).text_content() or "")
            assert page.locator("article.story img, article.story video, article.story script").count() == 0
            assert page.evaluate("window.pwned") is None
            page.screenshot(path=str(tmp_path / "captions.png"), full_page=True)

            page.goto(f"{base}/articles/{world.sid}/diff/1/2")
            row = page.locator("tr.change.caption")
            assert row.locator("td.new ins").inner_text() == "an"
            assert row.locator("td.old del").inner_text() == "a"
        finally:
            browser.close()
    assert requests and all(url.startswith(base) for url in requests), requests
