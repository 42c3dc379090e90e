"""HTML → article text. The only trafilatura importer.

trafilatura finds the article body; this module turns that body into one line per
paragraph (list items, table rows and block quotes each get their own line, so an
edit never turns a whole table into one changed line), reads the stable metadata
(title, byline, published time, canonical URL) and decides whether the page is an
article at all. The output is deterministic: the same HTML gives the same text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml import etree

from journal import normalize
from journal.models import Extraction, NotArticle
from journal.urls import BadURL, canonical, host_of

EXTRACTOR = f"trafilatura {trafilatura.__version__}; normalise {normalize.NORMALISER_VERSION}"
MIN_WORDS = 25
_PARSER = lxml.html.HTMLParser(encoding="utf-8")
_BREAK = "\u2029"  # marks a <br> while a block is flattened

_BLOCK = {"p", "head", "quote", "code", "item", "list", "table", "row", "cell", "div", "lb"}
_META_TIME = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "originalpublicationdate",
    "publishdate",
    "publish-date",
    "pubdate",
    "dc.date.issued",
    "sailthru.date",
    "parsely-pub-date",
)
_META_TITLE = (
    "og:title",
    "twitter:title",
    "headline",
    "dc.title",
    "parsely-title",
    "sailthru.title",
)
_META_BYLINE = (
    "author",
    "article:author",
    "byl",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
)

# Text that stands in front of an article rather than being one. Matched against
# short extractions only, so an article that merely mentions cookies stays an article.
_BLOCKED = re.compile(
    r"\b(?:subscribe (?:now )?to (?:continue|keep) reading|to continue reading,? (?:please )?"
    r"(?:subscribe|log ?in|sign ?in|register)|already a subscriber|subscribers only|"
    r"this (?:article|content|story) is (?:only )?(?:available|reserved) (?:to|for) (?:subscribers|members)|"
    r"create a free account to (?:continue|read)|you have reached your (?:free )?article limit|"
    r"we use cookies|accept (?:all )?cookies|cookie (?:settings|preferences|policy|consent)|"
    r"manage (?:your )?(?:privacy|consent) (?:settings|choices|preferences)|your privacy choices|"
    r"we value your privacy|consent to (?:the use of )?(?:cookies|your data)|"
    r"are you a robot|verify you are (?:a )?human|unusual traffic|captcha|"
    r"access (?:to this page has been )?denied|enable javascript|javascript is (?:disabled|required)|"
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


def visible_words(body: bytes, content_type: str | None) -> str:
    """Every word a reader can see on the page, in order, one space apart.

    Used to tell a paragraph the newsroom deleted from one the extractor merely did
    not pick this time: the second is still on the page.
    """
    try:
        tree = lxml.html.document_fromstring(decode_html(body, content_type).encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return ""
    for node in tree.iter("script", "style", "noscript", "template"):
        node.text = None
    return normalize.comparable(" ".join(str(t) for t in tree.itertext()))


def extract_page(body: bytes, content_type: str | None, url: str) -> Extraction | NotArticle:
    """Bytes of a fetched page → article (runs in the extraction worker processes)."""
    try:
        return extract(decode_html(body, content_type), url)
    except Exception as exc:  # one hostile page must not take the run down
        return NotArticle(f"the extractor failed on this page ({type(exc).__name__})", blocked=True)


def extract(html: str, url: str) -> Extraction | NotArticle:
    """The article in a page, or why there is none."""
    # One parse, trafilatura's own (its repairs and parser options), read by both.
    tree = trafilatura.load_html(html)
    if tree is None:
        return NotArticle("the page is not HTML that can be parsed")
    meta = _metadata(tree, url)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        # trafilatura's own metadata (and its date search) only fills gaps in the page's
        with_metadata=not {"title", "byline", "published"} <= meta.keys(),
        deduplicate=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    canon = meta.get("canonical")
    if doc is None or isinstance(doc, dict) or doc.body is None:
        return NotArticle("no article text found in the page", canonical=canon)
    title = normalize.clean(meta.get("title") or doc.title or "")
    paras = normalize.paragraphs(_lines(doc.body), title)
    words = sum(len(p.split()) for p in paras)
    text = " ".join(paras)
    if _ERROR_TITLE.search(title) and words < 300:
        return NotArticle(f"the page is an error or consent page ({title[:80]!r})", True, canon)
    if words < 400 and _BLOCKED.search(text):
        found = _BLOCKED.search(text)
        phrase = found.group(0) if found else ""
        return NotArticle(f"the page stands in front of the article ({phrase!r})", True, canon)
    if words < MIN_WORDS:
        return NotArticle(f"too little text for an article ({words} words)", canonical=canon)
    if not title:
        title = paras[0][:120]
    byline = normalize.single_line(meta.get("byline") or doc.author or "", 200) or None
    return Extraction(
        title=title,
        paragraphs=paras,
        byline=byline,
        published=meta.get("published") or _date(doc.date),
        canonical=canon,
        extractor=EXTRACTOR,
        headline_meta=bool(meta.get("headline_meta")),
    )


def _lines(body: etree._Element) -> Iterator[str]:
    """One string per paragraph-like block of trafilatura's output tree."""
    for child in body:
        yield from _block(child)


