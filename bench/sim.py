"""A simulated news web for benchmarks: several sites on 127.0.0.1, 127.0.0.2, …

Each site is its own host (its own loopback address), so journal's per-host limit
applies to it as it would to a real publisher. A site has a robots.txt, RSS feeds
per section plus a "top stories" feed, and article pages of 600–1200 words inside
the chrome real news pages carry (navigation, header, ticker, figure, related
links, most-read list, newsletter box, footer, cookie banner, inline scripts and
JSON config). The four house styles differ in markup, in feed conventions (guid
as permalink or not, tracking parameters on links) and in validators (one site
sends Last-Modified only, no ETag).

Every response is rendered ahead of time: header and body bytes, plain and gzip.
The request handler reads the request line and the few headers it needs, and
writes one pre-built buffer, so the server costs little next to the client.

    web = Web.generate(pages=1000, seed=1)
    web.bind()                     # ports and pages; still safe to fork
    with web.serve():              # a thread per host
        web.edit(fraction=0.1)     # one paragraph changed in 10% of the articles
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import itertools
import json
import random
import re
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import ThreadingHTTPServer

SECTIONS = ("world", "politics", "business", "science", "culture")
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class House:
    """A publisher: name, house style, feed and validator conventions."""

    name: str
    title: str
    style: str  # "story", "itemprop", "divs", "sections"
    guid_permalink: bool = True
    tracking: bool = False  # feed links carry utm_* parameters
    etag: bool = True  # False: Last-Modified only
    json_ld: bool = False
    app_state: bool = False  # the page embeds its article as JSON for a client-side app
    menu: int = 6  # topic links per section in the navigation menu
    cards: int = 12  # teaser cards below the article


HOUSES = (
    House("daily", "The Daily Ledger", "story", tracking=True, menu=12, cards=16),
    House("herald", "Morning Herald", "itemprop", guid_permalink=False, json_ld=True, app_state=True),
    House("courier", "City Courier", "divs", etag=False, menu=4, cards=8),
    House("gazette", "National Gazette", "sections", json_ld=True, app_state=True, menu=20, cards=20),
)


# -- text ------------------------------------------------------------------------------

_FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Nikos",
    "Olga",
    "Pavel",
    "Rosa",
    "Sami",
    "Tara",
    "Yusuf",
]
_LAST = [
    "Adler",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gallagher",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Romano",
    "Sato",
    "Tanaka",
]
_SUBJECTS = [
    "The minister", "Officials", "The city council", "Police", "A spokesperson for the company",
    "Residents", "The opposition leader", "Analysts", "The central bank", "Union representatives",
    "Doctors at the hospital", "The prime minister", "Investigators", "Local business owners",
    "The regulator", "Campaigners", "The health authority", "Teachers", "Economists", "Prosecutors",
]  # fmt: skip
_VERBS = [
    "said", "warned", "confirmed", "announced", "insisted", "argued", "acknowledged",
    "told reporters", "said in a statement", "suggested", "claimed", "told a briefing",
]  # fmt: skip
_THINGS = [
    "the new rail line", "the budget", "the proposed tax cut", "the investigation", "the flood defences",
    "the hospital expansion", "the wage agreement", "the border checks", "the energy price cap",
    "the housing plan", "the school reforms", "the water supply", "the port project", "the ceasefire",
    "the trade deal", "the election timetable", "the emergency fund", "the pension changes",
    "the airport extension", "the data centre", "the bridge repairs", "the vaccine programme",
]  # fmt: skip
_OUTCOMES = [
    "would cost more than first expected", "had been delayed by several months", "was under review",
    "would go ahead despite strong objections", "could be approved as early as next week",
    "had not been properly funded", "was likely to face a legal challenge", "would create hundreds of jobs",
    "had been welcomed by most of those affected", "remained the subject of intense negotiation",
    "was never meant to be permanent", "would be scaled back", "needed cross-party support to pass",
    "had exposed deep divisions within the government", "would be examined by an independent panel",
]  # fmt: skip
_WHEN = [
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend",
    "last month", "earlier this year", "by the end of the year", "in the coming weeks",
    "after a meeting that lasted late into the night", "during a visit to the region",
]  # fmt: skip
_METRICS = [
    "inflation", "unemployment", "house prices", "waiting times", "passenger numbers", "exports",
    "energy bills", "recorded crime", "rents", "retail sales", "hospital admissions", "wages",
]  # fmt: skip
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_QUOTES = [
    "We are doing everything we can to make sure this does not happen again",
    "Nobody expected the numbers to move this quickly",
    "This is a decision that will shape the city for a generation",
    "People deserve straight answers, and so far they have not had them",
    "We have been clear from the start about what we can and cannot deliver",
    "The evidence simply does not support the claims that have been made",
    "It is too early to say what the long-term effects will be",
    "We will keep talking for as long as it takes",
]  # fmt: skip
_HEAD_NOUNS = [
    "Council", "Ministers", "Bank", "Union", "Police", "Regulator", "Hospital", "Court", "Campaigners",
    "Residents", "Investors", "Schools", "Rail operator", "Airport", "Prosecutors", "Scientists",
]  # fmt: skip
_HEAD_VERBS = [
    "delays", "backs", "rejects", "warns over", "defends", "scraps", "questions", "approves",
    "pauses", "reviews", "expands", "challenges",
]  # fmt: skip


_TOPICS = [
    "latest", "analysis", "opinion", "video", "live", "explainers", "interviews", "data", "photos",
    "podcasts", "regions", "europe", "americas", "asia", "africa", "middle-east", "elections",
    "climate", "health", "education",
]  # fmt: skip
_ICON = (
    '<svg class="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M18 16.08c-.76 '
    "0-1.44.3-1.96.77L8.91 12.7c.05-.23.09-.46.09-.7s-.04-.47-.09-.7l7.05-4.11c.54.5 1.25.81 2.04.81 1.66 0 3-1.34 "
    "3-3s-1.34-3-3-3-3 1.34-3 3c0 .24.04.47.09.7L8.04 9.81C7.5 9.31 6.79 9 6 9c-1.66 0-3 1.34-3 3s1.34 3 3 3c.79 "
    '0 1.5-.31 2.04-.81l7.12 4.16c-.05.21-.08.43-.08.65 0 1.61 1.31 2.92 2.92 2.92s2.92-1.31 2.92-2.92-1.31-2.92-2.92-2.92z"/></svg>'
)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def sentence(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.45:
        return (
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_WHEN)} that "
            f"{rng.choice(_THINGS)} {rng.choice(_OUTCOMES)}."
        )
    if kind < 0.65:
        return (
            f"Figures published {rng.choice(_WHEN)} showed {rng.choice(_METRICS)} "
            f"{rng.choice(['rose', 'fell', 'climbed', 'dropped'])} by {rng.randint(1, 19)}.{rng.randint(0, 9)}% "
            f"in {rng.choice(_MONTHS)}, compared with {rng.randint(1, 9)}.{rng.randint(0, 9)}% a year earlier."
        )
    if kind < 0.85:
        return f'"{rng.choice(_QUOTES)}," said {_name(rng)}, who has followed {rng.choice(_THINGS)} closely.'
    return (
        f"{rng.choice(_THINGS).capitalize()} {rng.choice(_OUTCOMES)}, according to "
        f"{rng.choice(['documents seen by this newspaper', 'two people familiar with the matter', 'a leaked draft', 'a report published ' + rng.choice(_WHEN)])}."
    )


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def headline(rng: random.Random) -> str:
    return f"{rng.choice(_HEAD_NOUNS)} {rng.choice(_HEAD_VERBS)} {rng.choice(_THINGS).removeprefix('the ')}"


# -- articles ----------------------------------------------------------------------------


@dataclass
class Article:
    house: House
    number: int  # within its house
    section: str
    title: str
    byline: str
    published: datetime
    paragraphs: list[str]
    subheads: dict[int, str]  # paragraph index -> subheading before it
    seed: int
    modified: datetime
    edits: int = 0

    @property
    def path(self) -> str:
        slug = "-".join(w for w in self.title.lower().replace(",", "").split() if w.isalnum())
        return f"/{self.section}/{self.published:%Y/%m/%d}/{slug}-{self.number:05d}"

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    def edit(self, rng: random.Random) -> None:
        """One paragraph changed: a sentence replaced, as a newsroom update does."""
        index = rng.randrange(1, len(self.paragraphs))
        parts = self.paragraphs[index].split(". ")
        parts[rng.randrange(len(parts))] = sentence(rng).rstrip(".")
        self.paragraphs[index] = ". ".join(parts).rstrip(".") + "."
        self.edits += 1
        self.modified = self.modified + timedelta(minutes=37)


def _article(house: House, number: int, rng: random.Random) -> Article:
    paragraphs: list[str] = []
    target = rng.randint(600, 1200)
    while sum(len(p.split()) for p in paragraphs) < target:
        paragraphs.append(paragraph(rng))
    subheads = {i: headline(rng) for i in range(4, len(paragraphs) - 2, rng.randint(4, 6))}
    published = START + timedelta(minutes=7 * number + rng.randint(0, 6))
    return Article(
        house=house,
        number=number,
        section=SECTIONS[number % len(SECTIONS)],
        title=headline(rng) + f" ({number})",
        byline=_name(rng),
        published=published,
        paragraphs=paragraphs,
        subheads=subheads,
        seed=rng.randrange(1 << 30),
        modified=published,
    )


# -- page markup ---------------------------------------------------------------------------

_E = html.escape


def _script(rng: random.Random, size: int) -> str:
    """Inline JavaScript of about `size` bytes, like the analytics and ad code on real pages."""
    out = ["window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"]
    while sum(map(len, out)) < size:
        key = "".join(rng.choice("abcdefghijklmnop") for _ in range(8))
        out.append(
            f"(function(w,d){{var s=d.createElement('script');s.async=!0;s.src='/static/{key}.js';"
            f"w.__cfg_{key}={{slot:'{key}',sizes:[[300,250],[728,90]],lazy:{rng.randint(0, 1)}}};"
            f"d.head.appendChild(s)}})(window,document);"
        )
    return "".join(out)


def _links(items: list[tuple[str, str]], cls: str) -> str:
    lis = "".join(f'<li><a href="{_E(href)}">{_E(text)}</a></li>' for href, text in items)
    return f'<ul class="{cls}">{lis}</ul>'


def _body_paragraphs(a: Article, rng: random.Random, others: list[Article]) -> list[str]:
    """The article's paragraphs in house markup, with the furniture newsrooms put between them."""
    out: list[str] = []
    for i, para in enumerate(a.paragraphs):
        if i in a.subheads:
            out.append(f"<h2>{_E(a.subheads[i])}</h2>")
        out.append(f"<p>{_E(para)}</p>")
        if i == 2:
            out.append('<div class="ad-slot" data-slot="mpu-1"><span>Advertisement</span></div>')
        if i == 5 and others:
            other = rng.choice(others)
            out.append(
                f'<p class="read-more"><strong>Read more:</strong> <a href="{other.path}">{_E(other.title)}</a></p>'
            )
        if i == 7 and a.house.style in ("sections", "itemprop"):
            out.append(f"<blockquote><p>{_E(_QUOTES[a.seed % len(_QUOTES)])}</p></blockquote>")
    return out


