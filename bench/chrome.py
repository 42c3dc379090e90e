"""Article pages as news sites serve them, built from a feed item's text.

A feed gives a story's headline, standfirst, author, date and text; a news site wraps them
in chrome that changes from one fetch to the next while the story does not: a byline with
the date and time of publication and an "Updated" stamp, a share bar with its count, a
comment count, related links and a "Most read" list that rotate as the site publishes,
navigation and a footer. `page` builds such a page, so that a replay of a feed's history
asks of journal what a real site would (bench/eval_changes.py, bench/redesign.py).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime

E = html.escape


@dataclass(frozen=True)
class Story:
    """What a feed item says about a story."""

    url: str
    title: str
    dek: str  # the standfirst; empty when the feed gives only one text
    creator: str
    published: datetime | None
    content: str  # HTML


@dataclass(frozen=True)
class Dressing:
    """What surrounds a story on one fetch: none of it is the story's."""

    site: str
    updated: datetime | None = None  # when the story's text was last changed
    shares: int = 0
    comments: int = 0
    related: list[tuple[str, str]] = field(default_factory=list)  # (url, headline) of other stories
    most_read: list[tuple[str, str]] = field(default_factory=list)


def when(moment: datetime | None) -> str:
    """'May 25, 2025 10:42 AM UTC', as a byline shows a time."""
    if moment is None:
        return ""
    hour = moment.hour % 12 or 12
    return (
        f"{moment:%B} {moment.day}, {moment.year} {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'} UTC"
    )


def iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def count(n: int) -> str:
    """A count as share bars show one: 941, 1.2K."""
    return f"{n / 1000:.1f}K".replace(".0K", "K") if n >= 1000 else str(n)


def links(items: list[tuple[str, str]]) -> str:
    return "".join(f'<li><a href="{E(url)}">{E(title)}</a></li>' for url, title in items)


def page(story: Story, dressing: Dressing) -> bytes:
    """The story inside a news site's chrome."""
    site = E(dressing.site or "News")
    dek = f'<h2 class="dek" itemprop="description">{E(story.dek)}</h2>' if story.dek else ""
    byline = (
        f'<span class="author">By <a href="/author/" rel="author">{E(story.creator)}</a></span>'
        if story.creator
        else ""
    )
    updated = (
        f'<span class="updated">Updated: <time datetime="{iso(dressing.updated)}">{when(dressing.updated)}</time></span>'
        if dressing.updated and dressing.updated != story.published
        else ""
    )
    related = (
        f'<div class="related"><h3>Related Articles</h3><ul>{links(dressing.related)}</ul></div>'
        if dressing.related
        else ""
    )
    text = f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8">
<title>{E(story.title)} | {site}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="{site}">
<meta property="og:type" content="article">
<meta property="og:title" content="{E(story.title)}">
<meta property="og:description" content="{E(story.dek)}">
<meta name="author" content="{E(story.creator)}">
<meta property="article:published_time" content="{iso(story.published)}">
<meta property="article:modified_time" content="{iso(dressing.updated)}">
<link rel="canonical" href="{E(story.url)}">
<script>window.dataLayer = [{{"page": "{E(story.url)}", "shares": {dressing.shares}}}];</script>
</head><body>
<header class="site-header"><a class="logo" href="/">{site}</a>
<nav><ul><li><a href="/news/">News</a></li><li><a href="/weather/">Weather</a></li>
<li><a href="/sports/">Sports</a></li><li><a href="/politics/">Politics</a></li>
<li><a href="/science/">Science</a></li><li><a href="/watch/">Watch Live</a></li></ul></nav>
<form class="search" action="/search/"><input name="q" placeholder="Search"></form></header>
<main><article class="story">
<header class="story-header"><h1 itemprop="headline">{E(story.title)}</h1>{dek}
<div class="byline">{byline}
<span class="published">Published: <time datetime="{iso(story.published)}">{when(story.published)}</time></span>
{updated}</div>
<div class="share-bar"><a href="#share-facebook">Facebook</a> <a href="#share-x">X</a> <a href="#share-email">Email</a>
<span class="share-count">{count(dressing.shares)} shares</span></div></header>
<div class="story-body" itemprop="articleBody">
{story.content}
</div>
<div class="story-footer"><a class="comment-count" href="#comments">{count(dressing.comments)} Comments</a>
{related}</div>
</article>
<aside class="sidebar"><h2>Most Read</h2><ol>{links(dressing.most_read)}</ol></aside></main>
<footer><p>© {site}. All rights reserved. Use of this site constitutes acceptance of our
User Agreement and Privacy Policy.</p><ul><li><a href="/about/">About Us</a></li>
<li><a href="/privacy/">Privacy Policy</a></li><li><a href="/contact/">Contact</a></li></ul></footer>
</body></html>
"""
    return text.encode("utf-8")
