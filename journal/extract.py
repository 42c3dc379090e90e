"""HTML → article text. The only trafilatura importer.

trafilatura finds the article body; this module turns that body into one line per
paragraph (list items, table rows and block quotes each get their own line, so an
edit never turns a whole table into one changed line), reads the stable metadata
(title, byline, published time, canonical URL) and decides whether the page is an
article at all. Photo captions are read, and placed among the paragraphs, by
`journal.figures`. The output is deterministic: the same HTML gives the same text.
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

from journal import figures, normalize
from journal import rules as page_rules
from journal.extractor import identity
from journal.models import Extraction, NotArticle, PageRules
from journal.urls import BadURL, canonical, host_of

MIN_WORDS = 25
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


def visible_words(body: bytes, content_type: str | None, rules: PageRules | None = None) -> str:
    """Every word a reader can see in the page's article container, in order, one
    space apart.

    Used to tell a paragraph the newsroom deleted from one the extractor merely did
    not pick this time (the second is still there), and text the extractor picks up
    now from text that is new.
    """
    tree = trafilatura.load_html(decode_html(body, content_type))
    if tree is None:
        return ""
    if rules:
        try:
            page_rules.apply(tree, rules)
        except page_rules.NoMatch:
            return ""
    for node in tree.iter("script", "style", "noscript", "template"):
        node.text = None
    return normalize.comparable(" ".join(str(t) for t in _container(tree).itertext()))


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
    # One parse, trafilatura's own (its repairs and parser options), read by both.
    tree = trafilatura.load_html(html)
    if tree is None:
        return NotArticle("the page is not HTML that can be parsed")
    meta = _metadata(tree, url)
    if rules:
        try:
            headline = page_rules.apply(tree, rules)
        except page_rules.NoMatch as exc:
            return NotArticle(str(exc), canonical=meta.get("canonical"))
        if headline:
            meta["title"] = headline
        html = lxml.html.tostring(tree, encoding="unicode")  # the page as the rules leave it
    _drop_link_clusters(tree)
    # Read before trafilatura prunes the tree.
    standfirst = _standfirst(tree, meta.get("title", ""))
    captioned = figures.read(_container(tree), url) if tree.find(".//figure") is not None else figures.NONE
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
        with_metadata=not {"title", "byline", "published"} <= meta.keys(),
        deduplicate=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    canon = meta.get("canonical")
    if doc is None or isinstance(doc, dict) or doc.body is None:
        return NotArticle("no article text found in the page", canonical=canon)
    title = normalize.clean(meta.get("title") or doc.title or "")
    paras = normalize.paragraphs(_lines(doc.body), title)
    if len(paras) == 1:
        # trafilatura glues a short page into one block; its own paragraphs read better.
        blocks = normalize.paragraphs(_container_blocks(html), title)
        if len(blocks) > 1:
            paras = blocks
    paras = normalize.paragraphs(_with_standfirst(paras, standfirst), title)
    words = sum(len(p.split()) for p in paras)
    if _ERROR_TITLE.search(title) and words < 300:
        return NotArticle(f"the page is an error or consent page ({title[:80]!r})", True, canon)
    wall = _wall(paras, words)
    if wall:
        return NotArticle(f"the page stands in front of the article ({wall!r})", True, canon)
    if words < MIN_WORDS:
        return NotArticle(f"too little text for an article ({words} words)", canonical=canon)
    if not title:
        title = paras[0][:120]
    byline = normalize.single_line(meta.get("byline") or _person(doc.author) or "", 200) or None
    return Extraction(
        title=title,
        paragraphs=captioned.placed(paras),
        byline=byline,
        published=meta.get("published") or _date(doc.date),
        canonical=canon,
        extractor=identity(rules),
        headline_meta=bool(meta.get("headline_meta")),
    )


_CONTAINERS = "//article | //*[@itemprop='articleBody'] | //main | //*[@role='main']"
_BLOCKS = {"p", "h2", "h3", "h4", "li", "blockquote", "pre"}
_SKIP = {
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "script",
    "style",
    "noscript",
    "template",
    "figure",
    "button",
}


def _container_blocks(html: str) -> list[str]:
    """The block texts of the page's article container, in order."""
    tree = trafilatura.load_html(html)
    if tree is None:
        return []
    _drop_link_clusters(tree)
    out = []
    for node in _container(tree).iter():
        if not isinstance(node.tag, str) or node.tag not in _BLOCKS:
            continue
        if any(isinstance(a.tag, str) and a.tag in _SKIP for a in node.iterancestors()):
            continue
        if node.tag == "p" and any(isinstance(a.tag, str) and a.tag in _BLOCKS for a in node.iterancestors()):
            continue  # a paragraph inside a list item or quote is read with it
        out.append(" ".join("".join(str(t) for t in node.itertext()).split()))
    return out


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
    words = len(_text(node).split())
    linked = sum(len(_text(a).split()) for a in node.iter("a"))
    return min(linked / words, 1.0) if words else 0.0