def render_page(a: Article, base: str, others: list[Article]) -> bytes:
    rng = random.Random(a.seed)  # the same article always renders the same bytes
    h = a.house
    url = base + a.path
    published = a.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    modified = a.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_E(a.title)} | {_E(h.title)}</title>",
        f'<meta name="description" content="{_E(a.paragraphs[0][:150])}">',
        f'<meta property="og:title" content="{_E(a.title)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:url" content="{_E(url)}">',
        f'<meta property="og:image" content="{base}/images/{a.seed % 9973}.jpg">',
        f'<meta property="og:site_name" content="{_E(h.title)}">',
        f'<meta name="author" content="{_E(a.byline)}">',
        f'<meta property="article:published_time" content="{published}">',
        f'<meta property="article:modified_time" content="{modified}">',
        f'<meta property="article:section" content="{a.section.title()}">',
        f'<link rel="canonical" href="{_E(url)}">',
        f'<link rel="stylesheet" href="/static/{h.name}.css">',
        f'<link rel="alternate" type="application/rss+xml" href="/rss/{a.section}.xml">',
        f"<script>{_script(rng, rng.randint(8000, 16000))}</script>",
    ]
    if h.json_ld:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a.title,
            "datePublished": published,
            "dateModified": modified,
            "author": [{"@type": "Person", "name": a.byline}],
            "publisher": {"@type": "Organization", "name": h.title},
            "mainEntityOfPage": url,
        }
        head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    pool = [o for o in others if o is not a]
    related = rng.sample(pool, min(6, len(pool)))
    most_read = rng.sample(pool, min(10, len(pool)))
    menu = [(f"/{s}", s.title()) for s in SECTIONS] + [
        (f"/{s}/{t}", f"{s.title()} {t}") for s in SECTIONS for t in _TOPICS[: h.menu]
    ]
    nav = f'<nav class="mega-menu" aria-label="Sections">{_links(menu, "nav")}</nav>'

    ticker = "".join(f'<a href="{o.path}">{_E(o.title)}</a>' for o in most_read[:4])
    figure = (
        f'<figure class="lead"><img src="/images/{a.seed % 9973}.jpg" alt="{_E(a.title)}" width="976" height="549">'
        f"<figcaption>{_E(a.title)}. Photograph: {_E(_name(rng))}/Agency</figcaption></figure>"
    )
    meta_line = (
        f'<div class="byline">By <a rel="author" href="/authors/{a.byline.lower().replace(" ", "-")}">'
        f"{_E(a.byline)}</a></div>"
        f'<time datetime="{published}">{a.published:%d %B %Y, %H:%M}</time>'
        '<div class="share"><a href="#">Share on Facebook</a><a href="#">Share on X</a><a href="#">Email</a></div>'
    )
    paras = _body_paragraphs(a, rng, pool)
    if h.style == "story":
        article = (
            f'<article class="story"><header class="story-header"><h1>{_E(a.title)}</h1>{meta_line}</header>'
            f'{figure}<div class="story-body">{"".join(paras)}</div></article>'
        )
    elif h.style == "itemprop":
        article = (
            f'<main id="main"><div class="article" itemscope itemtype="https://schema.org/NewsArticle">'
            f'<h1 itemprop="headline">{_E(a.title)}</h1>{meta_line}{figure}'
            f'<div class="article__content" itemprop="articleBody">{"".join(paras)}</div></div></main>'
        )
    elif h.style == "divs":
        article = (
            f'<div id="content"><div class="post"><div class="post-title"><h1>{_E(a.title)}</h1></div>{meta_line}'
            f'{figure}<div class="entry-content">{"".join(paras)}</div></div></div>'
        )
    else:
        chunks = ["".join(paras[i : i + 5]) for i in range(0, len(paras), 5)]
        article = (
            f"<article><h1>{_E(a.title)}</h1>{meta_line}{figure}"
            + "".join(f'<section class="block">{c}</section>' for c in chunks)
            + "</article>"
        )
    cards = "".join(
        f'<div class="card"><a href="{o.path}"><img src="/images/{o.seed % 9973}-thumb.jpg" alt="" loading="lazy" '
        f'width="320" height="180"><h3>{_E(o.title)}</h3></a><p>{_E(o.paragraphs[0][:160])}</p>'
        f'<span class="meta">{o.section.title()} &middot; {o.published:%d %b}</span>{_ICON}</div>'
        for o in rng.sample(pool, min(h.cards, len(pool)))
    )
    teasers = f'<section class="more-from"><h2>More from {a.section.title()}</h2><div class="grid">{cards}</div></section>'
    aside = (
        '<aside class="sidebar"><h3>Most read</h3>'
        + _links([(o.path, o.title) for o in most_read], "most-read")
        + '<div class="newsletter"><h3>Get the morning briefing</h3><p>The day\'s top stories in your inbox.</p>'
        '<form action="/subscribe"><input type="email" name="email" placeholder="Email address">'
        "<button>Sign up</button></form></div></aside>"
    )
    related_html = (
        '<section class="related"><h2>More on this story</h2>'
        + _links([(o.path, o.title) for o in related], "related-links")
        + "</section>"
    )
    footer_cols = "".join(
        f'<div class="col"><h4>{s.title()}</h4>'
        + _links(
            [(f"/{s}/{t}", t.title()) for t in ("latest", "analysis", "opinion", "video", "live")], "links"
        )
        + "</div>"
        for s in SECTIONS
    )
    footer = (
        f'<footer class="site-footer">{footer_cols}<p>&copy; 2026 {_E(h.title)}. All rights reserved.</p>'
        '<p><a href="/terms">Terms</a> <a href="/privacy">Privacy</a> <a href="/cookies">Cookies</a> '
        '<a href="/contact">Contact us</a></p></footer>'
    )
    cookie = (
        '<div id="consent" class="hidden"><p>We and our partners use technologies to personalise '
        "content.</p><button>OK</button></div>"
    )
    state: dict[str, object] = {
        "page": {"id": a.seed, "section": a.section, "tags": rng.sample(_METRICS, 4)},
        "ads": {"slots": [f"slot-{i}" for i in range(12)]},
    }
    if h.app_state:
        # A client-side app's hydration data: the article again, block by block.
        state["article"] = {
            "headline": a.title,
            "blocks": [{"type": "paragraph", "model": {"text": p}} for p in a.paragraphs],
            "related": [{"title": o.title, "url": o.path, "summary": o.paragraphs[0][:200]} for o in related],
        }
    config = json.dumps(state)
    body = (
        f'<body class="{h.style}"><a class="skip" href="#main">Skip to content</a>'
        f'<header class="masthead"><a class="logo" href="/">{_E(h.title)}</a>{nav}</header>'
        f'<div class="ticker"><strong>Breaking</strong>{ticker}</div>'
        f'<div class="layout">{article}{related_html}{teasers}{aside}</div>{footer}{cookie}'
        f'<script id="__config" type="application/json">{config}</script>'
        f"<script>{_script(rng, rng.randint(4000, 10000))}</script></body>"
    )
    return f'<!doctype html><html lang="en"><head>{"".join(head)}</head>{body}</html>'.encode()


