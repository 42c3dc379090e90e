"""Extraction: HTML → one paragraph per line, stable metadata, and honest refusals."""

from __future__ import annotations

import json

import pytest
from conftest import PARAS, Cli, Site, article_html, figure, rss

from journal import captions
from journal.extract import decode_html, extract
from journal.models import Extraction, NotArticle

URL = "https://news.example.org/2026/11/story"


def extracted(html: str, url: str = URL) -> Extraction:
    result = extract(html, url)
    assert isinstance(result, Extraction), result
    return result


def test_same_html_gives_the_same_text() -> None:
    html = article_html("Talks", PARAS)
    assert extract(html, URL) == extract(html, URL)


def test_paragraphs_are_lines_and_metadata_is_read() -> None:
    found = extracted(
        article_html("Talks held", PARAS, byline="Jonathan Marcus", published="2015-09-18T11:02:00+01:00")
    )
    assert found.title == "Talks held"
    assert found.paragraphs == tuple(PARAS)
    assert found.byline == "Jonathan Marcus"
    assert found.published == "2015-09-18T10:02:00Z"
    assert found.headline_meta


def test_tables_are_one_row_per_line() -> None:
    rows = "".join(
        f"<tr><td>{name}</td><td>{votes:,}</td><td>{share}%</td></tr>"
        for name, votes, share in [
            ("Alpha Party", 120345, 41.2),
            ("Beta Alliance", 98211, 33.6),
            ("Gamma", 40012, 13.7),
        ]
    )
    html = article_html("Results", PARAS[:3]).replace(
        "</article>", f"<table><tr><th>Party</th><th>Votes</th><th>Share</th></tr>{rows}</table></article>"
    )
    lines = extracted(html).paragraphs
    assert "Alpha Party | 120,345 | 41.2%" in lines
    assert "Beta Alliance | 98,211 | 33.6%" in lines
    assert all(len(line) < 300 for line in lines)


def test_list_items_and_line_breaks_are_separate_paragraphs() -> None:
    html = article_html("Lists", PARAS[:3]).replace(
        "</article>",
        "<ul><li>First point of the list is here.</li><li>Second point of the list is here.</li></ul>"
        "<p>Line one of an address<br>Line two of an address</p></article>",
    )
    lines = extracted(html).paragraphs
    for expected in (
        "First point of the list is here.",
        "Second point of the list is here.",
        "Line one of an address",
        "Line two of an address",
    ):
        assert expected in lines


def test_json_ld_supplies_missing_metadata() -> None:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "From JSON-LD",
          "datePublished": "2020-01-02T03:04:05Z", "author": [{"@type": "Person", "name": "Ada Writer"}]}  # fmt: skip
    html = (
        article_html("ignored", PARAS, byline=None, published=None)
        .replace(
            '<meta property="og:title" content="ignored">',
            f'<script type="application/ld+json">{json.dumps(ld)}</script>',
        )
        .replace("<title>ignored | The Daily Fixture</title>", "")
        .replace("<h1>ignored</h1>", "")
    )  # a page that shows no headline of its own
    found = extracted(html)
    assert found.title == "From JSON-LD"
    assert found.byline == "Ada Writer"
    assert found.published == "2020-01-02T03:04:05Z"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/2026/11/story?utm_source=x", "https://news.example.org/2026/11/story"),
        ("https://www.news.example.org/2026/11/story", "https://www.news.example.org/2026/11/story"),
        ("https://evil.example/takeover", None),  # another site cannot claim the article
        ("javascript:alert(1)", None),
    ],
)
def test_canonical_link_is_believed_only_on_the_same_site(href: str, expected: str | None) -> None:
    found = extracted(article_html("Canonical", PARAS, canonical=href))
    assert found.canonical == expected