def _labels_a_list(node: etree._Element) -> bool:
    """A short heading with no link: a heading element, or a paragraph in capitals or
    all in bold ("DON'T MISS", "Read more")."""
    text = _text(node)
    if not text or len(text.split()) > 4 or node.find(".//a") is not None:
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
        if 5 <= len(text.split()) <= 80 and normalize.comparable(title) not in normalize.comparable(text):
            return text
    return None


def _with_standfirst(paras: tuple[str, ...], standfirst: str | None) -> tuple[str, ...]:
    if not standfirst or normalize.comparable(standfirst) in {normalize.comparable(p) for p in paras}:
        return paras
    return (standfirst, *paras)


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


def _wall(paras: tuple[str, ...], words: int) -> str | None:
    """The phrase of a consent wall, paywall stub or error message that stands in for
    the article, or None. Such a phrase counts only in a short paragraph of its own,
    and only when it is a large part of the text, or closes or opens a short one: an
    article that merely reports that "something went wrong" stays an article."""
    hits = []
    for i, para in enumerate(paras):
        size = len(para.split())
        found = (_WALL.search(para) if size <= 40 else None) or (
            _ERROR_LINE.search(para) if size <= 12 else None
        )
        if found:
            hits.append((i, found.group(0), size))
    if not hits:
        return None
    share = sum(n for _, _, n in hits) / max(words, 1)
    at_edge = any(i in (0, len(paras) - 1) for i, _, _ in hits)
    if share >= 0.25 or (words < 120 and at_edge):
        return hits[0][1]
    return None


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
        site = values.get("og:site_name") or values.get("application-name") or _ld_name(ld.get("publisher"))
        meta["title"] = _without_site_name(title, site)
        meta["headline_meta"] = "1"
    byline = next((values[k] for k in _META_BYLINE if k in values and "://" not in values[k]), "")
    byline = byline or _ld_authors(ld.get("author")) or _byline_element(tree)
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


_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " · ", ": ")


def _without_site_name(title: str, site: str | None) -> str:
    """'Headline - BBC News' → 'Headline' when the page says its site is 'BBC News'."""
    site = (site or "").strip()
    if not site:
        return title
    for sep in _TITLE_SEPARATORS:
        if title.endswith(sep + site) and len(title) > len(sep + site):
            return title[: -len(sep + site)].strip()
        if title.startswith(site + sep) and len(title) > len(site + sep):
            return title[len(site + sep) :].strip()
    return title


_BYLINE_PATHS = (
    ".//*[@itemprop='author']",
    ".//*[@rel='author']",
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]",
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' author-name ')]",
)


def _byline_element(tree: lxml.html.HtmlElement) -> str:
    """The byline as the page shows it, when no metadata names the author."""
    for path in _BYLINE_PATHS:
        for node in tree.xpath(path):
            text = " ".join("".join(str(t) for t in node.itertext()).split())
            text = re.sub(r"^by\s+", "", text, flags=re.IGNORECASE)
            if 0 < len(text) <= 100 and not re.search(r"\d{4}|https?:", text):
                return text
    return ""


def _ld_name(value: object) -> str:
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else ""
    return ""


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


def _person(name: str | None) -> str:
    """trafilatura's guess at the author, kept only when it looks like a name:
    a page element called "username" is not a byline."""
    if not name:
        return ""
    words = name.replace(";", " ").split()
    return name if len(words) >= 2 and all(w[:1].isupper() for w in words if w.isalpha()) else ""


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
