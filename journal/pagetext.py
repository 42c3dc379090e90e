"""The text a page shows its reader, read as evidence (`journal.evidence.Page`).

Runs in the extraction workers. All of the page's visible text counts, not only what an
extractor takes for the article: a paragraph the extractor leaves out this time is still
in front of the reader. Left out are the parts no reader sees (the head, scripts, styles,
templates, `<noscript>`, SVG, elements marked `hidden` or styled `display: none`) and
navigation (`<nav>`, `role=navigation`): menus link to other pages and rotate with the
site, and the article's text is never in them, so they could only ever be false evidence.
Headers, footers and asides stay: articles put their headline, byline, notes and
correction boxes there. The page's own description (`description`, `og:description`,
`twitter:description`) is read too, apart from the visible text: it is the newsroom's
standfirst, which a redesign may start or stop showing.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from journal.evidence import STRONG, Page, weight, words
from journal.extract import decode_html

_UNSEEN = "//head | //script | //style | //noscript | //template | //svg | //nav | //*[@role='navigation']"
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_DESCRIPTIONS = ("description", "og:description", "twitter:description")
# Elements whose text runs on into the text around them: no word break at their edges
# (a drop cap `<span>T</span>he` is one word, as the reader reads it).
_INLINE_TAGS = "a abbr b bdi bdo cite code data del dfn em font i ins kbd mark q s samp small span strike strong sub sup time tt u var"
_INLINE = frozenset(_INLINE_TAGS.split(" "))
_SHORT_CHARS = 400  # elements with more text than this are never shorter than STRONG words


def read(body: bytes, content_type: str | None) -> Page:
    """The page's words (`Page`): an empty page when it cannot be parsed."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", decode_html(body, content_type))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return Page.of([])
    descriptions = _descriptions(root)
    for node in list(_unseen(root)):
        if node.getparent() is not None:
            node.drop_tree()  # its tail, the text after it, stays
    chunks, blocks = _walk(root)
    return Page.of(["".join(chunks), *descriptions], blocks)


def _descriptions(root: lxml.html.HtmlElement) -> list[str]:
    found: dict[str, str] = {}
    for node in root.iterfind(".//meta"):
        key = (node.get("property") or node.get("name") or "").strip().lower()
        if key in _DESCRIPTIONS and key not in found:
            found[key] = node.get("content") or ""
    return list(dict.fromkeys(v for v in found.values() if v.strip()))


def _unseen(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    nodes = root.xpath(_UNSEEN)
    out = [n for n in nodes if isinstance(n, lxml.html.HtmlElement)] if isinstance(nodes, list) else []
    for node in root.iter():
        if isinstance(node, lxml.html.HtmlElement) and (
            node.get("hidden") is not None or _HIDDEN.search(node.get("style") or "")
        ):
            out.append(node)
    return out


def _walk(root: etree._Element) -> tuple[list[str], list[str]]:
    """The text in reading order (as chunks), and the texts of the short elements. One
    pass without recursion: hostile pages nest elements thousands deep."""
    chunks: list[str] = []
    blocks: list[str] = []
    starts: list[tuple[int, int]] = []  # per open element: first chunk, characters before it
    size = 0
    for event, node in etree.iterwalk(root, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            starts.append((len(chunks), size))
            if tag not in _INLINE:
                chunks.append(" ")
            if node.text and tag:
                chunks.append(node.text)
                size += len(node.text)
            continue
        first, before = starts.pop()
        if tag not in _INLINE:
            chunks.append(" ")
        if tag and size - before <= _SHORT_CHARS:
            text = "".join(chunks[first:])
            tokens = words(text)
            if tokens and weight(tokens) < STRONG:
                blocks.append(text)
        if node.tail:
            chunks.append(node.tail)
            size += len(node.tail)
    return chunks, blocks
