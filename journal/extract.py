"""HTML → article text. The only trafilatura importer.

trafilatura finds the article body; this module turns that body into one line per
paragraph (list items, table rows and block quotes each get their own line, so an
edit never turns a whole table into one changed line), has `journal.boxes` hold it
against the page's own blocks (`journal.blocks`), reads the stable metadata
(`journal.metadata`) and decides whether the page is an article at all: a page that
shows a headline and has text under it, and is not a consent wall, a paywall stub or
an error page. Photo captions are read, and placed among the paragraphs, by
`journal.figures`. The output is deterministic: the same HTML gives the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import lxml.html
import trafilatura
from lxml import etree

from journal import blocks, boxes, captions, figures, metadata, normalize
from journal import rules as page_rules
from journal.extractor import identity
from journal.models import Extraction, NotArticle, PageRules

_BREAK = "\u2029"  # marks a <br> while a block is flattened

_BLOCK = {"p", "head", "quote", "code", "item", "list", "table", "row", "cell", "div", "lb"}
# Text that stands in front of an article rather than being one. Paywall and consent
# phrases count in a paragraph of up to 40 words; generic error phrases only in a
# line of their own (12 words at most), since news reports use them too.
_WALL = re.compile(
    r"\b(?:subscribe (?:now )?to (?:continue|keep) reading|to continue reading,? (?:please )?"
    r"(?:subscribe|log ?in|sign ?in|register)|already a subscriber|subscribers only|"
    r"this (?:article|content|story) is (?:only )?(?:available|reserved) (?:to|for) (?:subscribers|members)|"
    r"create a free account to (?:continue|read)|you have reached your (?:free )?article limit|"
    r"we use cookies|accept (?:all )?cookies|cookie (?:settings|preferences|policy|consent)|"
    r"manage (?:your )?(?:privacy|consent) (?:settings|choices|preferences)|your privacy choices|"
    r"we value your privacy|consent to (?:the use of )?(?:cookies|your data)|"
    r"are you a robot|verify you are (?:a )?human|unusual traffic from your)\b",
    re.IGNORECASE,
)
_ERROR_LINE = re.compile(
    r"\b(?:captcha|access (?:to this page has been )?denied|enable javascript|javascript is (?:disabled|required)|"
    r"page (?:was )?not found|page you (?:are|were) looking for|404 error|error 404|"
    r"(?:service|site) (?:is )?(?:temporarily )?unavailable|something went wrong|internal server error|"
    r"too many requests)\b",
    re.IGNORECASE,
)
_ERROR_TITLE = re.compile(
    r"^\W*(?:404|403|410|500|502|503)\b|\b(?:not found|page not found|access denied|forbidden|"
    r"error 404|server error|service unavailable|just a moment|attention required|"
    r"subscribe to read|privacy settings|cookie consent)\b",
    re.IGNORECASE,
)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text: the declared charset if it decodes cleanly, else the page's own
    <meta charset>, else UTF-8, else Windows-1252 (which never fails)."""
    candidates: list[str] = []
    if content_type:
        match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
        if match:
            candidates.append(match.group(1))
    head = body[:4096].decode("ascii", errors="replace")
    match = re.search(r"<meta[^>]+charset=[\"']?([\w.:-]+)", head, re.IGNORECASE)
    if match:
        candidates.append(match.group(1))
    if body.startswith(b"\xef\xbb\xbf"):
        candidates.insert(0, "utf-8-sig")
    candidates += ["utf-8", "cp1252"]
    for name in candidates:
        name = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252"}.get(name.lower(), name)
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


def extract_page(
    body: bytes, content_type: str | None, url: str, rules: PageRules | None = None
) -> Extraction | NotArticle:
    """Bytes of a fetched page → article (runs in the extraction worker processes)."""
    try:
        return extract(decode_html(body, content_type), url, rules)
    except Exception as exc:  # one hostile page must not take the run down
        return NotArticle(f"the extractor failed on this page ({type(exc).__name__})", blocked=True)


