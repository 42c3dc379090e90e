"""What a notification says: the change itself, in the markup its service reads.

A notice is built from git alone (the commit, its article file before and after),
so it reads the same whenever it is sent: the headline (old → new when it changed),
source, version and "(35 minutes later)", size and word counts, the changed
paragraphs as a short word diff, the article's URL, the diff page of `journal
serve` when `feed_base_url` is set, and the commit id, so a receiver can tell a
repeat from a new message. Every string from the web is escaped for the format:
plain text (`[-removed-]{+added+}`, as `git diff --word-diff`), Markdown
(`~~removed~~ **added**`) or HTML (`<del>`/`<ins>`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from journal import captions, document, links
from journal.archive import Archive
from journal.diff import Diff, Op, Row, diff
from journal.history import later
from journal.models import ArticleText, Change, Revision
from journal.normalize import single_line
from journal.urls import article_id

Format = Literal["text", "markdown", "html"]

ROWS = 6  # changed paragraphs shown in one notice
CONTEXT = 6  # unchanged words kept either side of a change
PARAGRAPH = 300  # characters of an added or removed paragraph
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


@dataclass(frozen=True)
class Story:
    """One committed version, read back from git."""

    revision: Revision
    gap: float | None  # seconds since the version before (re-extractions skipped)
    before: ArticleText | None
    after: ArticleText | None
    diff_link: str | None  # the diff page (or article page) on `journal serve`


@dataclass(frozen=True)
class Notice:
    title: str
    body: str


def story(archive: Archive, path: str, commit: str, base_url: str) -> Story | None:
    """The version `commit` made of `path`; None when history no longer has it."""
    revisions = archive.revisions(path, last=commit)
    if not revisions or revisions[-1].commit != commit:
        return None
    revision = revisions[-1]
    earlier = [r for r in revisions[:-1] if r.change is not Change.REEXTRACT]
    gap = (revision.time - earlier[-1].time).total_seconds() if earlier else None
    # A restored article's text before is the last text it had, before its removal.
    blob = revision.parent_blob or next((r.blob for r in reversed(revisions[:-1]) if r.blob), None)
    before = document.parse(archive.read_blob(blob)) if blob and revision.change is not Change.NEW else None
    after = document.parse(archive.read_blob(revision.blob)) if revision.blob else None
    link = None
    if base_url:
        sid = article_id(path)
        if revision.change in (Change.EDIT, Change.RESTORED) and revision.version > 1:
            link = links.diff(base_url, sid, revision.version - 1, revision.version)
        else:
            link = links.article(base_url, sid)
    return Story(revision, gap, before, after, link)


def one(story: Story, fmt: Format) -> Notice:
    """The notice of one version."""
    mark = _Marks(fmt)
    return Notice(_subject(story), "\n".join(_told(story, mark, full=True)) + "\n")


def digest(stories: Sequence[Story], more: int, fmt: Format) -> Notice:
    """One notice for several versions; `more` were left out of it ("and N more")."""
    mark = _Marks(fmt)
    total = len(stories) + more
    lines: list[str] = []
    for item in stories:
        lines += _told(item, mark, full=False)
        lines.append(mark.rule())
    if more:
        lines.append(mark.para(mark.escape(f"… and {more} more.")))
    sources = sorted({s.revision.source for s in stories})
    title = f"journal: {total} change{'s' if total != 1 else ''} in {', '.join(sources)}"
    return Notice(single_line(title, 200), "\n".join(lines).rstrip() + "\n")


def _subject(story: Story) -> str:
    rev = story.revision
    label = {
        Change.NEW: "new",
        Change.REMOVED: "removed",
        Change.RESTORED: f"back, version {rev.version}",
    }.get(rev.change, f"version {rev.version}" + (f", {rev.change_size}" if rev.change_size else ""))
    return single_line(f"{rev.source}: {_headline(story)} ({label})", 250)


def _headline(story: Story) -> str:
    return single_line(
        (story.after.title if story.after else "") or story.revision.title or story.revision.url
    )


def _told(story: Story, mark: _Marks, full: bool) -> list[str]:
    rev = story.revision
    before, after = story.before, story.after
    old_title = before.title if before else ""
    new_title = after.title if after else rev.title
    if old_title and new_title and old_title != new_title:
        head = f"{mark.strong(mark.escape(old_title))} → {mark.strong(mark.escape(new_title))}"
    else:
        head = mark.strong(mark.escape(new_title or old_title or rev.url))
    facts = [
        mark.escape(rev.source),
        f"version {rev.version}" if rev.change is not Change.REMOVED else "removed",
    ]
    if story.gap is not None:
        facts.append(later(story.gap))
    if rev.change is Change.NEW:
        facts.append("first seen")
    elif rev.change is Change.RESTORED:
        facts.append("back after removal")
    if rev.change_size:
        facts.append(mark.escape(rev.change_size))
    if rev.words:
        facts.append(f"words {mark.escape(rev.words)}")
    # Our own words are left as they are; what a commit says is escaped (an archive
    # cloned from elsewhere may say anything).
    lines = [mark.para(head, " · ".join(facts))]
    if rev.change is Change.REMOVED:
        lines.append(mark.para(mark.escape(rev.summary or "The page was taken down.")))
    elif rev.change is Change.NEW and after is not None:
        body = captions.body(after.paragraphs)
        if body and full:
            lines.append(mark.para(mark.escape(_cut(body[0]))))
    elif after is not None:
        lines += _changes(diff(before, after), mark, ROWS if full else 2)
    lines.append(mark.links(rev.url, story.diff_link))
    lines.append(mark.para(f"Commit: {mark.code(rev.commit)}"))
    return lines


def _changes(delta: Diff, mark: _Marks, limit: int) -> list[str]:
    """The changed paragraphs, each a short word diff; moves are not changes."""
    items: list[str] = []
    for name in ("byline", "published"):
        field = delta.field(name)
        if field:
            items.append(f"{name}: {_ops(field.ops, mark)}")
    rows = [r for r in delta.rows if r.kind in ("change", "insert", "delete")]
    shown = rows[: max(limit - len(items), 0)]
    items += [_row(row, mark) for row in shown]
    left = len(rows) - len(shown)
    if left:
        items.append(mark.escape(f"… and {left} more changed paragraph{'s' if left != 1 else ''}"))
    return [mark.bullets(items)] if items else []


def _row(row: Row, mark: _Marks) -> str:
    label = f"{captions.LABEL}: " if row.caption else ""
    if row.kind == "change":
        return mark.escape(label) + _ops(_short(row.ops), mark)
    if row.kind == "insert":
        return mark.escape(label) + mark.insert(mark.escape(_cut(captions.shown(row.new or ""))))
    return mark.escape(label) + mark.delete(mark.escape(_cut(captions.shown(row.old or ""))))


def _ops(ops: Sequence[Op], mark: _Marks) -> str:
    out = []
    for op in ops:
        text = mark.escape(op.text)
        if op.kind == "equal":
            out.append(text)
        else:
            lead, core, trail = _edges(text)
            out.append(lead + (mark.insert(core) if op.kind == "insert" else mark.delete(core)) + trail)
    return "".join(out)


def _short(ops: Sequence[Op]) -> list[Op]:
    """The ops with long unchanged stretches cut to CONTEXT words either side."""
    out: list[Op] = []
    for i, op in enumerate(ops):
        if op.kind != "equal":
            out.append(op)
            continue
        words = op.text.split(" ")
        first, last = i == 0, i == len(ops) - 1
        if first and len(words) > CONTEXT:
            out.append(Op("equal", "… " + " ".join(words[-CONTEXT:])))
        elif last and len(words) > CONTEXT:
            out.append(Op("equal", " ".join(words[:CONTEXT]) + " …"))
        elif not first and not last and len(words) > 2 * CONTEXT + 1:
            out.append(Op("equal", " ".join(words[:CONTEXT]) + " … " + " ".join(words[-CONTEXT:])))
        else:
            out.append(op)
    return out


def _edges(text: str) -> tuple[str, str, str]:
    """Marks go around the words, not the spaces beside them (`** x**` is not bold)."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def _cut(text: str) -> str:
    return text if len(text) <= PARAGRAPH else text[: PARAGRAPH - 1].rstrip() + "…"


