"""Change detection: does journal make a version when, and only when, an article's words change?

    python bench/eval_changes.py --corpus DIR [--json] [--write] [--steps N] [--keep DIR]

DIR is the corpus root (the folder holding `pages/` and `feeds/`). Two parts:

1. Captures of one URL. Pairs of captures are checked two ways:
   - offline: `journal.extract.extract_page` on both; journal makes a version when the
     `journal.normalize.fingerprint` of title and paragraphs differs, once the second
     capture's caption lines are settled against the first's (`journal.captions.settle`: a
     caption counts only for the same media, captioned in both). The size of the change
     is `journal.diff.diff` between the two texts.
   - pipeline: both captures served in turn at one URL on 127.0.0.1 to a fresh archive
     following that URL (in journal.toml's `urls`), one `journal.update.run` pass each, an
     hour apart; the versions are read back from git.
   The pairs are `pages/same-url/<site>/<name>.html` → `<name>-<year>.html` (guardian and
   washingtonpost differ only in page design: no version; bbc_news was edited: a version)
   and three cases from `pages/news-sniffer/` (7984711-A → B: a version of exactly two
   deleted paragraphs; 6072486-A → B: no version; 7984711-A → invalid, a copy of B that no
   longer names its headline in metadata: no version).

2. Feed histories replayed through the real pipeline, each on its own. Every folder
   `feeds/history/<name>/` holds consecutive snapshots of one feed (RSS 2.0 or Atom),
   `feeds/history/manifest.json` their times (`local`, `commit_time`). A
   ThreadingHTTPServer on 127.0.0.1 serves, at step k, snapshot k as the feed (item links
   pointed at the local server) and, for every item seen so far, at the item's latest
   link, an article page built from its latest content (`content:encoded` or Atom
   `content`, else the description or summary; the feed's "Read N remaining paragraphs |
   Comments" line removed), title, description and creator, inside the chrome of a news
   site (`bench/chrome.py`): navigation, a byline with the date and time from the
   pubDate and an "Updated" stamp (when the text last changed), a share bar and a
   comment count that grow from step to step, related links and a "Most read" list of
   other current headlines that rotate, a footer, `og:title`, `author` and
   `article:published_time` metadata. An item's earlier links answer 404. Pages carry an
   ETag. A fresh archive with one source on that feed runs one
   `journal.update.run(archive, Options(), clock=<snapshot time>)` per snapshot, so the
   schedule decides what is checked. Afterwards, per article:
   - versions: commits of kind new/edit/restored, read back from git;
   - feed texts: distinct (title, description, content) the feed showed; distinct texts:
     distinct journal fingerprints of the pages built from them;
   - real changes: consecutive feed texts whose words (`\\w+` of title, description and
     the text of the content) differ; "seen" when journal's extraction of the two pages
     differs too (its fingerprint changes);
   - false versions: an edit whose page shows the same words as the page behind the
     previous version (the difference lies in whitespace, punctuation, markup, dates,
     chrome or paragraph order);
   - false removals: a `removed` commit while the site served the article at its
     latest link;
   - missed edits: real changes after which no version was made while the new text was
     served, with where the changed words are (title, dek, body, caption: the text of the
     content's figures) and why: the page was not fetched then, journal fetched it and
     declined it (its reason as reported by the run: a declined real edit is missed all the
     same), the extractor's text did not change, or the checker judged it no change.
   A table gives these per feed and in total.

Markdown goes to stdout; `--json` prints the results as JSON instead; `--write` also puts
the markdown into bench/RESULTS.md under "Change detection". `--steps N` replays only the
first N snapshots of each feed; `--feed NAME` replays only that history (and checks no
capture pairs); `--keep DIR` keeps the replays' archives there (a folder per feed) for
inspection.
"""

from __future__ import annotations

import argparse
import difflib
import email.utils
import hashlib
import html
import itertools
import json
import re
import sys
import tempfile
import threading
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html

from journal import captions, config, document, sources, update
from journal.archive import Archive
from journal.diff import Diff, diff
from journal.extract import extract_page
from journal.history import Reader
from journal.models import ArticleText, Change, Extraction, NotArticle, Revision
from journal.normalize import fingerprint
from journal.state import ArticleRow, State

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import chrome  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

SECTION = "Change detection"
HTML_TYPE = "text/html; charset=utf-8"
FEED_TYPE = "application/rss+xml; charset=utf-8"
FEED_PATH = "/feed/"
SOURCE = "replay"
VERSIONS = (Change.NEW, Change.EDIT, Change.RESTORED)
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text))


def fixed(moment: float) -> Callable[[], float]:
    """A clock that always says `moment` (UNIX seconds)."""
    return lambda: moment


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


# -- a local web site -----------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    step: int
    path: str
    status: int