def extract(html: str, url: str, rules: PageRules | None = None) -> Extraction | NotArticle:
    """The article in a page, or why there is none; `rules` are the source's selectors."""
    # One parse, trafilatura's own (its repairs and parser options), read by all.
    tree = trafilatura.load_html(html)
    if tree is None:
        return NotArticle("the page is not HTML that can be parsed")
    meta = metadata.read(tree, _container(tree), url)  # before the rules: a keep rule may leave out the <h1>
    if rules:
        try:
            headline = page_rules.apply(tree, rules)
        except page_rules.NoMatch as exc:
            return NotArticle(str(exc), canonical=meta.canonical)
        if headline:
            meta = replace(meta, title=normalize.clean(headline))
    container = _container(tree)
    _drop_link_clusters(tree)
    # Read before trafilatura prunes the tree.
    body = tree.find(".//body")
    reading = blocks.read(body if body is not None else tree)
    standfirst = _standfirst(tree, meta.title)
    captioned = figures.read(container, url) if tree.find(".//figure") is not None else figures.NONE
    # trafilatura's whole cascade, readability and justext included: its `fast` mode saves
    # a fifth of the time but loses recall on pages its main extractor reads poorly.
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        # trafilatura's own metadata (and its date search) only fills gaps in the page's own.
        with_metadata=not (meta.title and meta.byline and meta.published),
        deduplicate=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    canon = meta.canonical
    if doc is None or isinstance(doc, dict) or doc.body is None:
        return NotArticle("no article text found in the page", canonical=canon)
    title = meta.title or normalize.clean(doc.title or "")
    byline = normalize.single_line(meta.byline or metadata.person_name(doc.author) or "", 200) or None
    found = boxes.settle(reading, list(_lines(doc.body)), container)
    paras = normalize.paragraphs(_with_standfirst(found, standfirst), title, meta.echoes, byline)
    words = sum(normalize.word_count(p) for p in paras)
    named = (title, *meta.echoes)
    if words < 300 and any(_ERROR_TITLE.search(name) for name in named):
        return NotArticle(f"the page is an error or consent page ({title[:80]!r})", True, canon)
    wall = _wall(paras)
    if wall:
        return NotArticle(f"the page stands in front of the article ({wall!r})", True, canon)
    if not title:
        return NotArticle("the page shows no headline", canonical=canon)
    lines = captioned.placed(paras)
    if all(captions.is_caption(line) for line in lines):
        return NotArticle("no article text under the headline", canonical=canon)
    return Extraction(
        title=title,
        paragraphs=lines,
        byline=byline,
        published=meta.published or metadata.iso_date(doc.date),
        canonical=canon,
        extractor=identity(rules),
        headline_meta=meta.named,
    )


_CONTAINERS = "//article | //*[@itemprop='articleBody'] | //main | //*[@role='main']"


_LIST_OF_LINKS = 0.8  # share of a paragraph's words inside its links
_CARD_OF_LINKS = 0.9  # the same, for a card set inside a sentence
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_CARD_PARTS = frozenset({"img", "picture", "div", "ul", "ol", "li", "p"})


def _drop_link_clusters(tree: lxml.html.HtmlElement) -> None:
    """Remove the lists of links that sites set among an article's paragraphs: a
    paragraph that is two or more links and little else ("DON'T MISS" promotions), with
    the short heading over it, and a card of three or more links with a picture or
    blocks of its own inside a sentence (a person's latest stories, shown on hover).
    They are not the article, and their links rotate as the site publishes: kept, they
    would make versions of their own. Captions (credits are often links) are left alone."""
    for para in list(tree.iter("p")):
        if _links(para) < 2 or para.getparent() is None or _in_figure(para):
            continue
        for card in list(_cards(para)):
            card.drop_tree()
        if _links(para) >= 2 and _linked_share(para) >= _LIST_OF_LINKS:
            heading = para.getprevious()
            if heading is not None and _labels_a_list(heading):
                heading.drop_tree()
            para.drop_tree()


def _cards(node: etree._Element) -> Iterator[lxml.html.HtmlElement]:
    """The innermost elements below `node` holding three or more links, nearly no other
    words, and a picture or a block: not a run of linked names in the sentence itself."""
    for child in node:
        if not isinstance(child, lxml.html.HtmlElement) or child.tag == "a" or _links(child) < 3:
            continue
        inner = list(_cards(child))
        if inner:
            yield from inner
        elif _linked_share(child) >= _CARD_OF_LINKS and any(
            isinstance(n.tag, str) and n.tag in _CARD_PARTS for n in child.iterdescendants()
        ):
            yield child


def _in_figure(node: etree._Element) -> bool:
    return any(a.tag in ("figure", "figcaption") for a in node.iterancestors())


def _links(node: etree._Element) -> int:
    return sum(1 for _ in node.iter("a"))


def _linked_share(node: etree._Element) -> float:
    words = normalize.word_count(_text(node))
    linked = sum(normalize.word_count(_text(a)) for a in node.iter("a"))
    return min(linked / words, 1.0) if words else 0.0