def render_feed(house: House, base: str, title: str, items: list[Article]) -> bytes:
    parts = []
    for a in items:
        link = base + a.path + ("?utm_source=rss&utm_medium=feed" if house.tracking else "")
        guid = (
            f'<guid isPermaLink="true">{_E(base + a.path)}</guid>'
            if house.guid_permalink
            else f'<guid isPermaLink="false">{house.name}-{a.number}</guid>'
        )
        parts.append(
            f"<item><title>{_E(a.title)}</title><link>{_E(link)}</link>{guid}"
            f"<description>{_E(a.paragraphs[0][:200])}</description>"
            f"<category>{a.section.title()}</category><dc:creator>{_E(a.byline)}</dc:creator>"
            f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{_E(house.title)}: {_E(title)}</title><link>{base}/</link>"
        f"<description>{_E(title)} from {_E(house.title)}</description><language>en</language>"
        f"{''.join(parts)}</channel></rss>"
    ).encode()


_PARAGRAPH = re.compile(rb"<p>([^<]*)</p>")
_OG_TITLE = re.compile(rb'<meta property="og:title" content="([^"]*)"')


def quick_extract(body: bytes) -> tuple[str, list[str]]:
    """Title and paragraphs of a page rendered here, found by pattern at almost no cost
    (a stand-in for extraction when measuring everything else)."""
    found = _OG_TITLE.search(body)
    title = html.unescape(found.group(1).decode()) if found else ""
    return title, [html.unescape(p.decode()) for p in _PARAGRAPH.findall(body)]