def _block(elem: etree._Element) -> Iterator[str]:
    tag = elem.tag if isinstance(elem.tag, str) else ""
    if tag == "list":
        for item in elem:
            yield from _block(item)
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


def _metadata(tree: lxml.html.HtmlElement, url: str) -> dict[str, str]:
    """Title, byline, published time and canonical URL from <meta>, <link> and JSON-LD."""
    meta: dict[str, str] = {}
    values: dict[str, str] = {}
    for node in tree.iterfind(".//meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        content = (node.get("content") or "").strip()
        if key and content and key not in values:
            values[key] = content
    ld = _json_ld(tree)
    title = next((values[k] for k in _META_TITLE if k in values), "") or str(ld.get("headline", ""))
    if title:
        meta["title"] = title
        meta["headline_meta"] = "1"
    byline = next((values[k] for k in _META_BYLINE if k in values and "://" not in values[k]), "")
    if not byline:
        byline = _ld_authors(ld.get("author"))
    if byline:
        meta["byline"] = byline
    stamp = next((values[k] for k in _META_TIME if k in values), "") or str(ld.get("datePublished", ""))
    published = _timestamp(stamp)
    if published:
        meta["published"] = published
    for link in tree.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            found = _same_site_url(urljoin(url, link.get("href", "").strip()), url)
            if found:
                meta["canonical"] = found
            break
    return meta


def _json_ld(tree: lxml.html.HtmlElement) -> dict[str, object]:
    """The first JSON-LD object whose @type is an article type."""
    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kinds = item.get("@type", "")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if any(isinstance(k, str) and k.endswith(("Article", "BlogPosting")) for k in kinds):
                    return item
                stack.extend(v for k, v in item.items() if k == "@graph")
    return {}


def _ld_authors(value: object) -> str:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and "://" not in name:
            names.append(name.strip())
    return ", ".join(dict.fromkeys(names))


def _timestamp(value: str) -> str | None:
    """An ISO-like or 'YYYY/MM/DD HH:MM:SS' time as 2015-09-18T10:02:00Z (UTC)."""
    value = value.strip()
    if not value:
        return None
    candidate = value.replace("/", "-").replace(" ", "T", 1)
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return _date(value[:10].replace("/", "-"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: str | None) -> str | None:
    if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    return None


def _same_site_url(candidate: str, page_url: str) -> str | None:
    """A canonical URL is believed only on the page's own site: a page must not be able
    to claim another site's article (or another article's identity on a shared host is
    still the publisher's own statement)."""
    try:
        found = canonical(candidate)
    except BadURL:
        return None
    strip = re.compile(r"^(?:www\d?|m|amp|mobile)\.")
    if strip.sub("", host_of(found)) != strip.sub("", host_of(page_url)):
        return None
    return found
