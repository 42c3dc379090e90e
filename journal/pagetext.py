"""The text a page shows its reader, read as evidence (`journal.pagewords.Page`).

Runs in the extraction workers. All of the page's text counts, not only what an extractor
takes for the article: a paragraph the extractor leaves out this time is still in front of
the reader, and a block the extractor takes this time (a byline box, a breadcrumb, a menu)
was in front of the reader before. Left out are the parts that are not text at all: the
head, scripts, styles, templates, `<noscript>` and SVG. Headers, footers, navigation and
asides stay: articles put their headline, byline, notes and correction boxes there, and an
extractor may read any of them. So do elements hidden by the markup (`hidden`, `display:
none`): neither an extractor nor this reader can tell them from text a stylesheet hides,
and extractors read them (a hidden author link glued to a byline). The displayed headlines (`<h1>`) are noted apart: a title is what the page
displays, not what its metadata says. The page's own description (`description`,
`og:description`, `twitter:description`) is kept apart too: it is the newsroom's
standfirst, which a redesign may start to show; it is stale as often as not, so it
counts only as text the page had before, never as text still on it.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from journal.extract import decode_html
from journal.pagewords import Page, canonical

_NOT_TEXT = "//head | //script | //style | //noscript | //template | //svg"
_DESCRIPTIONS = ("description", "og:description", "twitter:description")
# Elements whose text runs on into the text around them: no word break at their edges
# (a drop cap `<span>T</span>he` is one word, as the reader reads it).
_INLINE_TAGS = "a abbr b bdi bdo cite code data del dfn em font i ins kbd mark q s samp small span strike strong sub sup time tt u var"
_INLINE = frozenset(_INLINE_TAGS.split(" "))


def read(body: bytes, content_type: str | None) -> Page:
    """The page's words (`Page`): an empty page when it cannot be parsed."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", decode_html(body, content_type))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return Page()
    descriptions = _descriptions(root)
    for node in list(_not_text(root)):
        if node.getparent() is not None:
            node.drop_tree()  # its tail, the text after it, stays
    headlines = [h.text_content() for h in root.iter("h1") if isinstance(h, lxml.html.HtmlElement)]
    shown, spans = _walk(root)
    return Page.of(shown, spans, headlines, descriptions)


def _descriptions(root: lxml.html.HtmlElement) -> list[str]:
    found: dict[str, str] = {}
    for node in root.iterfind(".//meta"):
        key = (node.get("property") or node.get("name") or "").strip().lower()
        if key in _DESCRIPTIONS and key not in found:
            found[key] = node.get("content") or ""
    return list(dict.fromkeys(v for v in found.values() if v.strip()))


def _not_text(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    nodes = root.xpath(_NOT_TEXT)
    return [n for n in nodes if isinstance(n, lxml.html.HtmlElement)] if isinstance(nodes, list) else []


def _walk(root: etree._Element) -> tuple[str, list[tuple[int, int]]]:
    """The text in reading order, and the span of each element's text in it. One pass
    without recursion: hostile pages nest elements thousands deep."""
    chunks: list[str] = []
    spans: list[tuple[int, int]] = []
    size = 0

    def add(text: str) -> None:
        nonlocal size
        text = canonical(text)
        chunks.append(text)
        size += len(text)

    stack: list[tuple[etree._Element, int]] = [(root, -1)]  # node, where its text began (-1: not yet)
    while stack:
        node, begun = stack.pop()
        if not isinstance(node.tag, str):  # a comment or processing instruction: only its tail is text
            if node.tail:
                add(node.tail)
            continue
        block = node.tag not in _INLINE
        if begun < 0:
            if block:
                add(" ")
            stack.append((node, size))
            if node.text:
                add(node.text)
            stack.extend((child, -1) for child in reversed(node))
            continue
        spans.append((begun, size))
        if block:
            add(" ")
        if node.tail:
            add(node.tail)
    return "".join(chunks), spans
