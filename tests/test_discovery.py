"""`journal source add NAME URL` tries the URL once: a feed or a sitemap is added, a web
page is refused with the feeds and sitemaps it offers, and an address that does not
answer, or that is private, is refused with what to do."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from conftest import Cli, Site, article_html, rss
from test_sitemaps import index, news_map, url_map

HOME = """<!doctype html><html><head><title>The Daily Fixture</title>
<link rel="alternate" type="application/rss+xml" title="Top stories" href="/rss/top.xml">
<link rel="alternate" type="application/atom+xml; charset=utf-8" href="http://{host}/atom.xml">
<link rel="alternate" type="application/rss+xml" href="/comments/feed.xml">
<link rel="alternate" type="application/rss+xml" title="Opinion" href="/rss/opinion-and-comments.xml">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="stylesheet" href="/style.css">
</head><body><h1>Today's news</h1></body></html>"""


def commits(cli: Cli) -> int:
    out = subprocess.run(
        ["git", "-C", str(cli.archive), "rev-list", "--count", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout)


def test_a_home_page_is_refused_with_the_feeds_and_news_sitemaps_it_offers(site: Site, cli: Cli) -> None:
    host = site.base.removeprefix("http://")
    home = site.put("/", HOME.format(host=host))
    story = site.url("/news/talks")
    site.put(
        "/sitemaps/news.xml",
        news_map([(story, "Talks resume", "2026-11-02T09:30:00Z")]),
        Content_Type="application/xml",
    )
    site.put("/sitemaps/pages.xml", url_map([(story, "2026-11-02")]), Content_Type="application/xml")
    site.put(
        "/sitemap_index.xml", index([(site.url("/sitemaps/pages.xml"), None)]), Content_Type="application/xml"
    )
    site.put(
        "/robots.txt",
        "User-agent: *\nDisallow: /private/\n\nSitemap: /sitemap_index.xml\n"
        f"Sitemap: {site.url('/sitemaps/news.xml')}\nSitemap: {site.url('/sitemaps/gone.xml')}\n",
        Content_Type="text/plain",
    )
    before = commits(cli)
    result = cli("source", "add", "daily", home, ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"journal: {home} is a web page, not a feed. It offers: "
        f"{site.url('/rss/top.xml')} (feed); {site.url('/atom.xml')} (feed); "
        f"{site.url('/rss/opinion-and-comments.xml')} (feed); "
        f"{site.url('/sitemaps/news.xml')} (news sitemap); {site.url('/sitemap_index.xml')} (sitemap index). "
        'Add one with "journal source add NAME URL".'
    )
    assert commits(cli) == before  # nothing added
    assert site.hits("/") == 1  # tried once

    # Each offer is one that `source add` takes.
    site.put("/rss/top.xml", rss([{"link": story}]), Content_Type="application/rss+xml")
    cli("source", "add", "daily", site.url("/rss/top.xml"))
    cli("source", "add", "daily-news", site.url("/sitemaps/news.xml"))
    assert [s["name"] for s in cli.json("source", "list")] == ["daily", "daily-news"]


def test_a_page_that_offers_nothing_says_what_to_give(site: Site, cli: Cli) -> None:
    page = site.put("/news/talks", article_html("Talks", ["A short page."]))
    result = cli("source", "add", "daily", page, ok=False)
    assert "is a web page, not a feed, and it names no feed or sitemap" in result.stderr
    assert "give the address of the site's RSS or Atom feed or of its news sitemap" in result.stderr


def test_an_address_that_does_not_answer_is_refused_at_once(site: Site, cli: Cli) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens once the socket is closed
    down = cli("source", "add", "daily", f"http://127.0.0.1:{closed}/feed.xml", ok=False)
    assert down.exit_code == 1
    assert f"http://127.0.0.1:{closed}/feed.xml does not answer (" in down.stderr
    assert "cannot connect" in down.stderr
    assert "check the address, or try again later" in down.stderr
    missing = cli("source", "add", "daily", site.url("/feed.xml"), ok=False)
    assert f"{site.url('/feed.xml')} answered HTTP 404 (not found); check the address." in missing.stderr
    image = cli(
        "source", "add", "daily", site.put("/logo.png", b"\x89PNG\r\n", Content_Type="image/png"), ok=False
    )
    assert "is not a feed or a sitemap journal can read" in image.stderr
    assert cli.json("source", "list") == []


def test_a_private_address_is_refused_with_the_setting_that_allows_it(site: Site, tmp_path: Path) -> None:
    strict = Cli(tmp_path / "archive")
    strict("init")
    feed = site.put("/feed.xml", rss([{"link": site.url("/story")}]))
    result = strict("source", "add", "daily", feed, ok=False)
    assert result.exit_code == 1
    assert "private or loopback address" in result.stderr
    assert "set allow_private = true in [fetch]" in result.stderr
    assert site.hits("/feed.xml") == 0
