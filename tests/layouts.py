"""Article pages in many layouts: the same article inside random chrome, wrappers and
class names, with the furniture news sites put around and among paragraphs (bylines with
dates, stamps, share bars, comment counts, related links, tags, newsletter boxes, ads).

`page(rng, article)` gives the HTML; extraction must give back exactly `article.title`
and `article.paragraphs` whatever the layout. Names of classes and ids are random
tokens: the rules under test may not lean on them.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field

_VOCABULARY = (
    "council budget vote mayor river bridge school teachers police report city county storm "
    "snow power residents plan hospital workers union court judge ruling election state board "
    "water tax housing road museum library park festival market prices company jobs airport "
    "train station fire crews families shelter donations winter forecast officials said "
    "tuesday evening morning afternoon district hearing project million dollars percent"
)
_WORDS = _VOCABULARY.split()
_NAMES = ("Jane Doe", "Li Wei", "Anna de la Cruz", "Omar Haddad", "Kate O'Neil", "Ben Okafor")
_SITES = ("The Daily Fixture", "Channel 7 News", "Riverside Herald", "Metro Wire")


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]
    byline: str = "Jane Doe"
    extra: tuple[str, ...] = field(default=())  # prose boxes inside the body (a correction)


def sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(_WORDS) for _ in range(words)]
    return " ".join(picked).capitalize() + rng.choice((".", ".", ".", "!", "?"))


def article(rng: random.Random, paragraphs: int | None = None, short: bool = False) -> Article:
    count = paragraphs if paragraphs is not None else rng.randint(1, 7)
    paras = []
    for _ in range(count):
        size = rng.randint(4, 14) if short else rng.randint(10, 40)
        paras.append(" ".join(sentence(rng, max(3, size // 2)) for _ in range(1 + size // 15)))
    title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 10))).title()
    return Article(title, tuple(dict.fromkeys(paras)), rng.choice(_NAMES))


def token(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 8)))


def _attrs(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.8:
        parts.append(f'class="{token(rng)}{rng.choice(["", "-" + token(rng), "__" + token(rng)])}"')
    if rng.random() < 0.2:
        parts.append(f'id="{token(rng)}"')
    return (" " + " ".join(parts)) if parts else ""


def _wrap(rng: random.Random, inner: str, depth: int | None = None) -> str:
    for _ in range(rng.randint(0, 2) if depth is None else depth):
        tag = rng.choice(("div", "div", "section"))
        inner = f"<{tag}{_attrs(rng)}>{inner}</{tag}>"
    return inner


def _stamp(rng: random.Random) -> str:
    return rng.choice(
        (
            "May 25, 2025 10:42 am",
            "Updated 10:42 AM EST",
            "Published May 25, 2025",
            "3 hours ago",
            "Updated: 11:56 a.m. ET Nov. 19, 2025",
            "2025-05-25T10:42:00Z",
            "Posted Monday, May 25, 2025",
        )
    )


def _byline(rng: random.Random, name: str) -> str:
    e = html.escape
    when = f"<time datetime='2025-05-25T10:42:00Z'>{_stamp(rng)}</time>"
    author = f"<a href='/people/{token(rng)}'>{e(name)}</a>" if rng.random() < 0.5 else e(name)
    return rng.choice(
        (
            f"<div{_attrs(rng)}>By {author}</div><div{_attrs(rng)}>{when}</div>",
            f"<p{_attrs(rng)}>By {author} | {when}</p>",
            f"<div{_attrs(rng)}>By {author} {when}</div>",
            f"<div{_attrs(rng)}><span>By {author}</span> <span>{when}</span></div>",
            f"<p{_attrs(rng)}>{when}</p>",
        )
    )


def _share(rng: random.Random) -> str:
    labels = rng.sample(
        ["Share", "Tweet", "Email", "Facebook", "Print", "Copy link", "Save"], rng.randint(1, 4)
    )
    if rng.random() < 0.5:
        items = "".join(f"<button type='button'>{x}</button>" for x in labels)
    else:
        items = " ".join(f"<a href='#{token(rng)}'>{x}</a>" for x in labels)
    count = rng.choice(
        (
            "",
            f" <a href='#comments'>{rng.randint(2, 999)} comments</a>",
            f" <span>{_count(rng)} shares</span>",
            f" {_count(rng)}",
        )
    )
    return f"<div{_attrs(rng)}>{items}{count}</div>"


def _count(rng: random.Random) -> str:
    """A count as share bars show one: 7, 941, 12,403, 1.1K, 2M."""
    n = rng.choice((rng.randint(1, 999), rng.randint(1000, 99999)))
    return rng.choice((f"{n:,}", f"{n / 1000:.1f}K", f"{n // 1000}K")) if n >= 1000 else str(n)


def _related(rng: random.Random) -> str:
    """Links to other stories: titles only, or each with its blurb."""
    blurbs = rng.random() < 0.4
    items = []
    for _ in range(rng.randint(2, 4)):
        title = sentence(rng, rng.randint(4, 9)).rstrip(".!?")
        link = f"<a href='/{token(rng)}'>{title}</a>"
        if blurbs:
            items.append(f"<li><h4>{link}</h4><p>{sentence(rng, rng.randint(6, 14))}</p></li>")
        else:
            items.append(f"<li>{link}</li>")
    heading = rng.choice(("More stories", "Related", "Most read", "Trending now", "Watch next"))
    return f"<div{_attrs(rng)}><h3>{heading}</h3><ul>{''.join(items)}</ul></div>"


def _newsletter(rng: random.Random) -> str:
    return (
        f"<div{_attrs(rng)}><h3>{sentence(rng, 3).rstrip('.!?')}</h3><p>{sentence(rng, 9)}</p>"
        f"<form action='/subscribe'><input type='email' placeholder='Email address'>"
        f"<button type='submit'>Sign up</button></form></div>"
    )


def _tags(rng: random.Random) -> str:
    links = " ".join(f"<a href='/tag/{token(rng)}'>{rng.choice(_WORDS).title()}</a>" for _ in range(3))
    return f"<div{_attrs(rng)}>{links}</div>"


def _chrome_between(rng: random.Random) -> str:
    kind = rng.choice(("ad", "related", "newsletter", "share", "none", "none"))
    if kind == "ad":
        return f"<div{_attrs(rng)}><span>Advertisement</span></div>"
    if kind == "related":
        return _related(rng)
    if kind == "newsletter":
        return _newsletter(rng)
    if kind == "share":
        return _share(rng)
    return ""


def page(rng: random.Random, art: Article, site: str | None = None) -> str:
    """The article inside one random layout."""
    e = html.escape
    site = site or rng.choice(_SITES)
    social = art.title if rng.random() < 0.5 else sentence(rng, 6).rstrip(".!?")
    head = (
        f"<meta charset='utf-8'><title>{e(art.title)} | {e(site)}</title>"
        f'<meta property="og:title" content="{e(social)}">'
        f'<meta property="og:site_name" content="{e(site)}">'
        f'<meta name="author" content="{e(art.byline)}">'
        '<meta property="article:published_time" content="2025-05-25T10:42:00Z">'
    )
    nav = "".join(f"<li><a href='/{w}'>{w.title()}</a></li>" for w in rng.sample(_WORDS, 5))
    header = f"<header{_attrs(rng)}><a href='/'>{e(site)}</a><nav><ul>{nav}</ul></nav></header>"
    h1 = f"<h1{_attrs(rng)}>{e(art.title)}</h1>"
    top = [h1, _byline(rng, art.byline)]
    if rng.random() < 0.4:
        top.append(_share(rng))
    rng.shuffle(top[1:])
    body: list[str] = []
    if rng.random() < 0.2:
        body.append(f"<p>{e(art.title)}</p>")  # the headline echoed
    tag = rng.choice(("p", "p", "p", "div", "br"))  # some sites set paragraphs in <div>s, or apart by <br>s
    for i, para in enumerate(art.paragraphs):
        body.append(f"{e(para)}<br><br>" if tag == "br" else f"<{tag}>{e(para)}</{tag}>")
        if i < len(art.paragraphs) - 1:
            body.append(_chrome_between(rng))
    for box in art.extra:
        at = rng.randint(1, max(1, len(body) - 1))
        body.insert(at, f"<aside{_attrs(rng)}><p>{e(box)}</p></aside>")
    if rng.random() < 0.25 and len(body) > 2:  # the body split into several <article> blocks
        cut = rng.randint(1, len(body) - 1)
        body = [f"<article>{''.join(body[:cut])}</article>", f"<article>{''.join(body[cut:])}</article>"]
    text = _wrap(rng, "".join(body), 1)
    tail = [_share(rng), _tags(rng)] if rng.random() < 0.7 else []
    container = rng.choice(("article", "article", "main", "div role='main'"))
    close = container.split()[0]
    article_html = f"<{container}{_attrs(rng)}>{_wrap(rng, ''.join(top))}{text}{''.join(tail)}</{close}>"
    aside = f"<aside{_attrs(rng)}>{_related(rng)}</aside>" if rng.random() < 0.6 else ""
    footer = f"<footer><p>© 2025 {e(site)}. All rights reserved.</p></footer>"
    layout = _wrap(rng, article_html + aside)
    return f"<!doctype html><html lang='en'><head>{head}</head><body>{header}{layout}{footer}</body></html>"
