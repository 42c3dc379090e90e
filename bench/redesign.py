"""Redesign fuzzer and edit injector: no version from a redesign, exactly one from an edit.

    python bench/redesign.py --corpus DIR [--seed N] [--jobs N] [--json] [--write]

Every page of the corpus (`pages/`: aeb, readability, same-url, news-sniffer; and, for every
feed history in `feeds/history/`, the items of its first snapshot as article pages inside a
news site's chrome, `bench/chrome.py`) is taken as the page behind an article's latest
version, then changed two ways, each judged as the updater judges a fresh page
(`journal.extract.extract_page`, `journal.pagetext.read` and `journal.evidence.decide`, as
the checker calls them):

- REDESIGNS: what a site does to its pages without touching the story (new chrome and
  wrappers, renamed classes, the headline repeated as a paragraph or not, credits glued to
  paragraphs or split off captions, other date formats and precision, a social `og:title`,
  the body split over several `<article>` blocks, lazy images, furniture lines, related
  links, share bars, comment counts, "Updated" stamps, newsletter boxes, a second copy of
  the standfirst, ad slots, the markup re-serialised). Each must make no version.
- EDITS: what a newsroom does (a word, a number, a sentence added, a paragraph removed, the
  headline, a caption, a correction box), alone and together with a redesign of a class
  drawn at random. Each must make a version holding exactly that change: the words it
  removed and added, or the new headline.

Transforms are generic: they find the article in any page by the extractor's own
paragraphs and touch only elements found that way. Everything is drawn from one seed.
Markdown goes to stdout (`--json` for JSON); `--write` puts it into bench/RESULTS.md under
"Redesign fuzzer".
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path

import lxml.html
from lxml import etree

from journal import captions, pagetext
from journal.diff import diff
from journal.evidence import decide
from journal.extract import decode_html, extract_page
from journal.models import ArticleText, Extraction
from journal.normalize import comparable
from journal.pagewords import words

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import chrome  # noqa: E402
from results import write_section  # noqa: E402

SECTION = "Redesign fuzzer"
URL = "https://news.example.org/2025/05/story"
HTML = "text/html; charset=utf-8"
Node = lxml.html.HtmlElement

# -- where the article stands in a page ---------------------------------------------------


@dataclass
class Article:
    """A parsed page and the elements of its article, found by the extractor's text."""

    doc: Node
    headline: Node | None
    paragraphs: list[Node]  # elements whose text is a paragraph of the extraction, in order
    figures: list[Node]  # figures whose caption the extraction holds
    text: str = ""  # the extraction's words: a redesign never changes them

    def reads(self, text: str) -> bool:
        """Whether the extraction holds these words (in one of its lines)."""
        key = comparable(text)
        return bool(key) and f" {key} " in self.text


_BLOCKS = ("p", "li", "h2", "h3", "h4", "blockquote", "div", "td", "pre")


def locate(doc: Node, found: Extraction) -> Article:
    wanted = Counter(comparable(line) for line in found.paragraphs if not line.startswith("!["))
    paragraphs: list[Node] = []
    for node in doc.iter(*_BLOCKS):
        key = comparable(node.text_content())
        if (
            key
            and wanted[key] > 0
            and not any(comparable(c.text_content()) == key for c in node.iter(*_BLOCKS) if c is not node)
        ):
            wanted[key] -= 1
            paragraphs.append(node)
    title = comparable(found.title)
    headlines = [h for h in doc.iter("h1") if comparable(h.text_content())]
    headline = next(
        (h for h in headlines if comparable(h.text_content()) == title), headlines[0] if headlines else None
    )
    # Figures whose caption the extraction holds with the identity of their media (a
    # caption without one is never a version: see journal.captions).
    held = [captions.parse(line) for line in found.paragraphs]
    shown = {comparable(c.text) for c in held if c is not None and c.media}
    figures = [
        f
        for f in doc.iter("figure")
        if any(comparable(c.text_content()) in shown for c in f.iter("figcaption"))
    ]
    lines = " | ".join(comparable(line) for line in (found.title, *found.paragraphs))
    return Article(doc, headline, paragraphs, figures, f" {lines} ")


def parse(html: str) -> Node:
    return lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html))


def serialise(doc: Node) -> bytes:
    for meta in doc.iter("meta"):
        if meta.get("charset") or (meta.get("http-equiv") or "").lower() == "content-type":
            meta.drop_tree()  # the page is written out as UTF-8, whatever it said before
    return b"<!DOCTYPE html>\n" + etree.tostring(doc, method="html", encoding="utf-8")


# -- made-up text ------------------------------------------------------------------------

