"""Frozen values passed between modules."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from journal.normalize import fingerprint


class Change(enum.StrEnum):
    """What one commit did to an article (the `Change:` trailer)."""

    NEW = "new"
    EDIT = "edit"
    REMOVED = "removed"
    RESTORED = "restored"
    REEXTRACT = "reextract"


@dataclass(frozen=True)
class ArticleText:
    """The content of one version file: stable metadata, title and paragraphs (the lines
    of the body, photo caption lines among them: see `journal.captions`)."""

    url: str
    source: str
    title: str
    paragraphs: tuple[str, ...]
    published: str | None = None
    byline: str | None = None


@dataclass(frozen=True)
class Extraction:
    """An article found in a page, already normalised; its paragraphs are the lines of
    the file, caption lines included."""

    title: str
    paragraphs: tuple[str, ...]
    byline: str | None
    published: str | None
    canonical: str | None
    extractor: str
    headline_meta: bool = False  # the page names its headline in metadata
    fingerprint: str = ""  # of title and paragraphs; made in the worker, where it is cheap

    def __post_init__(self) -> None:
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint(self.title, self.paragraphs))


@dataclass(frozen=True)
class NotArticle:
    """A page that must not become a version, and why.

    `blocked` marks pages that stand in front of an article (consent walls,
    paywall stubs, error pages served with 200): they are treated as transient.
    """

    reason: str
    blocked: bool = False
    canonical: str | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One item of an RSS or Atom feed (or of a news sitemap), reduced to what identifies
    an article, and a digest of its words (title, summary, content): a known item with a
    new digest is one the feed shows changed."""

    link: str
    guid: str | None = None
    title: str = ""
    digest: str = ""
    published: str | None = None  # a news sitemap's publication date, ISO 8601


@dataclass(frozen=True)
class FeedResult:
    """A parsed feed: its entries, and a problem if part of it was unreadable. A sitemap
    index has no entries of its own but the maps it lists (`maps`, most recent first)."""

    entries: tuple[FeedEntry, ...]
    problem: str | None = None
    maps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Revision:
    """One commit that touched an article, as read back from git."""

    commit: str
    path: str
    time: datetime
    change: Change
    version: int
    url: str
    source: str
    title: str
    summary: str
    change_size: str | None = None
    words: str | None = None
    extractor: str | None = None
    fetched_at: str | None = None
    blob: str | None = None  # the file after this commit (None: deleted)
    parent_blob: str | None = None  # the file before it (None: new)


@dataclass(frozen=True)
class ScheduleSettings:
    """The check schedule of one source (DESIGN §5); times in seconds."""

    first_wait: float = 30 * 60
    backoff: float = 1.2
    retire_after: float = 40 * 24 * 3600
    feed_interval: float = 5 * 60
    max_per_source: int = 200


@dataclass(frozen=True)
class PageRules:
    """A source's CSS selectors, applied to a page before extraction (`journal.rules`):
    `drop` removes elements, `keep` reduces the page to the elements it matches, and
    `title` names the element that holds the headline."""

    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    title: str | None = None

    def __bool__(self) -> bool:
        return bool(self.keep or self.drop or self.title)


@dataclass(frozen=True)
class Source:
    """A named news source: its feeds, URL filters, schedule, and how its pages are read."""

    name: str
    feeds: tuple[str, ...]
    urls: tuple[str, ...] = ()  # articles followed with `journal track`
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    rules: PageRules = field(default_factory=PageRules)
    browser: bool = False  # fetch = "browser": pages are rendered in headless Chromium


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how far journal fetches (journal.toml [fetch])."""

    user_agent: str = "journal/0.1 (+https://example.org/contact)"
    timeout: float = 30.0
    max_bytes: int = 10_000_000
    per_host: int = 2
    delay: float = 1.0
    allow_private: bool = False
    allow_networks: tuple[str, ...] = ()  # private networks allowed one by one (CIDR)
    max_redirects: int = 5
    concurrency: int = 32


@dataclass(frozen=True)
class Settings:
    """Everything journal.toml says."""

    fetch: FetchSettings
    schedule: ScheduleSettings
    sources: tuple[Source, ...]
    author_name: str = "journal"
    author_email: str = "journal@localhost"
    push_remote: str | None = None
    push_branch: str = "main"
    feed_base_url: str = "http://127.0.0.1:8000"

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    def page_rules(self, name: str) -> PageRules:
        """How the pages of source `name` are read (no rules for a source since removed)."""
        source = self.source(name)
        return source.rules if source else PageRules()

    def feed_urls(self) -> set[str]:
        return {url for source in self.sources for url in source.feeds}
