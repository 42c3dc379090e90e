"""HTML from templates: one Jinja2 environment, autoescaping everything, and the few
filters the pages share (times, word marks)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from journal import captions, changefeed, links
from journal.diff import Op
from journal.history import ago
from journal.search import Snippet
from journal.web.views import published, stamp, web_href


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("journal.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=when,
        day=day,
        iso=iso,
        marks=marks,
        plural=plural,
        line=line,
        media=media,
        marked=marked,
    )
    env.tests.update(caption=captions.is_caption)
    env.globals.update(
        ago=ago,
        links=links,
        excerpt=excerpt,
        published=published,
        stamp_of=stamp,
        caption_label=caption_label,
    )
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)  # compiled now: no first request pays for it, no error waits for one
    return env


def when(moment: datetime | str | None) -> str:
    """'2 Nov 2026, 09:30 UTC'; a string (an unparsed published date) as it is."""
    if moment is None:
        return "an unknown date"
    if isinstance(moment, str):
        return moment
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def day(moment: datetime | str | None) -> str:
    """'2 November 2026, 09:30 UTC': the long form for sentences."""
    if moment is None or isinstance(moment, str):
        return when(moment)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return f"{moment.day} {moment:%B %Y}"
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def iso(moment: datetime | str | None) -> str:
    if moment is None or isinstance(moment, str):
        return moment or ""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def marks(ops: Iterable[Op], side: str) -> Markup:
    """One side of a word diff: the words it shares with the other side, and its own
    words in <del> (old side) or <ins> (new side)."""
    out = []
    for op in ops:
        text = escape(op.text)
        if op.kind == "equal":
            out.append(str(text))
        elif op.kind == "delete" and side == "old":
            out.append(f"<del>{text}</del>")
        elif op.kind == "insert" and side == "new":
            out.append(f"<ins>{text}</ins>")
    return Markup("".join(out))


def marked(snippet: Snippet) -> Markup:
    """A search snippet, escaped, its matching words in <mark>."""
    return Markup(
        "".join(f"<mark>{escape(text)}</mark>" if hit else str(escape(text)) for text, hit in snippet.parts())
    )


def caption_label() -> Markup:
    return Markup(f'<span class="caption-label">{captions.LABEL}</span> ')


def line(text: str | None) -> Markup:
    """One line of an article as a reader reads it: a caption's text after a "Caption"
    label, a paragraph without its escape. Escaped; never an image."""
    if text is None:
        return Markup("")
    shown = escape(captions.shown(text))
    if captions.is_caption(text):
        return caption_label() + shown
    return Markup(shown)


def media(text: str) -> str | None:
    """A caption line's media URL when it is safe to link (http or https); not loaded."""
    caption = captions.parse(text)
    return web_href(caption.media) if caption is not None else None


def excerpt(item: changefeed.Item, limit: int = 240) -> str:
    """What a change removed and added, in a line or two (the summary is shown apart)."""
    text = item.summary_text.removeprefix(item.revision.summary).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 version', '3 versions'."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def page(env: Environment, template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
