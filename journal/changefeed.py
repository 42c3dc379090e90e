"""Outgoing Atom feeds of changes, built from `git log` ("feed" is what we read,
"changefeed" is what we publish).

One entry per reader-visible event (new, edit, removed, restored); `reextract`
commits are left out. Each entry links the diff page of `journal serve` and
carries a short readable summary of what changed. The XML is Atom 1.0 (RFC 4287):
every feed and entry has id, title and updated; the feed has an author.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from journal import captions, commits, document, links
from journal.diff import changed_sentences, diff
from journal.history import Reader
from journal.models import ArticleText, Change, Revision
from journal.state import ArticleRow
from journal.urls import article_id

ATOM = "http://www.w3.org/2005/Atom"
SIZES = ("typo", "minor", "major")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SNIPPET = 280  # characters of one sentence shown
_SENTENCES = 3  # sentences shown per side


@dataclass(frozen=True)
class Scope:
    """What a feed covers: everything, one source, or one article."""

    source: str | None = None
    article: ArticleRow | None = None

    def paths(self) -> list[str] | None:
        if self.article is not None and self.article.path:
            return [self.article.path]
        if self.source:
            return [f"{self.source}/"]
        return None

    def title(self) -> str:
        if self.article is not None:
            return f"Changes to “{self.article.title}”"
        if self.source:
            return f"Changes in {self.source}"
        return "Changes in all sources"


@dataclass(frozen=True)
class Item:
    """One feed entry before it becomes XML (the web's recent-changes list uses it too)."""

    revision: Revision
    sid: str
    title: str
    link: str
    summary_html: str
    summary_text: str


def items(
    reader: Reader,
    scope: Scope,
    base_url: str,
    limit: int = 50,
    skip: int = 0,
    min_size: str | None = None,
) -> Iterator[Item]:
    """The newest reader-visible changes in scope, newest first."""
    wanted = SIZES[SIZES.index(min_size) :] if min_size else None
    shown = skipped = 0
    log = (
        reversed(reader.revisions(scope.article))
        if scope.article
        else reader.archive.log(paths=scope.paths())
    )
    for revision in log:
        if revision.change is Change.REEXTRACT:
            continue
        if wanted and revision.change is Change.EDIT and revision.change_size not in wanted:
            continue
        if skipped < skip:
            skipped += 1
            continue
        yield _item(reader, revision, base_url)
        shown += 1
        if shown >= limit:
            return


def _item(reader: Reader, revision: Revision, base_url: str) -> Item:
    sid = article_id(revision.path)
    before = _text(reader, revision.parent_blob)
    after = _text(reader, revision.blob)
    if revision.change is Change.REMOVED:
        title = f"{revision.title}: removed"
    elif revision.change is Change.NEW:
        title = f"{revision.title} (version 1)"
    else:
        size = f", {revision.change_size}" if revision.change_size else ""
        title = f"{revision.title} (version {revision.version}{size})"
    if revision.change in (Change.EDIT, Change.RESTORED) and revision.version > 1:
        link = links.diff(base_url, sid, revision.version - 1, revision.version)
    else:
        link = links.article(base_url, sid)
    summary_html, summary_text = _summary(revision, before, after)
    return Item(revision, sid, title, link, summary_html, summary_text)


def _text(reader: Reader, blob: str | None) -> ArticleText | None:
    return document.parse(reader.archive.read_blob(blob)) if blob else None


def _summary(revision: Revision, before: ArticleText | None, after: ArticleText | None) -> tuple[str, str]:
    """A short account of the change, as HTML (escaped later by the XML writer) and text."""
    html_parts: list[str] = []
    text_parts: list[str] = []
    if revision.summary:
        html_parts.append(f"<p>{escape(revision.summary)}</p>")
        text_parts.append(revision.summary)
    if revision.change is Change.NEW and after is not None:
        body = captions.body(after.paragraphs)
        lead = _cut(body[0]) if body else ""
        html_parts.append(f"<p>{escape(lead)}</p>")
        text_parts.append(lead)
    elif revision.change is Change.REMOVED:
        html_parts.append("<p>The page was taken down (HTTP 404/410).</p>")
        text_parts.append("The page was taken down.")
    elif before is not None and after is not None:
        delta = diff(before, after)
        title = delta.field("title")
        if title:
            html_parts.append(
                f"<p>Title: <del>{escape(title.old)}</del> → <ins>{escape(title.new)}</ins></p>"
            )
            text_parts.append(f"Title: “{title.old}” → “{title.new}”")
        removed, added = changed_sentences(delta)
        for label, tag, found in (("Removed", "del", removed), ("Added", "ins", added)):
            if not found:
                continue
            shown = [_cut(s) for s in found[:_SENTENCES]]
            more = f"<li>… and {len(found) - _SENTENCES} more</li>" if len(found) > _SENTENCES else ""
            items_html = "".join(f"<li><{tag}>{escape(s)}</{tag}></li>" for s in shown)
            html_parts.append(f"<p>{label}:</p><ul>{items_html}{more}</ul>")
            text_parts.append(f"{label}: " + " / ".join(f"“{s}”" for s in shown))
    return "".join(html_parts), " ".join(text_parts)


def _cut(text: str) -> str:
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1].rstrip() + "…"


def build(
    reader: Reader,
    scope: Scope,
    base_url: str,
    limit: int = 50,
    min_size: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The Atom document for `scope`."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    self_url = links.feed(
        base_url,
        source=scope.source,
        sid=scope.article.sid if scope.article is not None else None,
    )
    entries = list(items(reader, scope, base_url, limit, min_size=min_size))
    updated = entries[0].revision.time if entries else (now or datetime.now(UTC))
    _add(feed, "id", f"urn:journal:feed:{_scope_key(scope)}")
    _add(feed, "title", scope.title())
    _add(feed, "updated", commits.iso(updated))
    _link(feed, self_url, "self", "application/atom+xml")
    alternate = (
        links.article(base_url, scope.article.sid or "")
        if scope.article is not None
        else links.source(base_url, scope.source)
        if scope.source
        else f"{base_url}/"
    )
    _link(feed, alternate, "alternate", "text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _add(author, "name", "journal")
    _add(feed, "generator", "journal")
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _add(entry, "id", f"urn:journal:commit:{item.revision.commit}")
        _add(entry, "title", item.title)
        _add(entry, "updated", commits.iso(item.revision.time))
        _link(entry, item.link, "alternate", "text/html")
        if item.revision.url:
            _link(entry, item.revision.url, "related", "text/html")
        _category(entry, item.revision.change.value)
        if item.revision.change_size:
            _category(entry, item.revision.change_size)
        _category(entry, f"source:{item.revision.source}")
        _add(entry, "summary", item.summary_text)
        content = _add(entry, "content", item.summary_html)
        content.set("type", "html")
    body: bytes = ET.tostring(feed, encoding="unicode").encode("utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _scope_key(scope: Scope) -> str:
    if scope.article is not None:
        return f"article:{scope.article.sid}"
    if scope.source:
        return f"source:{scope.source}"
    return "all"


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _XML_ILLEGAL.sub("", text)
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    link = ET.SubElement(parent, f"{{{ATOM}}}link")
    link.set("href", _XML_ILLEGAL.sub("", href))
    link.set("rel", rel)
    link.set("type", kind)


def _category(parent: ET.Element, term: str) -> None:
    category = ET.SubElement(parent, f"{{{ATOM}}}category")
    category.set("term", _XML_ILLEGAL.sub("", term))