def _web_link(url: str | None) -> str | None:
    return url if url and re.match(r"^https?://[^\s]+$", url, re.IGNORECASE) else None


class _Marks:
    """The markup of one format; `escape` makes any text from the web inert in it."""

    def __init__(self, fmt: Format):
        self.fmt = fmt
        escapes: dict[str, Callable[[str], str]] = {
            "text": lambda s: _CONTROL.sub("", s),
            "markdown": lambda s: _MARKDOWN.sub(r"\\\1", _CONTROL.sub("", s)),
            "html": lambda s: html.escape(_CONTROL.sub("", s)),
        }
        self.escape = escapes[fmt]

    def _wrap(self, text: str, marks: dict[str, tuple[str, str]]) -> str:
        if not text:
            return ""
        left, right = marks[self.fmt]
        return f"{left}{text}{right}"

    def delete(self, text: str) -> str:
        return self._wrap(text, {"text": ("[-", "-]"), "markdown": ("~~", "~~"), "html": ("<del>", "</del>")})

    def insert(self, text: str) -> str:
        return self._wrap(text, {"text": ("{+", "+}"), "markdown": ("**", "**"), "html": ("<ins>", "</ins>")})

    def strong(self, text: str) -> str:
        return self._wrap(text, {"text": ("", ""), "markdown": ("**", "**"), "html": ("<b>", "</b>")})

    def code(self, text: str) -> str:
        return self._wrap(text, {"text": ("", ""), "markdown": ("`", "`"), "html": ("<code>", "</code>")})

    def para(self, *lines: str) -> str:
        if self.fmt == "html":
            return "<p>" + "<br>\n".join(lines) + "</p>"
        joiner = "  \n" if self.fmt == "markdown" else "\n"
        return joiner.join(lines) + "\n"

    def bullets(self, items: list[str]) -> str:
        if self.fmt == "html":
            return "<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>"
        return "\n".join(f"- {item}" for item in items) + "\n"

    def rule(self) -> str:
        return "<hr>" if self.fmt == "html" else "---\n" if self.fmt == "markdown" else "-----\n"

    def links(self, url: str, diff_link: str | None) -> str:
        shown = []
        for label, address in (("Article", url), ("Diff", diff_link)):
            safe = _web_link(address)
            if safe is None:
                continue
            if self.fmt == "html":
                shown.append(f'{label}: <a href="{html.escape(safe)}">{html.escape(safe)}</a>')
            elif self.fmt == "markdown":
                shown.append(f"{label}: [{self.escape(safe)}]({quote(safe, safe=':/?&=#%@+,;~')})")
            else:
                shown.append(f"{label}: {safe}")
        return self.para(*shown) if shown else ""
