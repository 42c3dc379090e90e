"""News sitemaps as feeds: urlsets with Google News' extension, sitemap indexes,
gzipped maps, polled conditionally like feeds."""

from __future__ import annotations

import gzip
import html

import pytest
from conftest import PARAS, Cli, Site, article_html

from journal import sitemaps
from journal.errors import FeedError
from journal.feeds import parse as parse_feed

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"


def news_map(items: list[tuple[str, str, str]]) -> str:
    """A Google News sitemap: (address, title, publication date) per article."""
    urls = "".join(
        f"<url><loc>{html.escape(loc)}</loc><news:news><news:publication><news:name>The Daily Fixture</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>{date}</news:publication_date>"
        f"<news:title>{html.escape(title)}</news:title></news:news></url>"
        for loc, title, date in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SM}" xmlns:news="{NEWS}">{urls}</urlset>'


def url_map(items: list[tuple[str, str]]) -> str:
    urls = "".join(f"<url><loc>{html.escape(loc)}</loc><lastmod>{mod}</lastmod></url>" for loc, mod in items)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SM}">{urls}</urlset>'


def index(items: list[tuple[str, str | None]]) -> str:
    maps = "".join(
        f"<sitemap><loc>{html.escape(loc)}</loc>"
        + (f"<lastmod>{mod}</lastmod>" if mod else "")
        + "</sitemap>"
        for loc, mod in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SM}">{maps}</sitemapindex>'


def test_a_news_map_gives_titled_dated_entries_newest_first_each_once() -> None:
    body = news_map(
        [
            ("https://daily.test/a?utm_source=map", "Talks &amp; more", "2026-11-02T10:30:00+01:00"),
            ("https://daily.test/b", "Later story", "2026-11-02T09:45:00Z"),
            ("https://daily.test/a", "Talks again", "2026-11-02T08:00:00Z"),
            ("javascript:alert(1)", "Hostile", "2026-11-02"),
            ("/c", "Relative address", "2026-11-01"),
        ]
    ).encode()
    result = parse_feed(body, "https://daily.test/news.xml")
    assert [(e.link, e.title, e.published) for e in result.entries] == [
        ("https://daily.test/b", "Later story", "2026-11-02T09:45:00Z"),
        ("https://daily.test/a", "Talks &amp; more", "2026-11-02T09:30:00Z"),
        ("https://daily.test/c", "Relative address", "2026-11-01T00:00:00Z"),
    ]
    assert result.problem == "1 entries without a usable address were skipped"
    assert result.maps == ()


def test_an_index_lists_its_maps_most_recent_first_and_gzip_is_read() -> None:
    body = index(
        [
            ("https://daily.test/sitemaps/2026-10.xml.gz", "2026-10-31T23:00:00Z"),
            ("https://daily.test/sitemaps/2026-11.xml.gz", "2026-11-02T09:00:00Z"),
            ("https://daily.test/sitemaps/news.xml", None),
            ("https://daily.test/sitemap.xml", "2026-11-02T09:00:00Z"),  # itself: never
            ("https://daily.test/sitemaps/2025-12.xml.gz", "2025-12-31"),
        ]
    )
    result = sitemaps.parse(gzip.compress(body.encode()), "https://daily.test/sitemap.xml")
    assert result.entries == ()
    assert result.maps == (
        "https://daily.test/sitemaps/news.xml",
        "https://daily.test/sitemaps/2026-11.xml.gz",
        "https://daily.test/sitemaps/2026-10.xml.gz",
        "https://daily.test/sitemaps/2025-12.xml.gz",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            gzip.compress(b"<urlset>" + b" " * (sitemaps.MAX_BYTES + 10) + b"</urlset>"),
            "over 50,000,000 bytes",
        ),
        (b"\x1f\x8b\x08\x00garbage", "a corrupt gzipped sitemap"),
        (f'<urlset xmlns="{SM}"></urlset>'.encode(), "a sitemap that lists no article"),
        (f'<sitemapindex xmlns="{SM}"><sitemap></sitemap></sitemapindex>'.encode(), "lists no sitemap"),
        (gzip.compress(b"<html><body><urlset>"), "not a sitemap \\(its root element is <html>\\)"),
    ],
)
def test_bad_sitemaps_are_reported_not_believed(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "https://daily.test/sitemap.xml")


def test_entities_in_a_sitemap_are_never_expanded() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b"<urlset><url><loc>https://daily.test/x&b;</loc></url></urlset>"
    )
    assert [e.link for e in parse_feed(body, "https://daily.test/sitemap.xml").entries] == [
        "https://daily.test/x"
    ]