_INVENTED = "harbour council ministry pension bridge tunnel ferry orchard glacier lantern quarry meadow cathedral pipeline reservoir warehouse festival senate tribunal museum"
_WORDS = _INVENTED.split(" ")  # words no page of the corpus needs in any one paragraph
_SECTIONS = ["World", "Politics", "Business", "Science", "Climate", "Health", "Culture", "Sport"]
_SENTENCES = [
    "A spokesperson for the agency said a decision was expected within the next two weeks.",
    "Neither side responded to repeated requests for comment on Thursday evening.",
    "The figures were confirmed by the regional authority late on Wednesday.",
]
_CORRECTIONS = [
    "Correction: An earlier version of this article gave the wrong date for the council vote. It was held on Tuesday.",
    "Editor's note: This story has been updated to include a response from the ministry, received after publication.",
]


def token(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def headline_like(rng: random.Random) -> str:
    return " ".join(
        rng.choice(_WORDS).title() if i == 0 else rng.choice(_WORDS) for i in range(rng.randint(5, 9))
    )


def element(html: str) -> Node:
    return lxml.html.fragment_fromstring(html)


def insert_after(node: Node, new: Node) -> None:
    tail = node.tail
    node.tail = None
    node.addnext(new)
    new.tail = tail


def insert_before(node: Node, new: Node) -> None:
    node.addprevious(new)


def pick(rng: random.Random, nodes: list[Node]) -> Node | None:
    return rng.choice(nodes) if nodes else None


def when(rng: random.Random) -> datetime:
    return datetime(2025, 5, 25, 10, 42, tzinfo=UTC) + timedelta(minutes=rng.randint(-3000, 3000))


# -- redesigns ---------------------------------------------------------------------------

Redesign = Callable[[Article, random.Random], bool]


def new_chrome(a: Article, rng: random.Random) -> bool:
    """New site header, navigation and footer; the old navigation goes."""
    body = a.doc.body
    for nav in list(body.iter("nav")):
        if (
            not any(nav in p.iterancestors() or p in nav.iterancestors() for p in a.paragraphs)
            and nav.getparent() is not None
        ):
            nav.drop_tree()
    menu = "".join(f'<li><a href="/{s.lower()}/">{s}</a></li>' for s in rng.sample(_SECTIONS, 6))
    header = element(
        f'<header class="{token(rng)}"><a class="{token(rng)}" href="/">The {rng.choice(_WORDS).title()} Post</a>'
        f'<nav><ul>{menu}</ul></nav><form action="/search"><input name="q" placeholder="Search"></form></header>'
    )
    footer = element(
        f'<footer class="{token(rng)}"><ul><li><a href="/about">About us</a></li><li><a href="/terms">Terms of use</a>'
        f"</li></ul><p>© 2025 The {rng.choice(_WORDS).title()} Post Ltd. All rights reserved.</p></footer>"
    )
    body.insert(0, header)
    body.append(footer)
    return True


def wrappers(a: Article, rng: random.Random) -> bool:
    """Every paragraph in a wrapper of its own, the body in two more."""
    for p in a.paragraphs:
        parent = p.getparent()
        if parent is None or p.tag in ("li", "td"):
            continue
        wrap = element(f'<div class="{token(rng)}"></div>')
        insert_before(p, wrap)
        wrap.tail, p.tail = p.tail, None
        wrap.append(p)
    body = a.doc.body
    outer = element(f'<div class="{token(rng)}"><div class="{token(rng)}"></div></div>')
    inner = outer[0]
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)
    body.append(outer)
    return True


def classes(a: Article, rng: random.Random) -> bool:
    """Every class and id renamed."""
    names: dict[str, str] = {}
    for node in a.doc.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in ("class", "id"):
            value = node.get(attr)
            if value:
                node.set(attr, " ".join(names.setdefault(v, token(rng)) for v in value.split()))
    return True


def headline_paragraph(a: Article, rng: random.Random) -> bool:
    """The headline repeated as a paragraph above the text, or no longer."""
    if a.headline is None or not a.paragraphs:
        return False
    text = " ".join(a.headline.text_content().split())
    echoes = [p for p in a.doc.iter("p") if comparable(p.text_content()) == comparable(text)]
    if echoes:
        for echo in echoes:
            echo.drop_tree()
    else:
        insert_before(a.paragraphs[0], element(f'<p class="{token(rng)}">{escape(text)}</p>'))
    return True


def credits(a: Article, rng: random.Random) -> bool:
    """Photo captions and credits glued to the paragraph before them, or credits split off
    their captions."""
    done = False
    for figure in a.figures:
        caption = next(figure.iter("figcaption"), None)
        if caption is None:
            continue
        prev = figure.getprevious()
        if rng.random() < 0.5 and prev is not None and prev in a.paragraphs:
            inline = element(
                f'<span class="{token(rng)}"> {escape(" ".join(caption.text_content().split()))}</span>'
            )
            figure.drop_tree()
            prev.append(inline)
            done = True
        elif len(caption) and caption[-1].tag != "br":
            credit = caption[-1]
            caption.remove(credit) if credit.tail is None else credit.drop_tree()
            insert_after(figure, element(f'<p class="{token(rng)}">{escape(credit.text_content())}</p>'))
            done = True
    return done