# -- responses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One URL's pre-built responses."""

    plain: bytes  # status line, headers and body
    gzipped: bytes
    etag: bytes | None
    last_modified: datetime
    not_modified: bytes
    size: int  # body bytes, uncompressed


def _resource(body: bytes, content_type: str, modified: datetime, etag: bool) -> Resource:
    tag = f'"{hashlib.sha1(body).hexdigest()[:20]}"' if etag else None
    lm = format_datetime(modified, usegmt=True)
    common = f"Last-Modified: {lm}\r\nCache-Control: max-age=60\r\n" + (f"ETag: {tag}\r\n" if tag else "")

    def response(payload: bytes, extra: str) -> bytes:
        return (
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
            f"{common}{extra}Vary: Accept-Encoding\r\n\r\n"
        ).encode() + payload

    return Resource(
        plain=response(body, ""),
        gzipped=response(gzip.compress(body, compresslevel=6, mtime=0), "Content-Encoding: gzip\r\n"),
        etag=tag.encode() if tag else None,
        last_modified=modified,
        not_modified=f"HTTP/1.1 304 Not Modified\r\n{common}Content-Length: 0\r\n\r\n".encode(),
        size=len(body),
    )


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
_HTML = "text/html; charset=utf-8"
_RSS = "application/rss+xml; charset=utf-8"


