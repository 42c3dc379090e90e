"""What a page says about its article: the headline it shows, the names it gives it
elsewhere, the byline, the published time and the canonical URL.

The title is the displayed headline: the article's `<h1>` (of several, the one that best
matches the page's other names for it), else `<title>` less the site's name, with
`og:title` and its kin only as a fallback, since a social headline is written for
sharing and changes apart from the page. Read from `<meta>`, `<link>`, JSON-LD and the
page's own elements (one parse, shared with `journal.extract`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from journal.furniture import is_label
from journal.normalize import clean, word_count
from journal.urls import BadURL, canonical, host_of

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

# Elements whose text a reader never sees.
_UNSEEN = frozenset({"script", "style", "noscript", "template", "svg", "button"})
# Parts of a page that are not the article's, where an <h1> is the site's name or a teaser.
_ELSEWHERE = frozenset({"nav", "footer", "aside"})
_HEADLINE_WORDS = 60  # a longer <h1> is not a headline


@dataclass(frozen=True)
class Metadata:
    title: str  # the displayed headline; "" when the page shows none
    echoes: tuple[str, ...]  # every other name the page gives its headline
    named: bool  # the page names its headline in metadata (og:title, JSON-LD, <meta name=Headline>)
    byline: str | None
    published: str | None
    canonical: str | None


def read(tree: lxml.html.HtmlElement, container: etree._Element, url: str) -> Metadata:
    """The metadata of a page whose article sits in `container`."""
    values: dict[str, str] = {}
    for node in tree.iterfind(".//meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        content = (node.get("content") or "").strip()
        if key and content and key not in values:
            values[key] = content
    ld = _json_ld(tree)
    site = values.get("og:site_name") or values.get("application-name") or _ld_name(ld.get("publisher"))
    named = [clean(values[k]) for k in _META_TITLE if k in values]
    if isinstance(ld.get("headline"), str):
        named.append(clean(str(ld["headline"])))
    named = [_without_site_name(t, site) for t in named if t]
    page_title = clean(tree.findtext(".//head/title") or "")  # not an <svg>'s <title>
    shown = _shown_headline(tree, container, [page_title, *named], site)
    from_title = _title_less_site(page_title, site, named, url)
    title = shown or from_title or (named[0] if named else "")
    echoes = tuple(dict.fromkeys(t for t in (shown, from_title, page_title, *named) if t and t != title))
    byline = next((values[k] for k in _META_BYLINE if k in values and "://" not in values[k]), "")
    byline = byline or _ld_authors(ld.get("author")) or _byline_element(tree)
    stamp = next((values[k] for k in _META_TIME if k in values), "") or str(ld.get("datePublished", ""))
    found = None
    for link in tree.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            found = _same_site_url(urljoin(url, link.get("href", "").strip()), url)
            break
    return Metadata(title, echoes, bool(named), byline or None, _timestamp(stamp), found)


def _shown_headline(
    tree: lxml.html.HtmlElement, container: etree._Element, names: list[str], site: str | None
) -> str:
    """The article's displayed <h1>: of those in the article container (else in the page,
    outside its navigation, asides and footer), the one that best matches the page's
    other names for its headline. An <h1> outside the container that shares no word with
    them, or that is the site's name, is the site's logo, not the headline."""
    inside = [h for h in container.iter("h1") if not _elsewhere(h, container)]
    candidates = inside or [h for h in tree.iter("h1") if not _elsewhere(h, tree)]
    texts = [_without_site_name(_shown_text(h), site) for h in candidates]
    texts = [t for t in texts if t and _letters(t) != _letters(site or "")]
    texts = [t for t in texts if word_count(t) <= _HEADLINE_WORDS]
    if not texts:
        return ""
    references = [_words(n) for n in names if n]
    best, score = texts[0], -1.0
    for text in texts:
        words = _words(text)
        found = max((len(words & r) / len(words | r) for r in references if words | r), default=0.0)
        if found > score:
            best, score = text, found
    if not inside and references and score == 0:
        return ""
    return best


def _elsewhere(node: etree._Element, root: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not root:
        if parent.tag in _ELSEWHERE:
            return True
        parent = parent.getparent()
    return False


def _shown_text(node: etree._Element) -> str:
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _UNSEEN:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(node)
    return clean("".join(parts))


_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " · ", ": ")
_TITLE_PARTS = re.compile(r" (?:[|–—·-]|::) ")


def _title_less_site(title: str, site: str | None, named: list[str], url: str) -> str:
    """`<title>` without the site's name (and the section names set beside it): the part
    the page's metadata names as its headline, else what is left once the declared site
    name, or a part that spells the site's host name, is taken off; of several parts left,
    the longest."""
    if not title:
        return ""
    title = _without_site_name(title, site)
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    shown = {_letters(p) for p in parts}
    for name in named:
        if _letters(name) in shown or title.startswith(name + " ") or title.endswith(" " + name):
            return name
    host = [label for label in host_of(url).split(".") if len(label) > 2]
    left = [
        p
        for p in parts
        if _letters(p) != _letters(site or "") and not any(label in _letters(p) for label in host)
    ]
    return max(left or parts, key=len)


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


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


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


def person_name(name: str | None) -> str:
    """trafilatura's guess at the author, kept only when it looks like a name:
    a page element called "username" is not a byline."""
    if not name:
        return ""
    words = name.replace(";", " ").split()
    if is_label(name):
        return ""  # a byline box's labels left when its dates are taken out: "Published Updated"
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
        return iso_date(value[:10].replace("/", "-"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(value: str | None) -> str | None:
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