class Site:
    """A web server on 127.0.0.1 whose pages are swapped wholesale between passes."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}  # path -> (body, content type)
        self.step = 0
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish(self, step: int, pages: dict[str, tuple[bytes, str]]) -> None:
        with self.lock:
            self.step, self.pages = step, pages

    def answer(self, path: str, etag_seen: str | None) -> tuple[int, bytes, dict[str, str]]:
        with self.lock:
            page = self.pages.get(unquote(path))  # a path as sent: non-ASCII letters percent-encoded
            step = self.step
        if page is None:
            status, body, headers = 404, b"not found", {"Content-Type": "text/plain"}
        else:
            body, kind = page
            etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            headers = {"Content-Type": kind, "ETag": etag}
            status = 304 if etag_seen == etag else 200
            body = b"" if status == 304 else body
        with self.lock:
            self.hits.append(Hit(step, path, status))
        return status, body, headers

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                status, body, headers = site.answer(self.path, self.headers.get("If-None-Match"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- archives -------------------------------------------------------------------------------


def new_archive(root: Path, now: datetime) -> Archive:
    """A fresh archive that may fetch from 127.0.0.1 without a politeness delay."""
    archive = sources.init(root, now)
    text = config.set_key(archive.read_config(), "fetch", "allow_private", True)
    text = config.set_key(text, "fetch", "delay", 0.0)
    sources.commit_config(archive, text, "journal: local evaluation settings", "", now)
    return archive


def read_versions(archive: Archive) -> dict[int, tuple[ArticleRow, list[Revision]]]:
    """Every article of the archive with its commits, by article id."""
    state = State.open(archive.state_dir)
    try:
        reader = Reader(archive, state)
        return {row.id: (row, reader.revisions(row)) for row in state.listing(order="path")}
    finally:
        state.close()


def read_text(archive: Archive, revision: Revision) -> ArticleText | None:
    return document.parse(archive.read_blob(revision.blob)) if revision.blob else None


# -- part 1: captures of one URL ------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    first: Path
    second: Path
    expect_version: bool | None  # None: not known, reported but not scored
    expect_removed: int | None = None  # exactly this many paragraphs deleted, nothing else

    @property
    def expected(self) -> str:
        if self.expect_version is None:
            return "not known (unscored)"
        if not self.expect_version:
            return "no version"
        if self.expect_removed is not None:
            return f"version: exactly {self.expect_removed} paragraphs removed"
        return "version"


@dataclass
class CaseResult:
    name: str
    expected: str
    offline: str
    offline_ok: bool | None
    pipeline: str
    pipeline_ok: bool | None
    diff: str
    notes: list[str] = field(default_factory=list)


# What the corpus README says about each same-url site: was the article edited? Pairs of
# other sites are run and reported all the same, unscored.
SAME_URL_EDITED = {"guardian": False, "washingtonpost": False, "bbc_news": True}


def same_url_cases(corpus: Path) -> list[Case]:
    cases = []
    for later in sorted((corpus / "pages" / "same-url").glob("*/*-[0-9][0-9][0-9][0-9].html")):
        first = later.with_name(re.sub(r"-\d{4}\.html$", ".html", later.name))
        if first.exists():
            site = later.parent.name
            cases.append(Case(f"{site}/{first.stem} → {later.stem}", first, later, SAME_URL_EDITED.get(site)))
    return cases


def news_sniffer_cases(corpus: Path) -> list[Case]:
    folder = corpus / "pages" / "news-sniffer"
    wanted = [
        ("7984711-A.stm.html", "7984711-B.stm.html", True, 2),
        ("6072486-A.stm.html", "6072486-B.stm.html", False, None),
        ("7984711-A.stm.html", "7984711-invalid.html", False, None),
    ]
    return [
        Case(f"news-sniffer/{a.split('.')[0]} → {b.split('.')[0]}", folder / a, folder / b, edit, removed)
        for a, b, edit, removed in wanted
        if (folder / a).exists() and (folder / b).exists()
    ]


def as_text(found: Extraction, url: str) -> ArticleText:
    return ArticleText(url, SOURCE, found.title, found.paragraphs, found.published, found.byline)


def exact_removal(delta: Diff, count: int) -> bool:
    stats = delta.stats
    others = stats["added"] + stats["edited"] + stats["moved"]
    return stats["removed"] == count and others == 0 and not delta.fields


def verdict_ok(case: Case, made: bool, delta: Diff | None) -> bool | None:
    if case.expect_version is None:
        return None
    if made != case.expect_version:
        return False
    if made and case.expect_removed is not None:
        return delta is not None and exact_removal(delta, case.expect_removed)
    return True


def describe(delta: Diff) -> str:
    return f"{delta.summary()} ({delta.words()} words, {delta.size()})"


def unusable(case: Case) -> bool | None:
    """The verdict when the pair cannot be compared at all: wrong if anything was expected."""
    return None if case.expect_version is None else False


def offline_case(case: Case) -> tuple[str, bool | None, str]:
    url = "https://example.org/article"
    a = extract_page(case.first.read_bytes(), "text/html", url)
    b = extract_page(case.second.read_bytes(), "text/html", url)
    if isinstance(a, NotArticle):
        return f"first capture is not an article: {a.reason}", unusable(case), ""
    if isinstance(b, NotArticle):
        return f"no version: not an article ({b.reason})", verdict_ok(case, False, None), ""
    # The checker's caption rule: a caption counts only for the same media, captioned in both.
    settled = captions.settle(a.paragraphs, b.paragraphs)
    delta = diff(as_text(a, url), replace(as_text(b, url), paragraphs=settled))
    if a.headline_meta and not b.headline_meta:
        # The checker's rule: a page that stops naming its headline is not trusted.
        return (
            "no version (the page no longer names its headline)",
            verdict_ok(case, False, None),
            describe(delta),
        )
    made = a.fingerprint != fingerprint(b.title, settled)
    verdict = "version" if made else "no version (same fingerprint)"
    return verdict, verdict_ok(case, made, delta), describe(delta)


def pipeline_case(case: Case, site: Site, workdir: Path) -> tuple[str, bool | None, list[str]]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    archive = new_archive(workdir / "archive", start)
    path = "/article"
    url = site.base + path  # followed in a source of its own, made with it
    text = config.track_url(archive.read_config(), SOURCE, url)
    sources.commit_config(archive, text, f"journal: track {url}", f"source: {SOURCE}", start)
    notes: list[str] = []
    for step, capture in enumerate((case.first, case.second)):
        site.publish(step, {path: (capture.read_bytes(), "text/html")})
        moment = start.timestamp() + 60 + 3600 * step
        summary = update.run(archive, update.Options(), clock=fixed(moment))
        notes += [f"pass {step + 1}: {f['error']}" for f in summary.failures]
    found = read_versions(archive)
    if not found:
        return "no article recorded", unusable(case), notes
    row, revisions = next(iter(found.values()))
    made = [r for r in revisions if r.change in VERSIONS]
    if len(made) < 2:
        verdict = f"{len(made)} version(s): no new version"
        return verdict, verdict_ok(case, False, None) if made else unusable(case), notes
    state = State.open(archive.state_dir)
    try:
        delta, _, _ = Reader(archive, state).diff(row)
    finally:
        state.close()
    verdict = f"{len(made)} versions; v{made[-1].version}: {made[-1].summary}"
    return verdict, verdict_ok(case, True, delta), notes


def run_cases(corpus: Path, site: Site, workdir: Path) -> list[CaseResult]:
    results = []
    for i, case in enumerate(same_url_cases(corpus) + news_sniffer_cases(corpus)):
        offline, offline_ok, size = offline_case(case)
        pipeline, pipeline_ok, notes = pipeline_case(case, site, workdir / f"case-{i}")
        results.append(
            CaseResult(case.name, case.expected, offline, offline_ok, pipeline, pipeline_ok, size, notes)
        )
    return results


# -- part 2: a feed's history ---------------------------------------------------------------

_NS = {"content": "http://purl.org/rss/1.0/modules/content/", "dc": "http://purl.org/dc/elements/1.1/"}
_TRAILER = re.compile(r"<p>\s*<a [^>]*>\s*Read \d+ remaining paragraphs?\s*</a>.*?</p>\s*$", re.S | re.I)
_FEED_LINK = re.compile(rb"<link>\s*(https?://[^<\s]+)\s*</link>")
_ATOM_HREF = re.compile(rb'(<link\b[^>]*?\bhref=")(https?://[^"]+)(")')


@dataclass(frozen=True)
class Item:
    guid: str
    link: str
    title: str
    dek: str
    creator: str
    published: str
    content: str

    @property
    def text(self) -> tuple[str, str, str]:
        return (self.title, self.dek, self.content)


@dataclass(frozen=True)
class Snapshot:
    index: int
    time: float
    xml: bytes
    items: tuple[Item, ...]
    site: str  # the feed's own title


def load_snapshots(folder: Path, manifest: Path) -> list[Snapshot]:
    """The folder's snapshots that the manifest times, oldest first (any file name)."""
    entries = json.loads(manifest.read_text("utf-8")) if manifest.is_file() else []
    times = {
        folder.parent / e["local"]: datetime.fromisoformat(e["commit_time"]).timestamp()
        for e in entries
        if isinstance(e, dict) and "local" in e and "commit_time" in e
    }
    paths = sorted((p for p in times if p.parent == folder and p.is_file()), key=lambda p: times[p])
    snapshots: list[Snapshot] = []
    for path in paths:
        xml = path.read_bytes()
        items, site = parse_feed(xml)
        snapshots.append(Snapshot(len(snapshots), times[path], xml, items, site))
    return snapshots