NOT_ARTICLES = {
    "empty page": "<html><head><title>x</title></head><body></body></html>",
    "link list": "<html><body><nav>"
    + "".join(f"<a href='/s{i}'>Story {i}</a><br>" for i in range(40))
    + "</nav></body></html>",
    "consent wall": article_html(
        "Before you continue",
        [
            "We use cookies and data to deliver and maintain our services.",
            "Accept all cookies or manage your privacy settings.",
        ],
    ),
    "paywall stub": article_html(
        "Talks held",
        [PARAS[0], "Subscribe to continue reading. Already a subscriber? Log in to read the full story."],
    ),
    "error page with 200": article_html(
        "Page not found", ["Sorry, the page you are looking for does not exist or has moved."]
    ),
    "headline and nothing under it": article_html("Stub", []),
    "text under no headline": f"<html><body><main><p>{PARAS[0]}</p><p>{PARAS[1]}</p></main></body></html>",
}


@pytest.mark.parametrize("name", sorted(NOT_ARTICLES))
def test_pages_that_are_not_articles(name: str) -> None:
    assert isinstance(extract(NOT_ARTICLES[name], URL), NotArticle)


def test_not_articles_never_become_versions(site: Site, cli: Cli) -> None:
    links = [site.put(f"/n/{i}", html) for i, html in enumerate(NOT_ARTICLES.values())]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    summary = cli.json("update")
    assert summary["commits"] == 0
    assert summary["totals"]["new"] == 0
    assert summary["totals"]["skipped"] + summary["totals"]["failed"] == len(links)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("café".encode(), "text/html; charset=utf-8", "café"),
        ("café".encode("latin-1"), "text/html; charset=iso-8859-1", "café"),
        ("café".encode("latin-1"), "text/html; charset=utf-8", "café"),  # lying header: falls back
        (b"<meta charset='windows-1252'>caf\xe9", None, "<meta charset='windows-1252'>café"),
        ("caf\u00e9".encode(), "text/html; charset=klingon", "café"),  # unknown charset name
        (b"\xef\xbb\xbfcaf\xc3\xa9", None, "café"),  # BOM
    ],
)
def test_decoding_survives_wrong_and_missing_charsets(
    body: bytes, content_type: str | None, expected: str
) -> None:
    assert decode_html(body, content_type) == expected


def test_metadata_of_a_page_without_a_declared_charset_is_not_mojibake() -> None:
    html = article_html("Beto O’Rourke quits — “for now”", PARAS).replace("<meta charset='utf-8'>", "")
    found = extracted(html)
    assert found.title == "Beto O’Rourke quits — “for now”"


# -- photo captions -----------------------------------------------------------------------------


def test_captions_are_read_at_their_figures_places() -> None:
    html = article_html(
        "Talks",
        PARAS,
        blocks={
            0: figure(
                "Officials arrive for the talks.", "/photos/lead.jpg?w=1200#top", credit="Photo: Agency"
            ),
            3: figure("The building where they met.", "https://cdn.example.org/b.jpg"),
        },
    )
    lines = extracted(html).paragraphs
    assert lines == (
        "![Officials arrive for the talks. Photo: Agency](https://news.example.org/photos/lead.jpg)",
        *PARAS[:3],
        "![The building where they met.](https://cdn.example.org/b.jpg)",
        *PARAS[3:],
    )


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (
            '<img data-src="/real.jpg" src="data:image/gif;base64,R0lGOD"><figcaption>Lazy</figcaption>',
            "/real.jpg",
        ),
        ('<img srcset="/small.jpg 480w, /large.jpg 1080w"><figcaption>Set</figcaption>', "/small.jpg"),
        (
            '<img srcset="/w_480,h_320/a.jpg, /w_960,h_640/a.jpg 2x"><figcaption>Commas</figcaption>',
            "/w_480,h_320/a.jpg",
        ),
        (
            '<picture><source srcset="/p.webp 1x"><img src="/p.jpg"></picture><figcaption>Pic</figcaption>',
            "/p.jpg",
        ),
        ('<picture><source srcset="/only.webp"></picture><figcaption>Src</figcaption>', "/only.webp"),
        (
            '<video poster="/poster.jpg?v=2"><source src="/v.mp4"></video><figcaption>Vid</figcaption>',
            "/poster.jpg",
        ),
        ('<iframe src="https://player.example.org/embed?id=42"></iframe><figcaption>Embed</figcaption>', ""),
        ('<img src="javascript:alert(1)"><figcaption>Bad</figcaption>', ""),
        ("<figcaption>Nothing shown</figcaption>", ""),
    ],
)
def test_the_media_of_a_figure_is_its_address_without_query(markup: str, expected: str) -> None:
    lines = extracted(article_html("Talks", PARAS, blocks={1: f"<figure>{markup}</figure>"})).paragraphs
    caption = captions.parse(lines[1])
    assert caption is not None
    assert caption.media == (f"https://news.example.org{expected}" if expected else "")