def _labels_a_list(node: etree._Element) -> bool:
    """A short heading with no link: a heading element, or a paragraph in capitals or
    all in bold ("DON'T MISS", "Read more")."""
    text = _text(node)
    if not text or normalize.word_count(text) > 4 or node.find(".//a") is not None:
        return False
    if node.tag in _HEADINGS:
        return True
    bold = "".join(_text(b) for b in node.iter("strong", "b"))
    return node.tag == "p" and (text.isupper() or bold.replace(" ", "") == text.replace(" ", ""))


def _standfirst(tree: etree._Element, title: str) -> str | None:
    """The standfirst (dek) under the headline, when the page marks it up as the
    article's description (schema.org): extractors tend to drop it, and newsrooms
    edit it. Class-name guesses are not used: they change with every redesign."""
    found = tree.xpath("//*[@itemprop='description' or @itemprop='alternativeHeadline']")
    for node in found if isinstance(found, list) else []:
        if not isinstance(node, etree._Element) or node.tag in ("meta", "link", "script"):
            continue
        text = _text(node)
        if 5 <= normalize.word_count(text) <= 80 and normalize.comparable(title) not in normalize.comparable(
            text
        ):
            return text
    return None


def _with_standfirst(paras: list[str], standfirst: str | None) -> list[str]:
    if not standfirst or normalize.comparable(standfirst) in {normalize.comparable(p) for p in paras}:
        return paras
    return [standfirst, *paras]


def _container(tree: etree._Element) -> etree._Element:
    """The element that holds the article: of the article/main candidates, the one with
    the most text (a page can have many <article> teasers), else the body."""
    found = tree.xpath(_CONTAINERS)
    candidates = (
        [node for node in found if isinstance(node, etree._Element)] if isinstance(found, list) else []
    )
    if not candidates:
        body = tree.find(".//body")
        return body if body is not None else tree
    return max(candidates, key=lambda node: len("".join(str(t) for t in node.itertext())))


def _wall(paras: tuple[str, ...]) -> str | None:
    """The phrase of a consent wall, paywall stub or error message that stands in for
    the article, or None. Such a phrase counts only in a short paragraph of its own,
    and only when it is a large part of the text, or closes or opens a short one: an
    article that merely reports that "something went wrong" stays an article."""
    hits = []
    for i, para in enumerate(paras):
        size = normalize.word_count(para)
        found = (_WALL.search(para) if size <= 40 else None) or (
            _ERROR_LINE.search(para) if size <= 12 else None
        )
        if found:
            hits.append((i, found.group(0), size))
    if not hits:
        return None
    words = sum(normalize.word_count(p) for p in paras)
    share = sum(n for _, _, n in hits) / max(words, 1)
    at_edge = any(i in (0, len(paras) - 1) for i, _, _ in hits)
    if share >= 0.25 or (words < 120 and at_edge):
        return hits[0][1]
    return None


def _lines(body: etree._Element) -> Iterator[str]:
    """One string per paragraph-like block of trafilatura's output tree, and the text
    between them (after a heading without a paragraph element: a block's tail)."""
    for child in body:
        yield from _block(child)
        if child.tail and child.tail.strip():
            yield child.tail


def _block(elem: etree._Element) -> Iterator[str]:
    tag = elem.tag if isinstance(elem.tag, str) else ""
    if tag == "list":
        yield from _children_or_text(elem)
        return
    if tag == "table":
        for row in elem.iter("row"):
            if row.getparent() is not None and _nearest_table(row) is not elem:
                continue
            cells = [c for c in row if c.tag == "cell"]
            if any(_has_blocks(c) for c in cells):
                for cell in cells:
                    yield from _children_or_text(cell)
            else:
                texts = [t for t in (_text(c) for c in cells) if t]
                if texts:
                    yield " | ".join(texts)
        return
    if tag in ("item", "cell", "div", "quote") and _has_blocks(elem):
        yield from _children_or_text(elem)
        return
    yield from _split_breaks(elem)


def _children_or_text(elem: etree._Element) -> Iterator[str]:
    if elem.text and elem.text.strip():
        yield elem.text
    for child in elem:
        yield from _block(child)
        if child.tail and child.tail.strip():
            yield child.tail


def _split_breaks(elem: etree._Element) -> Iterator[str]:
    """A block's text; <lb/> (a <br> in the page) starts a new paragraph."""
    pieces: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if child.tag == "lb":
                pieces.append(_BREAK)
            elif isinstance(child.tag, str):
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(elem)
    yield from (p for p in "".join(pieces).split(_BREAK) if p.strip())


def _has_blocks(elem: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in _BLOCK - {"lb"} for c in elem)


def _nearest_table(row: etree._Element) -> etree._Element | None:
    node = row.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


def _text(elem: etree._Element) -> str:
    return " ".join("".join(str(t) for t in elem.itertext()).split())