class _Handler(socketserver.StreamRequestHandler):
    """HTTP/1.1 keep-alive GET, conditional GET and gzip; nothing else."""

    site: Site
    rbufsize = 65536

    def handle(self) -> None:
        rfile, wfile, site = self.rfile, self.wfile, self.site
        while True:
            line = rfile.readline(8192)
            if not line:
                return
            parts = line.split()
            if len(parts) != 3:
                return
            inm = ims = None
            gz = close = False
            while True:
                header = rfile.readline(8192)
                if header in (b"\r\n", b"\n", b""):
                    break
                key, _, value = header.partition(b":")
                key = key.strip().lower()
                if key == b"if-none-match":
                    inm = value.strip()
                elif key == b"if-modified-since":
                    ims = value.strip()
                elif key == b"accept-encoding":
                    gz = b"gzip" in value
                elif key == b"connection":
                    close = value.strip().lower() == b"close"
            wfile.write(site.respond(parts[1].decode("latin-1"), inm, ims, gz))
            next(site.counter)
            if close:
                return


class Site:
    """One host: its articles, feeds and robots.txt, served from one address."""

    def __init__(self, house: House, address: str, articles: list[Article]):
        self.house = house
        self.address = address
        self.articles = articles
        self.resources: dict[str, Resource] = {}
        self.counter = itertools.count()
        self.gzip = True
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self.server is not None, "start the site first"
        return f"http://{self.address}:{self.server.server_address[1]}"

    def feeds(self) -> list[str]:
        return [f"{self.base}/rss/top.xml"] + [f"{self.base}/rss/{s}.xml" for s in SECTIONS]

    def bind(self) -> None:
        """Take a port and render every response (absolute URLs need the port)."""
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = ThreadingHTTPServer((self.address, 0), handler)
        self.server.daemon_threads = True
        self.render()

    def start(self) -> None:
        if self.server is None:
            self.bind()
        assert self.server is not None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def render(self, only: list[Article] | None = None) -> None:
        base, h = self.base, self.house
        for a in only if only is not None else self.articles:
            page = render_page(a, base, self.articles)
            self.resources[a.path] = _resource(page, _HTML, a.modified, h.etag)
        newest = max((a.modified for a in self.articles), default=START)
        top = sorted(self.articles, key=lambda a: a.published, reverse=True)[:30]
        self.resources["/rss/top.xml"] = _resource(
            render_feed(h, base, "Top stories", top), _RSS, newest, True
        )
        for s in SECTIONS:
            items = sorted(
                (a for a in self.articles if a.section == s), key=lambda a: a.published, reverse=True
            )
            body = render_feed(h, base, s.title(), items)
            self.resources[f"/rss/{s}.xml"] = _resource(body, _RSS, newest, True)
        robots = b"User-agent: *\nDisallow: /admin/\nDisallow: /search\n"
        self.resources["/robots.txt"] = _resource(robots, "text/plain", START, True)

    def respond(self, target: str, inm: bytes | None, ims: bytes | None, gz: bool) -> bytes:
        res = self.resources.get(target.split("?", 1)[0])
        if res is None:
            return _NOT_FOUND
        if inm is not None:
            if res.etag is not None and inm == res.etag:
                return res.not_modified
        elif ims is not None:
            with contextlib.suppress(TypeError, ValueError):
                if parsedate_to_datetime(ims.decode("latin-1")) >= res.last_modified.replace(microsecond=0):
                    return res.not_modified
        return res.gzipped if gz and self.gzip else res.plain