def test_feeds_are_not_taken_for_sitemaps() -> None:
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>urlset</title></channel></rss>'
    assert not sitemaps.is_sitemap(rss)
    assert not sitemaps.is_sitemap(b"<html><body><p>How to write a <urlset> by hand</p>")
    assert sitemaps.is_sitemap(b'<?xml version="1.0"?>\n<!-- made by hand -->\n<urlset xmlns="x">')


def site_with_maps(site: Site) -> dict[str, str]:
    """A site whose only list of articles is its sitemaps: an index, gzipped monthly maps,
    and a news map of the last two days."""
    urls = {}
    for name in ["talks", "harbour", "budget", "storm", "election", "archive-piece", "old"]:
        urls[name] = site.put(f"/news/{name}", article_html(f"Story {name}", [f"{name.title()}:", *PARAS]))
    news = [
        (urls["talks"], "Talks resume", "2026-11-02T09:30:00Z"),
        (urls["harbour"], "Harbour reopens", "2026-11-02T08:00:00Z"),
        (urls["budget"], "Budget passes", "2026-11-01T17:00:00Z"),
    ]
    site.put("/sitemaps/news.xml", news_map(news), Content_Type="application/xml", ETag='"news-1"')
    month = url_map([(urls[n], "2026-11-02") for n in ("talks", "harbour", "budget", "storm")])
    site.put(
        "/sitemaps/2026-11.xml.gz",
        gzip.compress(month.encode()),
        Content_Type="application/x-gzip",
        ETag='"m11"',
    )
    october = url_map([(urls["election"], "2026-10-30"), (urls["archive-piece"], "2026-10-02")])
    site.put(
        "/sitemaps/2026-10.xml.gz",
        gzip.compress(october.encode()),
        Content_Type="application/x-gzip",
        ETag='"m10"',
    )
    september = url_map([(urls["old"], "2026-09-12")])
    site.put("/sitemaps/2026-09.xml.gz", gzip.compress(september.encode()), Content_Type="application/x-gzip")
    listed = [
        (site.url("/sitemaps/2026-09.xml.gz"), "2026-09-30T23:00:00Z"),
        (site.url("/sitemaps/2026-10.xml.gz"), "2026-10-31T23:00:00Z"),
        (site.url("/sitemaps/2026-11.xml.gz"), "2026-11-02T09:00:00Z"),
        (site.url("/sitemaps/news.xml"), None),
    ]
    site.put("/sitemap.xml", index(listed), Content_Type="application/xml", ETag='"index-1"')
    return urls


def test_a_sitemap_only_source_finds_every_article_in_its_news_map_once(site: Site, cli: Cli) -> None:
    urls = site_with_maps(site)
    cli("source", "add", "daily", site.url("/sitemap.xml"))
    first = cli.json("update")
    # The news map and the two most recent monthly maps are read; September is not.
    found = {a["url"] for a in cli.json("articles")}
    assert found == {urls[n] for n in ("talks", "harbour", "budget", "storm", "election", "archive-piece")}
    assert first["discovered"] == 6  # the news map's articles are in November's map too: once each
    assert first["totals"]["new"] == 6
    assert first["feeds"] == {"polled": 4, "failed": 0}
    assert site.hits("/sitemaps/2026-09.xml.gz") == 0
    assert all(site.hits(f"/news/{n}") == 1 for n in ("talks", "harbour", "budget"))

    # Polled again: every map is asked conditionally and nothing is found twice.
    second = cli.json("update", "--force")
    assert second["discovered"] == 0
    for path in ("/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/2026-11.xml.gz"):
        asked = [h for p, h in site.requests if p == path]
        assert asked[-1].get("if-none-match"), path

    # A new article in the news map is found though the index is unchanged (a 304).
    fresh = site.put("/news/bridge", article_html("Bridge opens", ["Bridge:", *PARAS]))
    news = [
        (fresh, "Bridge opens", "2026-11-02T11:00:00Z"),
        (urls["talks"], "Talks resume", "2026-11-02T09:30:00Z"),
    ]
    site.put("/sitemaps/news.xml", news_map(news), Content_Type="application/xml", ETag='"news-2"')
    third = cli.json("update", "--force")
    assert third["discovered"] == 1
    assert third["totals"]["new"] == 1
    assert fresh in {a["url"] for a in cli.json("articles")}