def test_figures_outside_the_article_and_without_captions_are_left_out() -> None:
    html = article_html(
        "Talks",
        PARAS,
        blocks={
            1: figure("", "/no-caption.jpg"),
            2: "<aside><figure><img src='/teaser.jpg'><figcaption>Read this next</figcaption></figure></aside>",
        },
    )
    assert extracted(html).paragraphs == tuple(PARAS)


def test_a_caption_beside_the_photo_without_figcaption_is_read_without_page_controls() -> None:
    markup = (
        "<figure><img src='/mpox.jpg'><p class='caption'><a href='/mpox-big.jpg'>Enlarge</a> "
        "<span>/</span> A micrograph of a virion. (credit: Agency)</p><button>Share</button></figure>"
    )
    lines = extracted(article_html("Talks", PARAS, blocks={1: markup})).paragraphs
    assert lines[1] == "![A micrograph of a virion. (credit: Agency)](https://news.example.org/mpox.jpg)"


def test_one_placeholder_for_many_photos_is_no_identity() -> None:
    html = article_html(
        "Talks",
        PARAS,
        blocks={1: figure("First photo", "/blank.gif"), 3: figure("Second photo", "/blank.gif")},
    )
    found = [captions.parse(p) for p in extracted(html).paragraphs if captions.is_caption(p)]
    assert [(c.text, c.media) for c in found if c] == [("First photo", ""), ("Second photo", "")]


def test_a_caption_the_extractor_read_as_a_paragraph_is_only_a_caption() -> None:
    caption = "Officials arrive for the talks on Friday morning in the capital city"
    plain = article_html("Talks", PARAS, blocks={1: figure(caption, "/lead.jpg")})
    lines = extracted(plain).paragraphs
    assert [p for p in lines if caption in p] == [f"![{caption}](https://news.example.org/lead.jpg)"]


def test_captions_do_not_make_a_page_an_article() -> None:
    photo = article_html("Brief", [], blocks={0: figure("A long caption " * 20, "/x.jpg")})
    assert not isinstance(extract(photo, URL), Extraction)


# -- the headline -------------------------------------------------------------------------------


def test_the_title_is_the_displayed_headline_not_the_social_one() -> None:
    html = article_html("Council approves budget after long debate", PARAS).replace(
        '<meta property="og:title" content="Council approves budget after long debate">',
        '<meta property="og:title" content="You will not believe what the council did">',
    )
    found = extracted(html)
    assert found.title == "Council approves budget after long debate"
    assert "You will not believe what the council did" not in found.paragraphs


def test_a_first_paragraph_repeating_any_name_of_the_headline_is_left_out() -> None:
    html = article_html("Council approves budget", [f"Council votes yes: {PARAS[0][:20]}", *PARAS]).replace(
        '<meta property="og:title" content="Council approves budget">',
        f'<meta property="og:title" content="Council votes yes: {PARAS[0][:20]}">',
    )
    assert extracted(html).paragraphs == tuple(PARAS)