_MONTHS = "January February March April May June July August September October November December"
_MONTH = _MONTHS.split(" ")
_DATE_TEXT = re.compile(
    r"\b(?:(?P<m1>" + "|".join(m[:3] for m in _MONTH) + r")[a-z]*\.? (?P<d1>\d{1,2}),? (?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2}) (?P<m2>" + "|".join(m[:3] for m in _MONTH) + r")[a-z]* (?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))\b"
)


def date_text(moment: datetime, style: int) -> str:
    hour = moment.hour % 12 or 12
    return [
        f"{moment.day} {_MONTH[moment.month - 1]} {moment.year}",
        f"{_MONTH[moment.month - 1][:3]}. {moment.day}, {moment.year} at {hour}:{moment:%M} {'a.m.' if moment.hour < 12 else 'p.m.'} ET",
        f"{moment:%Y-%m-%d %H:%M} UTC",
        f"{_MONTH[moment.month - 1]} {moment.day}, {moment.year}",
    ][style % 4]


def dates(a: Article, rng: random.Random) -> bool:
    """Dates shown in another format, and given at another precision in the metadata."""
    style = rng.randrange(4)
    inside = {id(n) for p in a.paragraphs for n in p.iter()}
    for node in a.doc.iter():
        if not isinstance(node.tag, str) or id(node) in inside:
            continue
        if node.tag == "time":
            moment = parse_moment(node.get("datetime") or node.text_content()) or when(rng)
            node.text = date_text(moment, style)
            for child in list(node):
                node.remove(child)
            node.set(
                "datetime",
                moment.strftime("%Y-%m-%d") if style % 2 else moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        elif node.tag == "meta" and "time" in (node.get("property") or node.get("name") or "").lower():
            moment = parse_moment(node.get("content") or "")
            if moment is not None:
                precise = "T" in (node.get("content") or "")
                node.set(
                    "content",
                    moment.strftime("%Y-%m-%d") if precise else moment.strftime("%Y-%m-%dT09:30:00Z"),
                )
        elif (
            node.text
            and len(node.text.split()) <= 12
            and _DATE_TEXT.search(node.text)
            and not a.reads(node.text)
        ):
            moment = parse_moment(node.text)
            if moment is not None:
                node.text = _DATE_TEXT.sub(date_text(moment, style), node.text, count=1)
    return True


def parse_moment(text: str) -> datetime | None:
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        pass
    match = _DATE_TEXT.search(text)
    if match is None:
        return None
    g = match.groupdict()
    try:
        if g["y3"]:
            return datetime(int(g["y3"]), int(g["m3"]), int(g["d3"]), tzinfo=UTC)
        month = g["m1"] or g["m2"]
        number = [m[:3] for m in _MONTH].index(month[:3].title()) + 1
        return datetime(int(g["y1"] or g["y2"]), number, int(g["d1"] or g["d2"]), tzinfo=UTC)
    except ValueError:
        return None


def og_title(a: Article, rng: random.Random) -> bool:
    """A headline written for social media in `og:title` and `twitter:title`."""
    if a.headline is None:
        return False
    shown = " ".join(a.headline.text_content().split())
    social = rng.choice([f"{shown}: here is what we know so far", f"Explained: {shown}", f"{shown} (watch)"])
    metas = [
        m
        for m in a.doc.iter("meta")
        if (m.get("property") or m.get("name") or "").lower() in ("og:title", "twitter:title")
    ]
    if not metas:
        head = a.doc.find("head")
        if head is None:
            return False
        metas = [etree.SubElement(head, "meta", property="og:title")]
    for meta in metas:
        meta.set("content", social)
    return True


def split_articles(a: Article, rng: random.Random) -> bool:
    """The body split over two or three `<article>` blocks."""
    parents = Counter(p.getparent() for p in a.paragraphs if p.getparent() is not None)
    if not parents:
        return False
    parent = parents.most_common(1)[0][0]
    children = list(parent)
    if len(children) < 3:
        return False
    cuts = sorted(rng.sample(range(1, len(children)), min(rng.randint(1, 2), len(children) - 1)))
    groups = [children[i:j] for i, j in zip([0, *cuts], [*cuts, len(children)], strict=True)]
    text, parent.text = parent.text, None
    for child in children:
        parent.remove(child)
    for n, group in enumerate(groups):
        block = element(f'<article class="{token(rng)}"></article>')
        if n == 0:
            block.text = text
        for child in group:
            block.append(child)
        parent.append(block)
    return True


def lazy_images(a: Article, rng: random.Random) -> bool:
    """Images loaded lazily: a placeholder `src`, the real address in `data-src`, other sizes in `srcset`."""
    images = list(a.doc.iter("img"))
    for img in images:
        src = img.get("data-src") or img.get("src") or ""
        if not src or src.startswith("data:"):
            continue
        img.set("data-src", src)
        img.set("src", "data:image/gif;base64,R0lGODlhAQABAAAAACw=")
        stem = src.split("?", 1)[0]
        img.set("srcset", ", ".join(f"{stem}?w={w}&q={rng.randint(60, 90)} {w}w" for w in (320, 640, 1280)))
        img.set("loading", "lazy")
    return bool(images)


def furniture(a: Article, rng: random.Random) -> bool:
    """Lines of page furniture between the paragraphs."""
    if len(a.paragraphs) < 2:
        return False
    section = rng.choice(_SECTIONS)
    # As sites print them: the section's name links to the section (BBC: "From the
    # section <a>US & Canada</a>").
    lines = [
        "Advertisement",
        f'From the section <a href="/{token(rng)}">{escape(section)}</a>',
        "Published",
        f"{rng.randint(2, 12)} min read",
        "Story continues below advertisement",
        escape(f"Listen to this article · {rng.randint(2, 9)}:{rng.randint(10, 59)}"),
    ]
    for line in rng.sample(lines, 3):
        insert_after(rng.choice(a.paragraphs[:-1]), element(f'<div class="{token(rng)}">{line}</div>'))
    return True


def related(a: Article, rng: random.Random) -> bool:
    """A block of links to other stories among the paragraphs."""
    if len(a.paragraphs) < 2:
        return False
    items = "".join(
        f'<li><a href="/{token(rng)}">{escape(headline_like(rng))}</a></li>' for _ in range(rng.randint(3, 5))
    )
    block = element(
        f'<div class="{token(rng)}"><h3>{rng.choice(["Related", "More on this story", "Read next"])}</h3><ul>{items}</ul></div>'
    )
    insert_after(rng.choice(a.paragraphs[:-1]), block)
    return True


def share_bar(a: Article, rng: random.Random) -> bool:
    """Share buttons with a count, under the headline and after the text."""
    if not a.paragraphs:
        return False
    for anchor in (a.paragraphs[0], a.paragraphs[-1]):
        bar = element(
            f'<div class="{token(rng)}"><span>Share</span> <a href="#fb">Facebook</a> <a href="#x">X</a> '
            f'<a href="#mail">Email</a> <span>{chrome.count(rng.randint(10, 9000))} shares</span></div>'
        )
        (insert_before if anchor is a.paragraphs[0] else insert_after)(anchor, bar)
    return True


def comment_count(a: Article, rng: random.Random) -> bool:
    """The number of comments, under the headline and after the text."""
    if not a.paragraphs:
        return False
    n = rng.randint(2, 2000)
    insert_before(a.paragraphs[0], element(f'<a class="{token(rng)}" href="#comments">{n} comments</a>'))
    insert_after(
        a.paragraphs[-1], element(f'<div class="{token(rng)}"><a href="#comments">{n} Comments</a></div>')
    )
    return True


def updated_stamp(a: Article, rng: random.Random) -> bool:
    """An "Updated" stamp under the headline."""
    if not a.paragraphs:
        return False
    moment = when(rng)
    stamp = rng.choice(
        [
            f"Updated {date_text(moment, 1)}",
            f"Updated {rng.randint(2, 50)} minutes ago",
            f"Last updated: {date_text(moment, 0)}",
        ]
    )
    insert_before(a.paragraphs[0], element(f'<p class="{token(rng)}">{escape(stamp)}</p>'))
    return True


def newsletter(a: Article, rng: random.Random) -> bool:
    """A newsletter sign-up box among the paragraphs."""
    if len(a.paragraphs) < 2:
        return False
    box = element(
        f'<div class="{token(rng)}"><h4>Sign up for The {rng.choice(_WORDS).title()} Briefing</h4>'
        "<p>Get the day's top stories in your inbox every morning.</p><form action='/subscribe'>"
        "<input type='email' placeholder='Email address'><button>Sign up</button></form></div>"
    )
    insert_after(rng.choice(a.paragraphs[:-1]), box)
    return True


def standfirst_copy(a: Article, rng: random.Random) -> bool:
    """A second copy of the standfirst (the page's description, else its first paragraph)."""
    if not a.paragraphs:
        return False
    described = [
        m.get("content") or ""
        for m in a.doc.iter("meta")
        if (m.get("property") or m.get("name") or "").lower() in ("og:description", "description")
    ]
    text = next(
        (d for d in described if len(d.split()) >= 8), " ".join(a.paragraphs[0].text_content().split())
    )
    anchor = a.headline if a.headline is not None else a.paragraphs[0]
    (insert_after if anchor is a.headline else insert_before)(
        anchor, element(f'<p class="{token(rng)}">{escape(text)}</p>')
    )
    return True


def ad_slots(a: Article, rng: random.Random) -> bool:
    """Ad slots between paragraphs: an empty container and its label."""
    if len(a.paragraphs) < 3:
        return False
    for p in rng.sample(a.paragraphs[:-1], min(3, len(a.paragraphs) - 1)):
        insert_after(
            p,
            element(
                f'<div class="{token(rng)}"><span>Advertisement</span><div id="{token(rng)}"></div></div>'
            ),
        )
    return True


def reserialised(a: Article, rng: random.Random) -> bool:
    """The markup written out again, its whitespace changed: lines broken and indented,
    non-breaking spaces."""
    for p in a.paragraphs:
        for node in p.iter():
            if node.text:
                node.text = re.sub(r" ", lambda _: rng.choice([" ", "\n    ", " ", "\u00a0"]), node.text)
    return True


REDESIGNS: dict[str, Redesign] = {
    "new chrome": new_chrome,
    "wrappers": wrappers,
    "renamed classes and ids": classes,
    "headline as a paragraph or not": headline_paragraph,
    "credits glued or split": credits,
    "date formats and precision": dates,
    "og:title rewritten": og_title,
    "body in several <article> blocks": split_articles,
    "lazy images and srcset": lazy_images,
    "furniture lines": furniture,
    "related links": related,
    "share bars": share_bar,
    "comment counts": comment_count,
    "Updated stamp": updated_stamp,
    "newsletter box": newsletter,
    "second copy of the standfirst": standfirst_copy,
    "ad slots": ad_slots,
    "re-serialised markup": reserialised,
}


# -- edits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What an edit changed: the words removed and added, in the text or in the title."""

    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    title: bool = False
    echo: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # the headline's words before and after


Edit = Callable[[Article, random.Random], Expected | None]


def text_slots(node: Node) -> Iterator[tuple[Node, str]]:
    """The text nodes of an element, as (element, "text" or "tail")."""
    for sub in node.iter():
        if sub is not node and sub.tag in ("script", "style"):
            continue
        if isinstance(sub.tag, str) and sub.text:
            yield sub, "text"
        if sub is not node and sub.tail:
            yield sub, "tail"


def replace_in(
    node: Node, pattern: re.Pattern[str], make: Callable[[str], str], rng: random.Random
) -> tuple[str, str] | None:
    """Replace one match of `pattern` in one text node of `node`: (old, new)."""
    found = [(el, slot, m) for el, slot in text_slots(node) for m in pattern.finditer(getattr(el, slot))]
    if not found:
        return None
    el, slot, match = rng.choice(found)
    old = match.group(0)
    new = make(old)
    value = getattr(el, slot)
    setattr(el, slot, value[: match.start()] + new + value[match.end() :])
    return old, new


def edit_word(a: Article, rng: random.Random) -> Expected | None:
    candidates = [p for p in a.paragraphs if len(p.text_content().split()) >= 12]
    p = pick(rng, candidates)
    if p is None:
        return None
    present = set(words(p.text_content()))
    choice = [w for w in _WORDS if w not in present]
    done = replace_in(p, re.compile(r"(?<![\w'’-])[a-z]{5,}(?![\w'’-])"), lambda _: rng.choice(choice), rng)
    return Expected((done[0],), (done[1],)) if done else None


def edit_number(a: Article, rng: random.Random) -> Expected | None:
    p = pick(rng, [x for x in a.paragraphs if re.search(r"\d", x.text_content())])
    if p is None:
        return None
    done = replace_in(
        p, re.compile(r"(?<![\w.,])\d+(?![\w])"), lambda n: str(int(n) + rng.randint(1, 9)), rng
    )
    return Expected((done[0],), (done[1],)) if done else None


def edit_sentence(a: Article, rng: random.Random) -> Expected | None:
    p = pick(rng, [x for x in a.paragraphs if x.tag == "p" and len(x.text_content().split()) >= 8])
    if p is None:
        return None
    sentence = rng.choice(_SENTENCES)
    if len(p):
        p[-1].tail = (p[-1].tail or "").rstrip() + " " + sentence
    else:
        p.text = (p.text or "").rstrip() + " " + sentence
    return Expected(added=tuple(words(sentence)))


def edit_paragraph_removed(a: Article, rng: random.Random) -> Expected | None:
    p = pick(
        rng, [x for x in a.paragraphs[1:] if len(x.text_content().split()) >= 8 and x.getparent() is not None]
    )
    if p is None:
        return None
    text = p.text_content()
    p.drop_tree()
    return Expected(removed=tuple(words(text)))


def edit_headline(a: Article, rng: random.Random) -> Expected | None:
    if a.headline is None:
        return None
    before = " ".join(a.headline.text_content().split())
    present = set(words(before))
    replacement = rng.choice([w for w in _WORDS if w not in present])
    done = replace_in(
        a.headline, re.compile(r"(?<![\w'’-])[A-Za-z]{4,}(?![\w'’-])"), lambda _: replacement, rng
    )
    if done is None:
        return None
    after_text = " ".join(a.headline.text_content().split())
    for other in a.doc.iter("h1"):  # every copy of the headline the page displays
        if other is not a.headline and " ".join(other.text_content().split()) == before:
            replace_in(other, re.compile(re.escape(done[0])), lambda _: done[1], rng)
    titles = ("og:title", "twitter:title", "headline")
    for node in [
        *a.doc.iter("title"),
        *(m for m in a.doc.iter("meta") if (m.get("property") or m.get("name") or "").lower() in titles),
    ]:
        key = "content" if node.tag == "meta" else None
        value = node.get("content") if key else node.text
        if value and before in value:
            if key:
                node.set(key, value.replace(before, after_text))
            else:
                node.text = value.replace(before, after_text)
    return Expected((done[0],), (done[1],), title=True, echo=(tuple(words(before)), tuple(words(after_text))))


def edit_caption(a: Article, rng: random.Random) -> Expected | None:
    captions = [c for f in a.figures for c in f.iter("figcaption") if len(c.text_content().split()) >= 4]
    caption = pick(rng, captions)
    if caption is None:
        return None
    present = set(words(caption.text_content()))
    choice = [w for w in _WORDS if w not in present]
    done = replace_in(
        caption, re.compile(r"(?<![\w'’-])[a-z]{4,}(?![\w'’-])"), lambda _: rng.choice(choice), rng
    )
    return Expected((done[0],), (done[1],)) if done else None


def edit_correction(a: Article, rng: random.Random) -> Expected | None:
    if not a.paragraphs:
        return None
    text = rng.choice(_CORRECTIONS)
    label, _, rest = text.partition(": ")
    tag = rng.choice(["aside", "div"])
    box = element(
        f'<{tag} class="{token(rng)}"><p><strong>{escape(label)}:</strong> {escape(rest)}</p></{tag}>'
    )
    insert_after(rng.choice(a.paragraphs), box)
    return Expected(added=tuple(words(text)))


EDITS: dict[str, Edit] = {
    "a word": edit_word,
    "a number": edit_number,
    "a sentence added": edit_sentence,
    "a paragraph removed": edit_paragraph_removed,
    "a headline edit": edit_headline,
    "a caption edit": edit_caption,
    "a correction box": edit_correction,
}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- judging ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    version: bool
    summary: str  # what journal made of it
    removed: tuple[str, ...] = ()  # words of the text
    added: tuple[str, ...] = ()
    title_removed: tuple[str, ...] = ()  # words of the title
    title_added: tuple[str, ...] = ()


def as_text(found: Extraction) -> ArticleText:
    return ArticleText(URL, "fuzz", found.title, found.paragraphs, found.published, found.byline)


def judge(base: Extraction, base_page: pagetext.Page, body: bytes) -> Judged:
    """What the updater makes of `body` fetched after a version made from `base`."""
    fresh = extract_page(body, HTML, URL)
    if not isinstance(fresh, Extraction):
        return Judged(False, f"no version: {fresh.reason}")
    if base.headline_meta and not fresh.headline_meta:
        return Judged(False, "no version: the page no longer names its headline")
    if fresh.fingerprint == base.fingerprint:
        return Judged(False, "no version: same words")
    latest = as_text(base)
    decision = decide(latest, base_page, as_text(fresh), pagetext.read(body, HTML))
    if not decision.version:
        how = "a re-flow" if decision.reflow else f"{decision.reading} difference(s) of the reading"
        return Judged(False, f"no version: {how}" + (" (a reextract first)" if decision.interim else ""))
    before, after = decision.interim or latest, decision.text
    delta = diff(before, after)
    removed, added = word_changes(lines_words(before.paragraphs), lines_words(after.paragraphs))
    title_removed, title_added = word_changes(words(before.title), words(after.title))
    return Judged(True, delta.summary(), removed, added, title_removed, title_added)


def lines_words(lines: tuple[str, ...]) -> list[str]:
    return [w for line in lines for w in words(captions.shown(line))]


def word_changes(old: list[str], new: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words removed and added between two texts, word by word (however the diff pairs
    their paragraphs)."""
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return tuple(removed), tuple(added)


def exact(expected: Expected, got: Judged) -> bool:
    """A version holding exactly the words the edit changed, where it changed them. A
    headline edit may also change a line that is the headline read as a paragraph (on a
    page whose metadata names another title): the line goes or changes with it."""
    body = (Counter(got.removed), Counter(got.added))
    title = (Counter(got.title_removed), Counter(got.title_added))
    wanted = (Counter(expected.removed), Counter(expected.added))
    nothing: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    if expected.title:
        echo = (Counter(expected.echo[0]), Counter(expected.echo[1]))
        in_echo = not (body[0] - echo[0]) and not (body[1] - echo[1])
        return got.version and title == wanted and in_echo
    return got.version and (title, body) == (nothing, wanted)


# -- pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    body: bytes = field(repr=False)
    content_type: str | None = None


def corpus_pages(corpus: Path) -> list[Source]:
    """Every page of the corpus, and the items of each feed history's first snapshot as
    article pages (any feed history of the corpus layout)."""
    pages = corpus / "pages"
    out: list[Source] = []
    for path in sorted(pages.glob("aeb/html/*.html.gz")):
        out.append(Source(f"aeb/{path.name[:8]}", gzip.decompress(path.read_bytes())))
    for path in sorted(pages.glob("readability/*/source.html")):
        out.append(Source(f"readability/{path.parent.name}", path.read_bytes()))
    for path in sorted(pages.glob("same-url/*/*.html")):
        out.append(Source(f"same-url/{path.parent.name}/{path.stem}", path.read_bytes()))
    for path in sorted(pages.glob("news-sniffer/*.html")):
        out.append(Source(f"news-sniffer/{path.name.split('.')[0]}", path.read_bytes()))
    out += feed_pages(corpus)
    return out


def feed_pages(corpus: Path) -> list[Source]:
    import eval_changes  # the replay's reading of feed histories

    out = []
    for folder in eval_changes.history_folders(corpus):
        snapshots = eval_changes.load_snapshots(folder, folder.parent / "manifest.json")[:1]
        for snap in snapshots:
            for n, item in enumerate(snap.items):
                story = chrome.Story(
                    URL,
                    item.title,
                    item.dek,
                    item.creator,
                    eval_changes.feed_time(item.published),
                    item.content,
                )
                others = [(f"/other/{i}", o.title) for i, o in enumerate(snap.items) if o is not item]
                dressing = chrome.Dressing(snap.site, None, 120, 14, others[:3], others[3:8])
                out.append(Source(f"{folder.name}/{n + 1:02d}", chrome.page(story, dressing), HTML))
    return out


# -- the run -----------------------------------------------------------------------------


@dataclass
class PageResult:
    page: str
    status: str  # "ok", or why the page was left out
    redesigns: dict[str, str] = field(default_factory=dict)  # class -> "no version" / "VERSION: …" / "n/a"
    edits: dict[str, str] = field(
        default_factory=dict
    )  # edit -> "exact" / "missed: …" / "inexact: …" / "n/a"
    combined: dict[str, str] = field(default_factory=dict)  # edit + redesign -> as edits


def seeded(seed: int, *parts: str) -> random.Random:
    digest = hashlib.sha256("\x00".join([str(seed), *parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def run_page(
    source: Source,
    seed: int,
    redesigns: list[str] | None = None,
    edits: list[str] | None = None,
    alone: bool = True,
) -> PageResult:
    """Every redesign and every edit (or those named) on one page; `alone=False` applies
    only the edits, not the redesigns on their own."""
    base = extract_page(source.body, source.content_type, URL)
    if not isinstance(base, Extraction):
        return PageResult(source.name, f"not an article: {base.reason}")
    html = decode_html(source.body, source.content_type)
    base_page = pagetext.read(source.body, source.content_type)
    result = PageResult(source.name, "ok")

    def fresh() -> Article:
        doc = parse(html)
        return locate(doc, base)

    for name, redesign in REDESIGNS.items():
        if not alone or (redesigns is not None and name not in redesigns):
            continue
        article = fresh()
        if not article.paragraphs or not redesign(article, seeded(seed, source.name, name)):
            result.redesigns[name] = "n/a"
            continue
        got = judge(base, base_page, serialise(article.doc))
        result.redesigns[name] = f"VERSION: {got.summary}" if got.version else "no version"
    for name, edit in EDITS.items():
        if edits is not None and name not in edits:
            continue
        for combined in (False, True):
            rng = seeded(seed, source.name, name, str(combined))
            article = fresh()
            expected = edit(article, rng) if article.paragraphs else None
            if expected is None:
                (result.combined if combined else result.edits)[name] = "n/a"
                continue
            label = ""
            if combined:
                redesign_name = rng.choice(sorted(REDESIGNS) if redesigns is None else sorted(redesigns))
                again = locate(article.doc, base)  # the edited page's article, found again
                REDESIGNS[redesign_name](again, rng)
                label = f" (with {redesign_name})"
            got = judge(base, base_page, serialise(article.doc))
            if exact(expected, got):
                verdict = "exact"
            elif not got.version:
                verdict = f"missed{label}: {got.summary}"
            else:
                removed, added = (
                    " ".join(got.title_removed + got.removed),
                    " ".join(got.title_added + got.added),
                )
                verdict = f"inexact{label}: {got.summary}; removed {removed[:80]!r}, added {added[:80]!r}"
            (result.combined if combined else result.edits)[name] = verdict
    return result


def run(sources: list[Source], seed: int, jobs: int) -> list[PageResult]:
    if jobs <= 1:
        return [run_page(s, seed) for s in sources]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(run_page, sources, [seed] * len(sources)))


# -- output ------------------------------------------------------------------------------


def cell(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def totals(results: list[PageResult]) -> dict[str, dict[str, int]]:
    ok = [r for r in results if r.status == "ok"]
    out: dict[str, dict[str, int]] = {}
    for name in REDESIGNS:
        seen = [r.redesigns[name] for r in ok]
        out[name] = {
            "pages": sum(v != "n/a" for v in seen),
            "versions": sum(v.startswith("VERSION") for v in seen),
        }
    for name in EDITS:
        for key, pick_ in (("alone", lambda r: r.edits), ("with a redesign", lambda r: r.combined)):
            seen = [pick_(r)[name] for r in ok]
            out[f"{name} ({key})"] = {
                "pages": sum(v != "n/a" for v in seen),
                "exact": sum(v == "exact" for v in seen),
                "missed": sum(v.startswith("missed") for v in seen),
                "inexact": sum(v.startswith("inexact") for v in seen),
            }
    return out


def markdown(results: list[PageResult], seed: int) -> str:
    ok = [r for r in results if r.status == "ok"]
    t = totals(results)
    redesign_pages = sum(t[n]["pages"] for n in REDESIGNS)
    redesign_versions = sum(t[n]["versions"] for n in REDESIGNS)
    edit_keys = [k for k in t if k not in REDESIGNS]
    lines = [
        f"{len(results)} pages ({len(ok)} articles; the others are not articles to journal), seed {seed}. "
        f"{len(REDESIGNS)} classes of redesign, each applied to every page where it applies: "
        f"**{redesign_versions} versions** in {redesign_pages} redesigned pages. "
        f"{len(EDITS)} kinds of edit, alone and with a redesign drawn at random: "
        f"**{sum(t[k]['exact'] for k in edit_keys)} of {sum(t[k]['pages'] for k in edit_keys)}** recorded "
        "exactly (a version holding exactly the words edited, or the new headline).",
        "",
        "| redesign | pages | versions |",
        "|---|---:|---:|",
        *[f"| {n} | {t[n]['pages']} | **{t[n]['versions']}** |" for n in REDESIGNS],
        "",
        "| edit | pages | recorded exactly | missed | recorded, not exactly |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {k} | {t[k]['pages']} | {t[k]['exact']} | **{t[k]['missed']}** | **{t[k]['inexact']}** |"
            for k in edit_keys
        ],
    ]
    failures = [
        (r.page, kind, what, verdict)
        for r in ok
        for kind, table in (("redesign", r.redesigns), ("edit", r.edits), ("edit + redesign", r.combined))
        for what, verdict in table.items()
        if verdict.startswith(("VERSION", "missed", "inexact"))
    ]
    if failures:
        lines += ["", "| page | kind | class | what journal did |", "|---|---|---|---|"]
        lines += [f"| {p} | {k} | {w} | {cell(v)} |" for p, k, w, v in failures]
    lines += [
        "",
        "<details><summary>Per page: redesigns that made a version / edits not recorded exactly</summary>",
        "",
        "| page | status | redesigns applied | versions | edits applied | exact |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        applied = [v for v in r.redesigns.values() if v != "n/a"]
        edits = [v for v in (*r.edits.values(), *r.combined.values()) if v != "n/a"]
        lines.append(
            f"| {r.page} | {cell(r.status, 60)} | {len(applied)} | {sum(v.startswith('VERSION') for v in applied)} | "
            f"{len(edits)} | {sum(v == 'exact' for v in edits)} |"
        )
    return "\n".join([*lines, "", "</details>"]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="corpus root (holds pages/ and feeds/)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--json", action="store_true", help="JSON instead of markdown")
    parser.add_argument("--write", action="store_true", help="also write the markdown into bench/RESULTS.md")
    parser.add_argument("--pages", help="only pages whose name contains this")
    args = parser.parse_args()
    sources = [s for s in corpus_pages(args.corpus) if not args.pages or args.pages in s.name]
    print(f"{len(sources)} pages", file=sys.stderr)
    results = run(sources, args.seed, args.jobs)
    text = markdown(results, args.seed)
    if args.json:
        print(
            json.dumps(
                {"seed": args.seed, "totals": totals(results), "pages": [asdict(r) for r in results]},
                indent=2,
            )
        )
    else:
        print(text, end="")
    if args.write:
        date = datetime.now(UTC).strftime("%Y-%m-%d")
        command = "python bench/redesign.py " + " ".join(sys.argv[1:])
        write_section(SECTION, f"`{command}` on {date}.\n\n{text}")


if __name__ == "__main__":
    main()