_ATOM = "{http://www.w3.org/2005/Atom}"


def parse_feed(xml: bytes) -> tuple[tuple[Item, ...], str]:
    """The items of an RSS 2.0 or Atom snapshot, and the feed's title."""
    root = ET.fromstring(xml)
    if root.tag == f"{_ATOM}feed":
        return tuple(_atom_entry(e) for e in root.iter(f"{_ATOM}entry")), (
            root.findtext(f"{_ATOM}title") or ""
        ).strip()
    items = []
    for node in root.iter("item"):
        link = (node.findtext("link") or "").strip()
        dek = (node.findtext("description") or "").strip()
        content = node.findtext("content:encoded", namespaces=_NS) or ""
        items.append(
            Item(
                guid=(node.findtext("guid") or link).strip(),
                link=link,
                title=(node.findtext("title") or "").strip(),
                dek=dek if content.strip() else "",
                creator=(
                    node.findtext("dc:creator", namespaces=_NS) or node.findtext("author") or ""
                ).strip(),
                published=(node.findtext("pubDate") or "").strip(),
                content=_TRAILER.sub("", content if content.strip() else dek),
            )
        )
    return tuple(items), (root.findtext("channel/title") or "").strip()


def _atom_entry(entry: ET.Element) -> Item:
    links = entry.findall(f"{_ATOM}link")
    alternate = [ln for ln in links if ln.get("rel", "alternate") == "alternate"] or links
    link = (alternate[0].get("href") or "").strip() if alternate else ""
    summary = _atom_html(entry.find(f"{_ATOM}summary"))
    content = _atom_html(entry.find(f"{_ATOM}content"))
    title = entry.find(f"{_ATOM}title")
    return Item(
        guid=(entry.findtext(f"{_ATOM}id") or link).strip(),
        link=link,
        title=" ".join("".join(title.itertext()).split()) if title is not None else "",
        dek=summary if content else "",
        creator=(entry.findtext(f"{_ATOM}author/{_ATOM}name") or "").strip(),
        published=(entry.findtext(f"{_ATOM}published") or entry.findtext(f"{_ATOM}updated") or "").strip(),
        content=_TRAILER.sub("", content or summary),
    )


