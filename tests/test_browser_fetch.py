"""`fetch = "browser"`: pages built by JavaScript, rendered in Debian's headless Chromium,
every request of the page going through journal's own fetcher."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomlkit
from conftest import PARAS, Cli, Site, make_archive, rss

from journal import document
from journal.archive import Archive
from journal.sources import commit_config

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser

SHELL = """<!doctype html><html><head><meta charset="utf-8"><title>Loading…</title>
<script src="/static/app.js"></script></head><body><div id="root">Loading…</div></body></html>"""

APP = """
fetch("/api/story.json").then(r => r.json()).then(story => {
  document.title = story.title;
  const meta = document.createElement("meta");
  meta.setAttribute("property", "og:title");
  meta.setAttribute("content", story.title);
  document.head.appendChild(meta);
  const article = document.createElement("article");
  const h1 = document.createElement("h1");
  h1.textContent = story.title;
  article.appendChild(h1);
  for (const text of story.paragraphs) {
    const p = document.createElement("p");
    p.textContent = text;
    article.appendChild(p);
  }
  const root = document.getElementById("root");
  root.textContent = "";
  root.appendChild(article);
  for (const url of story.also || []) fetch(url).then(r => r.text()).then(t => {
    const p = document.createElement("p");
    p.textContent = t;
    article.appendChild(p);
  }).catch(() => {});
});
"""


@pytest.fixture(autouse=True)
def chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    monkeypatch.setenv("JOURNAL_CHROMIUM", str(CHROMIUM))


def js_site(site: Site, title: str, paragraphs: list[str], also: list[str] | None = None) -> str:
    site.put("/static/app.js", APP, Content_Type="application/javascript")
    story = {"title": title, "paragraphs": paragraphs, "also": also or []}
    site.put("/api/story.json", json.dumps(story), Content_Type="application/json")
    return site.put("/story", SHELL, ETag='"shell-1"')


def browser_source(cli: Cli, site: Site, url: str) -> None:
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    archive = Archive.open(cli.archive)
    doc = tomlkit.parse(archive.read_config())
    doc["sources"]["daily"]["fetch"] = "browser"  # type: ignore[index]
    commit_config(archive, tomlkit.dumps(doc), "journal: daily through a browser", "", datetime.now(UTC))


def test_a_page_built_by_javascript_is_archived_through_the_browser(site: Site, cli: Cli) -> None:
    url = js_site(site, "Talks resume after a year", PARAS)
    browser_source(cli, site, url)
    summary = cli.json("update")
    assert summary["totals"]["new"] == 1, summary
    text = document.parse((cli.archive / cli.json("status", url)["path"]).read_bytes())
    assert text.title == "Talks resume after a year"
    assert text.paragraphs == tuple(PARAS)
    # The page's own requests went through journal's fetcher, with its User-Agent.
    agents = {h.get("user-agent") for p, h in site.requests if p in ("/static/app.js", "/api/story.json")}
    assert agents == {"journal/0.1 (+https://example.org/contact)"}

    # Unchanged (a 304 to the plain conditional request): nothing is rendered again.
    scripts = site.hits("/static/app.js")
    again = cli.json("update", "--force")
    assert again["totals"]["unchanged"] == 1
    assert site.hits("/static/app.js") == scripts

    # The newsroom edits: the shell is the same HTML with a new ETag, the text is new.
    edited = [*PARAS[:3], PARAS[3].replace("nearly an hour", "nearly two hours"), *PARAS[4:]]
    js_site(site, "Talks resume after a year", edited)
    site.pages["/story"].headers["ETag"] = '"shell-2"'
    third = cli.json("update", "--force")
    assert third["totals"]["changed"] == 1
    history = cli.json("history", url)["versions"]
    assert history[-1]["summary"] == "1 paragraph edited"


def test_the_pages_requests_obey_robots_txt(site: Site, cli: Cli) -> None:
    url = js_site(site, "Talks resume after a year", PARAS)
    site.put("/robots.txt", "User-agent: *\nDisallow: /api/\n", Content_Type="text/plain")
    browser_source(cli, site, url)
    summary = cli.json("update")
    assert summary["totals"]["new"] == 0
    assert summary["totals"]["skipped"] == 1  # the shell alone is no article
    assert site.hits("/static/app.js") == 1
    assert site.hits("/api/story.json") == 0


def test_the_browser_is_held_to_the_private_address_guard(tmp_path: Path, site: Site) -> None:
    other = Site(host="127.0.0.2")
    try:
        secret = other.put("/secret", "the intranet's secret text that must never be read by a page")
        cli = make_archive(tmp_path / "archive", allow_private=["127.0.0.1"])
        url = js_site(site, "Talks resume after a year", PARAS, also=[secret])
        browser_source(cli, site, url)
        assert cli.json("update")["totals"]["new"] == 1
        assert other.requests == []
        path = cli.archive / cli.json("status", url)["path"]
        assert "secret" not in path.read_text()
    finally:
        other.close()


def test_without_a_browser_the_page_is_refused_with_the_way_out(
    site: Site, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_CHROMIUM", "/nonexistent/chromium")
    url = js_site(site, "Talks resume after a year", PARAS)
    browser_source(cli, site, url)
    result = cli("update", "--json", ok=False)
    assert result.exit_code == 1  # nothing could be fetched
    summary = json.loads(result.stdout)
    assert summary["totals"]["new"] == 0
    errors = {f["url"]: f["error"] for f in summary["failures"]}
    assert errors[url] == (
        'fetch = "browser" needs Chromium (it is not at /nonexistent/chromium); install it '
        "(apt-get install chromium) or set JOURNAL_CHROMIUM, or remove the setting from the source"
    )
    assert site.hits("/static/app.js") == 0
    preview = cli("preview", url, "--source", "daily", ok=False)
    assert preview.exit_code == 1
    assert 'fetch = "browser" needs Chromium' in preview.stderr


def test_preview_renders_a_browser_source(site: Site, cli: Cli) -> None:
    url = js_site(site, "Talks resume after a year", PARAS)
    browser_source(cli, site, url)
    shown = cli.json("preview", url, "--source", "daily")
    assert shown["decision"] == "new"
    assert PARAS[0] in shown["file"]
    cli("update")
    assert (cli.archive / cli.json("status", url)["path"]).read_text() == shown["file"]