def page_with(head: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


BODY = "".join(f"<p>{p}</p>" for p in PARAS)


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        # the site's logo is an <h1> too; the headline's words are those of <title>
        (
            "<title>Bridge reopens after repairs | Riverside Herald</title>",
            f"<header><h1><a href='/'>Riverside Herald</a></h1></header><div><h1>Bridge reopens after repairs</h1>{BODY}</div>",
            "Bridge reopens after repairs",
        ),
        # of several <h1> in the article, the one that best matches the page's names for it
        (
            "<title>Bridge reopens after repairs</title>",
            f"<article><h1>Live</h1><h1>Bridge reopens after repairs</h1>{BODY}</article>",
            "Bridge reopens after repairs",
        ),
        # no <h1>: <title> less the site name the page declares
        (
            "<title>Bridge reopens after repairs - Riverside Herald</title>"
            "<meta property='og:site_name' content='Riverside Herald'>",
            f"<article>{BODY}</article>",
            "Bridge reopens after repairs",
        ),
        # or less the part that spells the site's host name, and the section's name
        (
            "<title>Local | Bridge reopens after repairs | Riverside Herald</title>",
            f"<article>{BODY}</article>",
            "Bridge reopens after repairs",
        ),
        # or the part the page's metadata names as its headline
        (
            "<title>NEWS | Bridge reopens</title><meta name='Headline' content='Bridge reopens'>",
            f"<article>{BODY}</article>",
            "Bridge reopens",
        ),
    ],
    ids=["logo h1", "several h1", "declared site name", "host name", "metadata names a part"],
)
def test_the_title_is_the_h1_else_the_title_less_the_site_name(head: str, body: str, title: str) -> None:
    found = extract(page_with(head, body), "https://www.riversideherald.example/local/bridge")
    assert isinstance(found, Extraction)
    assert found.title == title
    assert [p for p in found.paragraphs if p in PARAS] == PARAS


def test_a_social_headline_rewrite_is_not_a_version(site: Site, cli: Cli) -> None:
    url = site.put("/story", article_html("Talks held", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    social = '<meta property="og:title" content="Why these talks matter more than you think">'
    site.put(
        "/story",
        article_html("Talks held", PARAS).replace('<meta property="og:title" content="Talks held">', social),
    )
    assert cli.json("update", "--force")["commits"] == 0


# -- short items, any script ------------------------------------------------------------------------


def test_a_short_item_under_its_headline_is_an_article_and_its_edits_are_versions(
    site: Site, cli: Cli
) -> None:
    url = site.put("/alert", article_html("Main Street closed", ["Police closed Main Street after a crash."]))
    cli("source", "add", "local", site.put("/feed.xml", rss([{"link": url}])))
    assert cli.json("update")["totals"]["new"] == 1
    site.put(
        "/alert", article_html("Main Street reopens", ["Police closed Main Street after a two-car crash."])
    )
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "edit"]
    assert history[-1]["summary"] == "title changed; 1 paragraph edited"


CJK = {
    "zh": (
        "北京发布新的交通计划",
        [
            "北京市政府周二宣布了一项新的交通计划，旨在减少市中心的拥堵。",
            "该计划包括扩建地铁线路和增加公交车班次。",
        ],
    ),
    "ja": (
        "東京都、新たな防災計画を発表",
        [
            "東京都は火曜日、大地震に備えた新たな防災計画を発表した。",
            "計画には避難所の増設と備蓄食料の拡充が含まれる。",
        ],
    ),
}


def cjk_page(lang: str, paras: list[str]) -> str:
    title, _ = CJK[lang]
    return article_html(title, paras, byline=None).replace("lang='en'", f"lang='{lang}'")


@pytest.mark.parametrize("lang", sorted(CJK))
def test_chinese_and_japanese_articles_are_archived_and_their_edits_recorded(
    lang: str, site: Site, cli: Cli
) -> None:
    title, paras = CJK[lang]
    url = site.put(f"/{lang}", cjk_page(lang, paras))
    cli("source", "add", lang, site.put(f"/{lang}.xml", rss([{"link": url}])))
    assert cli.json("update")["totals"]["new"] == 1
    text = (cli.archive / cli.json("status", url)["path"]).read_text("utf-8")
    assert f"# {title}" in text and all(p in text for p in paras)
    site.put(f"/{lang}", cjk_page(lang, [paras[0], paras[1].replace("増設", "新設").replace("扩建", "新建")]))
    cli("update", "--force")
    assert [v["change"] for v in cli.json("history", url)["versions"]] == ["new", "edit"]