def _atom_html(node: ET.Element | None) -> str:
    """An Atom text construct as HTML: `html` arrives as markup in text, `xhtml` as child
    elements, plain `text` is escaped."""
    if node is None:
        return ""
    kind = node.get("type", "text")
    if kind == "xhtml":
        return "".join(ET.tostring(child, encoding="unicode") for child in node).strip()
    text = (node.text or "").strip()
    return text if kind == "html" else html.escape(text)


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def local_feed(xml: bytes, base: str) -> bytes:
    """The snapshot with its links (RSS `<link>URL</link>`, Atom `href="URL"`) pointed at the local site."""
    xml = _FEED_LINK.sub(
        lambda m: b"<link>" + (base + local_path(m.group(1).decode())).encode() + b"</link>", xml
    )
    return _ATOM_HREF.sub(
        lambda m: m.group(1) + (base + local_path(m.group(2).decode())).encode() + m.group(3), xml
    )


def feed_time(pub_date: str) -> datetime | None:
    """An RSS (RFC 822) or Atom (ISO 8601) date."""
    try:
        return email.utils.parsedate_to_datetime(pub_date).astimezone(UTC)
    except (TypeError, ValueError):
        pass
    try:
        found = datetime.fromisoformat(pub_date.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found.astimezone(UTC) if found.tzinfo else found.replace(tzinfo=UTC)


def dressing(
    item: Item, others: list[Item], step: int, first: int, updated: datetime | None, base: str, site: str
) -> chrome.Dressing:
    """The chrome around an item at one step: counts that grow as the story is read since
    it was first served (`first`), related links and a "Most read" list that rotate with
    the step, the time its text last changed."""
    seed = int(hashlib.sha1(item.guid.encode()).hexdigest()[:8], 16)
    age = step - first
    pool = [(base + local_path(o.link), o.title) for o in others]
    turn = (seed + step * 3) % max(len(pool), 1)
    rotated = pool[turn:] + pool[:turn]
    return chrome.Dressing(
        site=site,
        updated=updated,
        shares=seed % 900 + age * (40 + seed % 300),
        comments=seed % 60 + age * (3 + seed % 11),
        related=rotated[:3],
        most_read=rotated[3:8],
    )


def article_page(item: Item, url: str, dressed: chrome.Dressing) -> bytes:
    """The item as a news site would show it (`chrome.page`)."""
    story = chrome.Story(url, item.title, item.dek, item.creator, feed_time(item.published), item.content)
    return chrome.page(story, dressed)


def source_words(item: Item) -> list[str]:
    """What a reader of the article reads: title, description, content text."""
    return words(item.title) + words(item.dek) + words(content_text(item.content))


# Elements whose text runs on into the text around them ("<b>A</b>lexander" is one word).
_INLINE_TAGS = "a abbr b cite code em i q s small span strong sub sup time u"
_INLINE = frozenset(_INLINE_TAGS.split(" "))


def shown(node: lxml.html.HtmlElement) -> str:
    """An element's text as a reader reads it: block elements apart, inline ones run on."""
    for part in node.iter():
        if isinstance(part.tag, str) and part.tag not in _INLINE:
            part.text, part.tail = f" {part.text or ''}", f" {part.tail or ''}"
    return node.text_content()


def content_text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for node in root.iter("script", "style"):
        node.text = None
    return shown(root)


@dataclass
class Served:
    """What one article's URL served at each step, and the page bytes."""

    item: Item
    body: bytes


@dataclass
class StepReport:
    step: int
    time: str
    feed_items: int
    new_in_feed: int
    changed_in_feed: int
    redated_in_feed: int  # items whose pubDate differs from the last snapshot that listed them
    counts: dict[str, int]
    commits: int
    failures: list[str]


class Replay:
    """Feeds the snapshots one by one to a real archive through a local web site."""

    def __init__(self, snapshots: list[Snapshot], site: Site, root: Path):
        self.snapshots = snapshots
        self.site = site
        self.archive = new_archive(root, datetime.fromtimestamp(snapshots[0].time - 120, UTC))
        self.feed_url = site.base + FEED_PATH
        sources.add(
            self.archive, SOURCE, [self.feed_url], [], [], datetime.fromtimestamp(snapshots[0].time - 60, UTC)
        )
        self.served: dict[str, dict[int, Served]] = {}  # guid -> step -> page
        self.steps: list[StepReport] = []

    def url(self, item: Item) -> str:
        return self.site.base + local_path(item.link)

    def run(self, say: Callable[[str], None]) -> None:
        latest: dict[str, Item] = {}
        for snap in self.snapshots:
            before = dict(latest)
            latest.update({item.guid: item for item in snap.items})
            pages = self.pages(snap, latest)
            self.site.publish(snap.index, pages)
            summary = update.run(self.archive, update.Options(), clock=fixed(snap.time))
            self.steps.append(self.step_report(snap, before, summary))
            say(f"step {snap.index + 1}/{len(self.snapshots)} {utc(snap.time)}: {summary.totals()}")

    def pages(self, snap: Snapshot, latest: dict[str, Item]) -> dict[str, tuple[bytes, str]]:
        pages = {FEED_PATH: (local_feed(snap.xml, self.site.base), FEED_TYPE)}
        for guid, item in latest.items():
            served = self.served.setdefault(guid, {})
            first = min(served, default=snap.index)
            changed = [s for s in sorted(served) if served[s].item.text != item.text]
            since = max((s for s in served if s > max(changed, default=-1)), default=snap.index)
            updated = datetime.fromtimestamp(self.snapshots[since].time, UTC) if served else None
            others = [o for o in snap.items if o.guid != guid]
            dressed = dressing(item, others, snap.index, first, updated, self.site.base, snap.site or "News")
            body = article_page(item, self.url(item), dressed)
            pages[unquote(local_path(item.link))] = (body, HTML_TYPE)
            served[snap.index] = Served(item, body)
        return pages

    def step_report(self, snap: Snapshot, before: dict[str, Item], summary: update.Summary) -> StepReport:
        new = sum(item.guid not in before for item in snap.items)
        changed = sum(item.guid in before and before[item.guid].text != item.text for item in snap.items)
        redated = sum(
            item.guid in before and before[item.guid].published != item.published for item in snap.items
        )
        return StepReport(
            step=snap.index + 1,
            time=utc(snap.time),
            feed_items=len(snap.items),
            new_in_feed=new,
            changed_in_feed=changed,
            redated_in_feed=redated,
            counts=summary.totals(),
            commits=summary.commits,
            failures=[f"{f['url']}: {f['error']}" for f in summary.failures],
        )


@dataclass
class Text:
    """One stretch of steps during which an article's URL served the same feed text."""

    first: int
    last: int
    item: Item
    fingerprint: str  # of journal's extraction of the page ("" if not an article)


@dataclass
class Event:
    step: int
    kind: str  # "false version", "false removal" or "missed edit"
    detail: str
    cause: str = ""  # of a missed edit: one of CAUSES


# Why an edit was missed. "declined" is the extractor (or the checker) refusing the page
# as an article, with its reason: a declined real edit is a missed edit all the same.
CAUSES = ("not fetched", "extracted text unchanged", "declined", "judged no change")
FALSE_VERSIONS_SHOWN = 20  # listed one by one in the markdown (the JSON has them all)


@dataclass
class ArticleReport:
    guid: str
    title: str
    path: str | None
    versions: int
    feed_texts: int
    distinct_texts: int
    real_changes: int
    seen_changes: int
    false_versions: int
    missed_edits: int
    other_commits: int
    false_removals: int = 0
    events: list[Event] = field(default_factory=list)


def stretches(served: dict[int, Served], url: str) -> list[Text]:
    """Consecutive steps with one feed text, each with journal's fingerprint of its page."""
    out: list[Text] = []
    for step in sorted(served):
        page = served[step]
        if out and out[-1].item.text == page.item.text:
            out[-1].last = step
            continue
        found = extract_page(page.body, HTML_TYPE, url)
        fingerprint = found.fingerprint if isinstance(found, Extraction) else ""
        out.append(Text(step, step, page.item, fingerprint))
    return out


def word_change(a: list[str], b: list[str], limit: int = 10) -> str:
    """The changed words, e.g. `sunk → sank`."""
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            parts.append(f"{' '.join(a[i1:i2][:limit]) or '∅'} → {' '.join(b[j1:j2][:limit]) or '∅'}")
    return "; ".join(parts[:4]) + (" …" if len(parts) > 4 else "")


def content_parts(fragment: str) -> tuple[str, str]:
    """The content's text outside figures, and the text of its figures (captions, credits)."""
    if not fragment.strip():
        return "", ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    figures = list(root.iter("figure"))
    caption = " ".join(shown(figure) for figure in figures)
    for figure in figures:
        figure.drop_tree()
    return shown(root), caption


def field_words(item: Item, name: str) -> list[str]:
    """Words of one part of an item: title, dek, body, or caption (the figures)."""
    if name in ("body", "caption"):
        body, caption = content_parts(item.content)
        return words(body if name == "body" else caption)
    return words(str(getattr(item, name)))


def changed_fields(a: Item, b: Item) -> list[str]:
    return [n for n in ("title", "dek", "body", "caption") if field_words(a, n) != field_words(b, n)]


def item_differences(a: Item, b: Item) -> list[str]:
    """What differs between two feed items whose words are the same."""
    names = [n for n in ("title", "dek", "content") if getattr(a, n) != getattr(b, n)]
    notes = [f"{n} markup/punctuation" for n in names]
    if a.published != b.published:
        notes.append(f"pubDate {a.published} → {b.published}")
    if a.creator != b.creator:
        notes.append("creator")
    return notes or ["nothing in the item (page chrome only)"]


class Analysis:
    """Versions read back from git, set against what the feed showed."""

    def __init__(self, replay: Replay):
        self.replay = replay
        self.step_of = {int(s.time): s.index for s in replay.snapshots}
        self.fetched = {(h.step, h.path) for h in replay.site.hits if h.status in (200, 304)}
        self.failures = self._failures()
        self.commits = self._commits()

    def _failures(self) -> dict[tuple[int, str], list[str]]:
        out: dict[tuple[int, str], list[str]] = {}
        for report in self.replay.steps:
            for line in report.failures:
                url, _, reason = line.partition(": ")
                out.setdefault((report.step - 1, local_path(url)), []).append(reason)
        return out

    def _commits(self) -> dict[str, tuple[ArticleRow, list[Revision]]]:
        by_url = {
            local_path(self.replay.url(page.item)): guid
            for guid, steps in self.replay.served.items()
            for page in steps.values()
        }
        out = {}
        for row, revisions in read_versions(self.replay.archive).values():
            guid = by_url.get(local_path(row.url))
            if guid is not None:
                out[guid] = (row, revisions)
        return out

    def reports(self) -> list[ArticleReport]:
        return [self.article(guid) for guid in self.replay.served]

    def article(self, guid: str) -> ArticleReport:
        served = self.replay.served[guid]
        latest = served[max(served)].item
        url = self.replay.url(latest)
        texts = stretches(served, url)
        row, revisions = self.commits.get(guid, (None, []))
        made = [(self.step_of.get(int(r.time.timestamp()), -1), r) for r in revisions if r.change in VERSIONS]
        changes = [
            (a, b) for a, b in itertools.pairwise(texts) if source_words(a.item) != source_words(b.item)
        ]
        report = ArticleReport(
            guid=guid,
            title=latest.title,
            path=row.path if row else None,
            versions=len(made),
            feed_texts=len(texts),
            distinct_texts=len({t.fingerprint for t in texts}),
            real_changes=len(changes),
            seen_changes=sum(a.fingerprint != b.fingerprint for a, b in changes),
            false_versions=0,
            missed_edits=0,
            other_commits=len(revisions) - len(made),
        )
        report.events += self.false_versions(made, served)
        report.events += self.false_removals(revisions, served)
        report.events += self.missed_edits(changes, made, local_path(url))
        report.false_versions = sum(e.kind == "false version" for e in report.events)
        report.false_removals = sum(e.kind == "false removal" for e in report.events)
        report.missed_edits = sum(e.kind == "missed edit" for e in report.events)
        return report

    def false_removals(self, revisions: list[Revision], served: dict[int, Served]) -> Iterator[Event]:
        """Removals while the site served the article at the feed's latest link for it
        (the replay serves every article it has seen until the end)."""
        for revision in revisions:
            step = self.step_of.get(int(revision.time.timestamp()), -1)
            if revision.change is Change.REMOVED and step in served:
                where = local_path(self.replay.url(served[step].item))
                yield Event(step + 1, "false removal", f"removed while served at {where}: {revision.summary}")

    def false_versions(self, made: list[tuple[int, Revision]], served: dict[int, Served]) -> Iterator[Event]:
        for (before, _), (step, revision) in itertools.pairwise(made):
            old, new = served[before].item, served[step].item
            if source_words(old) == source_words(new):
                why = ", ".join(item_differences(old, new))
                yield Event(
                    step + 1, "false version", f"v{revision.version}: {revision.summary}; feed: {why}"
                )

    def missed_edits(
        self, changes: list[tuple[Text, Text]], made: list[tuple[int, Revision]], path: str
    ) -> Iterator[Event]:
        version_steps = {step for step, _ in made}
        for old, new in changes:
            span = range(new.first, new.last + 1)
            if version_steps & set(span):
                continue
            what = word_change(source_words(old.item), source_words(new.item))
            where = "/".join(changed_fields(old.item, new.item))
            fetched = [s for s in span if (s, path) in self.fetched]
            said = [r for s in span for r in self.failures.get((s, path), [])]
            if not fetched:
                cause, reason = "not fetched", "not fetched while the new text was served"
            elif said:
                cause, reason = "declined", f"fetched, no version ({said[0]})"
            elif old.fingerprint == new.fingerprint:
                cause, reason = "extracted text unchanged", "journal's extracted text did not change"
            else:
                cause, reason = "judged no change", "fetched, no version (the checker found no change)"
            yield Event(new.first + 1, "missed edit", f"{where}: {what} — {reason}", cause)


# -- output ---------------------------------------------------------------------------------


def cell(text: str, limit: int = 140) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tick(flag: bool | None) -> str:
    return "" if flag is None else "✓" if flag else "✗"


def case_table(results: list[CaseResult]) -> list[str]:
    lines = [
        "Captures of one URL: offline = fingerprints of `extract_page` on both captures (caption lines "
        "settled by `captions.settle`); pipeline = both served in turn to `update.run`, an hour apart. "
        "The checker's rules about words still on the page (or already on it) act in the pipeline only: "
        "offline ✗ beside pipeline ✓ is where they made the difference.",
        "",
        "| pair | expected | offline (fingerprint) | pipeline (versions in git) | diff (offline) |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        notes = f" <br>{cell('; '.join(r.notes), 160)}" if r.notes else ""
        lines.append(
            f"| {r.name} | {r.expected} | {tick(r.offline_ok)} {cell(r.offline)} | "
            f"{tick(r.pipeline_ok)} {cell(r.pipeline)}{notes} | {cell(r.diff) or '—'} |"
        )
    return lines


_TOTALS = (
    "versions",
    "feed_texts",
    "distinct_texts",
    "real_changes",
    "seen_changes",
    "false_versions",
    "false_removals",
    "missed_edits",
    "other_commits",
)


def replay_totals(reports: list[ArticleReport], steps: list[StepReport]) -> dict[str, int]:
    totals = {k: sum(int(getattr(r, k)) for r in reports) for k in _TOTALS}
    totals["articles"] = len(reports)
    totals["articles_without_version"] = sum(r.versions == 0 for r in reports)
    totals["redated_in_feed"] = sum(s.redated_in_feed for s in steps)
    missed = [e for r in reports for e in r.events if e.kind == "missed edit"]
    for cause in CAUSES:
        totals[f"missed_{cause.replace(' ', '_')}"] = sum(e.cause == cause for e in missed)
    return totals


def short(guid: str) -> str:
    return cell(guid.rstrip("/").rsplit("/", 1)[-1].rsplit("=", 1)[-1], 40)


def replay_tables(name: str, steps: list[StepReport], reports: list[ArticleReport]) -> list[str]:
    t = replay_totals(reports, steps)
    lines = [
        f"### `feeds/history/{name}`",
        "",
        f"{len(steps)} snapshots ({steps[0].time} → {steps[-1].time} UTC), {t['articles']} articles, one "
        "`update.run(archive, Options(), clock=<snapshot time>)` per snapshot. "
        f"The feed re-dated an item {t['redated_in_feed']} time(s); "
        f"{t['other_commits']} commits other than new/edit/restored (removed, reextract); "
        f"{t['articles_without_version']} articles never made a version.",
        "",
        "| articles | versions | feed texts | distinct texts (journal) | real changes | seen by extractor "
        "| false versions | false removals | missed edits |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {t['articles']} | {t['versions']} | {t['feed_texts']} | {t['distinct_texts']} | {t['real_changes']} | "
        f"{t['seen_changes']} | **{t['false_versions']}** | **{t['false_removals']}** | **{t['missed_edits']}** |",
    ]
    events = [(r, e) for r in reports for e in r.events]
    shown = [(r, e) for r, e in events if e.kind != "false version"]
    false = [(r, e) for r, e in events if e.kind == "false version"]
    # False versions can run into thousands: the first few, then how many of each summary.
    shown += false[:FALSE_VERSIONS_SHOWN]
    if shown:
        lines += ["", "| article | step | what | detail |", "|---|---:|---|---|"]
        for r, e in sorted(shown, key=lambda pair: (pair[1].kind, pair[1].step)):
            kind = f"{e.kind} ({e.cause})" if e.cause else e.kind
            lines.append(f"| {short(r.guid)} | {e.step} | {kind} | {cell(e.detail, 300)} |")
    if len(false) > FALSE_VERSIONS_SHOWN:
        kinds = Counter(re.sub(r"^v\d+: ", "", e.detail.split("; feed:")[0]) for _, e in false)
        lines += [
            "",
            f"All {len(false)} false versions by what their commits say:",
            "",
            "| summary | false versions |",
            "|---|---:|",
            *[f"| {cell(k, 120)} | {n} |" for k, n in kinds.most_common(12)],
        ]
    lines += [
        "",
        "<details><summary>Step by step</summary>",
        "",
        "| step | time (UTC) | feed items | new in feed | text changed in feed | re-dated in feed "
        "| journal: new / changed / unchanged / skipped / failed | commits |",
        "|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for s in steps:
        c = s.counts
        lines.append(
            f"| {s.step} | {s.time} | {s.feed_items} | {s.new_in_feed} | {s.changed_in_feed} | {s.redated_in_feed} | "
            f"{c['new']} / {c['changed']} / {c['unchanged']} / {c['skipped']} / {c['failed']} | {s.commits} |"
        )
    listed = [r for r in reports if r.real_changes or r.false_removals or r.missed_edits]
    lines += [
        "",
        "</details>",
        "",
        f"<details><summary>Articles whose words changed in the feed, or that journal removed or missed an edit "
        f"of ({len(listed)} of {len(reports)})</summary>",
        "",
        "| article | title | versions | feed texts | distinct texts | real changes | seen | false versions "
        "| false removals | missed edits |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in listed:
        lines.append(
            f"| {short(r.guid)} | {cell(r.title, 60)} | {r.versions} | {r.feed_texts} | {r.distinct_texts} | "
            f"{r.real_changes} | {r.seen_changes} | {r.false_versions} | {r.false_removals} | {r.missed_edits} |"
        )
    return [*lines, "", "</details>"]


ReplayResult = tuple[str, list[StepReport], list[ArticleReport]]  # feed, steps, articles


def overview(replays: list[ReplayResult]) -> list[str]:
    """One row per feed history and the total: what the "Done when" list counts."""
    lines = [
        "Feed histories replayed through the real pipeline, each page inside a news site's chrome "
        '(`bench/chrome.py`: a byline with the date and time of publication, an "Updated" stamp, a share '
        'bar and a comment count that grow, related links and a "Most read" list that rotate). A missed '
        "edit is a change of the feed's words after which no version was made while the new text was "
        "served; `declined` = the page was refused as an article (its reason is in the feed's table).",
        "",
        "| feed | articles | versions | real changes | false versions | false removals | missed edits "
        "| of which: declined | not fetched | extracted text unchanged | judged no change |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(name, replay_totals(reports, steps)) for name, steps, reports in replays]
    total = {k: sum(t[k] for _, t in rows) for k in rows[0][1]} if rows else {}
    for name, t in [*rows, ("**total**", total)] if rows else []:
        lines.append(
            f"| {name} | {t['articles']} | {t['versions']} | {t['real_changes']} | **{t['false_versions']}** | "
            f"**{t['false_removals']}** | **{t['missed_edits']}** | {t['missed_declined']} | "
            f"{t['missed_not_fetched']} | {t['missed_extracted_text_unchanged']} | {t['missed_judged_no_change']} |"
        )
    return lines


def markdown(cases: list[CaseResult], replays: list[ReplayResult]) -> str:
    lines = case_table(cases) if cases else []
    if replays:
        lines += ([""] if lines else []) + overview(replays)
    for replay in replays:
        lines += ["", *replay_tables(*replay)]
    return "\n".join(lines) + "\n"


def write_results(body: str, command: str) -> None:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    write_section(SECTION, f"`{command}` on {date}.\n\n{body}")


# -- the run --------------------------------------------------------------------------------


def history_folders(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "feeds" / "history").glob("*") if p.is_dir() and any(p.iterdir()))


def run_replays(
    corpus: Path, root: Path, steps: int | None, say: Callable[[str], None], only: list[str] | None = None
) -> list[ReplayResult]:
    """Every feed history of the corpus (or those named in `only`), each replayed on its own
    site into its own archive."""
    results = []
    for folder in history_folders(corpus):
        if only and folder.name not in only:
            continue
        snapshots = load_snapshots(folder, folder.parent / "manifest.json")[:steps]
        if not snapshots:
            say(f"{folder.name}: no snapshot timed in manifest.json; skipped")
            continue
        say(f"replaying feeds/history/{folder.name}: {len(snapshots)} snapshots")
        site = Site()
        try:
            replay = Replay(snapshots, site, root / folder.name)
            replay.run(say)
            results.append((folder.name, replay.steps, Analysis(replay).reports()))
        finally:
            site.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="corpus root (holds pages/ and feeds/)")
    parser.add_argument("--json", action="store_true", help="JSON instead of markdown")
    parser.add_argument("--write", action="store_true", help=f"also write the markdown into {RESULTS.name}")
    parser.add_argument("--steps", type=int, help="replay only the first N snapshots of each feed")
    parser.add_argument("--keep", type=Path, help="keep the replay archives in this (new) folder")
    parser.add_argument(
        "--feed", action="append", help="replay only this history (repeatable); no capture pairs"
    )
    args = parser.parse_args()

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    site = Site()
    try:
        with tempfile.TemporaryDirectory(prefix="eval-changes-") as tmp:
            cases = [] if args.feed else run_cases(args.corpus, site, Path(tmp))
            say(f"{len(cases)} capture pairs checked")
            replays = run_replays(args.corpus, args.keep or Path(tmp) / "replay", args.steps, say, args.feed)
    finally:
        site.close()
    text = markdown(cases, replays)
    if args.json:
        data = {
            "cases": [asdict(c) for c in cases],
            "replays": [
                {
                    "feed": name,
                    "totals": replay_totals(reports, steps),
                    "steps": [asdict(s) for s in steps],
                    "articles": [asdict(r) for r in reports],
                }
                for name, steps, reports in replays
            ],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(text, end="")
    if args.write:
        write_results(text, "python bench/eval_changes.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