@dataclass
class Web:
    """All the sites of one benchmark."""

    sites: list[Site]
    seed: int
    edited: list[Article] = field(default_factory=list)

    @classmethod
    def generate(cls, pages: int, seed: int = 1, hosts: int = 4) -> Web:
        rng = random.Random(seed)
        houses = HOUSES[:hosts]
        per = [pages // len(houses) + (1 if i < pages % len(houses) else 0) for i in range(len(houses))]
        sites = []
        for i, (house, count) in enumerate(zip(houses, per, strict=True)):
            articles = [_article(house, n, rng) for n in range(count)]
            sites.append(Site(house, f"127.0.0.{i + 1}", articles))
        return cls(sites, seed)

    @property
    def articles(self) -> list[Article]:
        return [a for s in self.sites for a in s.articles]

    def pages(self) -> list[tuple[str, bytes]]:
        """(url, uncompressed HTML) of every article, as served."""
        out = []
        for site in self.sites:
            for a in site.articles:
                raw = site.resources[a.path].plain
                out.append((site.base + a.path, raw[raw.index(b"\r\n\r\n") + 4 :]))
        return out

    def bind(self) -> None:
        """Ports taken and pages rendered, no thread started yet (so the process can still fork)."""
        for site in self.sites:
            site.bind()

    @contextlib.contextmanager
    def serve(self) -> Iterator[Web]:
        for site in self.sites:
            site.start()
        try:
            yield self
        finally:
            for site in self.sites:
                site.stop()

    def edit(self, fraction: float) -> list[Article]:
        """Change one paragraph in `fraction` of all articles; re-render them."""
        rng = random.Random(self.seed + 1000 + len(self.edited))
        chosen = rng.sample(self.articles, max(1, round(len(self.articles) * fraction)))
        for a in chosen:
            a.edit(rng)
        for site in self.sites:
            mine = [a for a in chosen if a.house is site.house]
            site.render(mine)  # feeds too: their Last-Modified moves, as a real CMS's would
        self.edited += chosen
        return chosen

    @property
    def served(self) -> int:
        # itertools.count is bumped atomically from the handler threads; read it without bumping.
        return sum(int(repr(s.counter)[6:-1]) for s in self.sites)
