"""Build a synthetic archive fast: generated articles and realistic edits, streamed
through journal's own writer (one `git fast-import`), then indexed.

    python bench/synth.py OUT --versions 100000 [--sources 22] [--seed 1]

Articles appear over simulated time (about 120 a day per source, so that the month
folders grow as a busy tracker's do); each gets ~3.6 versions on average (NewsEdits'
ratio), spread over the hours and days after it appears: sentence edits, added and
removed paragraphs, title changes, and now and then a removal. Commit dates are the
simulated fetch times, in order.
"""

from __future__ import annotations

import argparse
import heapq
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from journal import commits, config, document, index
from journal.archive import Archive, Identity, Writer
from journal.diff import diff
from journal.extractor import EXTRACTOR
from journal.models import ArticleText, Change
from journal.sources import settings
from journal.state import State
from journal.urls import article_path

START = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
WORDS = [
    "government",
    "minister",
    "said",
    "officials",
    "report",
    "police",
    "court",
    "city",
    "election",
    "vote",
    "market",
    "shares",
    "economy",
    "council",
    "border",
    "talks",
    "war",
    "peace",
    "health",
    "hospital",
    "school",
    "energy",
    "prices",
    "climate",
    "storm",
    "flood",
    "fire",
    "company",
    "workers",
    "strike",
    "union",
    "rail",
    "airport",
    "bank",
    "rates",
    "inflation",
    "budget",
    "tax",
    "plan",
    "law",
    "bill",
    "party",
    "leader",
    "opposition",
    "statement",
    "spokesman",
    "week",
    "year",
    "month",
    "today",
    "yesterday",
    "morning",
    "evening",
    "night",
    "country",
    "region",
    "capital",
    "village",
    "people",
    "families",
    "children",
    "residents",
    "victims",
    "witnesses",
    "experts",
    "according",
    "agreed",
    "warned",
    "denied",
    "confirmed",
    "announced",
    "expected",
    "reported",
    "raised",
    "cut",
    "rose",
    "fell",
]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(9, 22))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))


@dataclass(order=True)
class Pending:
    at: float
    n: int
    article: Article = field(compare=False)


@dataclass
class Article:
    source: str
    url: str
    path: str
    title: str
    paragraphs: list[str]
    versions: int = 0
    removed: bool = False
    left: int = 0  # versions still to come


def edit(article: Article, rng: random.Random) -> str:
    """Change the article the way newsrooms do; return what happened."""
    paras = article.paragraphs
    roll = rng.random()
    if roll < 0.45 and paras:
        i = rng.randrange(len(paras))
        paras[i] = paras[i].replace(rng.choice(paras[i].split()), rng.choice(WORDS), 1) + " " + sentence(rng)
    elif roll < 0.7:
        paras.insert(rng.randint(0, len(paras)), paragraph(rng))
    elif roll < 0.85 and len(paras) > 3:
        del paras[rng.randrange(len(paras))]
    else:
        article.title = " ".join(rng.choices(WORDS, k=rng.randint(5, 10))).capitalize()
    return "edit"


def events(
    total: int, sources: int, rng: random.Random, start: float = START, base_url: str | None = None
) -> Iterator[tuple[float, Article, Change]]:
    """Version events in time order until `total` versions have been produced."""
    heap: list[Pending] = []
    produced = 0
    counter = 0
    clock = start
    per_day = 120 * sources
    taken: set[str] = set()
    while produced < total:
        # New arrivals for the next simulated hour.
        for _ in range(max(1, per_day // 24)):
            counter += 1
            source = f"src{rng.randrange(sources):02d}"
            slug = "-".join(rng.choices(WORDS, k=4))
            url = f"{base_url or f'https://{source}.example'}/{source}/news/{slug}-{counter}"
            first = clock + rng.uniform(0, 3600)
            path = article_path(source, datetime.fromtimestamp(first, UTC), url, taken.__contains__)
            taken.add(path)
            title = " ".join(rng.choices(WORDS, k=rng.randint(5, 10))).capitalize()
            body = [paragraph(rng) for _ in range(rng.randint(6, 18))]
            # ~3.6 versions on average, a long tail of heavily edited stories
            left = 1 + min(int(rng.expovariate(1 / 2.6)), 40)
            heapq.heappush(heap, Pending(first, counter, Article(source, url, path, title, body, left=left)))
        clock += 3600
        while heap and heap[0].at < clock and produced < total:
            item = heapq.heappop(heap)
            article = item.article
            if article.versions == 0:
                change = Change.NEW
            elif article.removed:
                change = Change.RESTORED
                article.removed = False
            elif rng.random() < 0.02:
                change = Change.REMOVED
                article.removed = True
            else:
                edit(article, rng)
                change = Change.EDIT
            yield item.at, article, change
            produced += 1
            article.left -= 1
            if article.left > 0 or article.removed:
                gap = rng.expovariate(1 / (3 * 3600))  # edits cluster in the first hours
                heapq.heappush(heap, Pending(item.at + 60 + gap, item.n, article))


def build(
    out: Path,
    versions: int,
    sources: int,
    seed: int,
    quiet: bool = False,
    start: float = START,
    base_url: str | None = None,
    index_at: float | None = None,
) -> dict[str, float]:
    """Make the archive at `out` (replacing it); return timings and sizes.

    With `base_url` the articles live on that (local) server and the sources are in
    journal.toml, so `journal update` can check them. `index_at` is the time the
    state is built as of (default: now); an earlier time leaves every article that
    is not retired due for a check.
    """
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    text = config.STARTER
    if base_url:
        text = config.set_key(text, "fetch", "allow_private", True)
        text = config.set_key(text, "fetch", "delay", 0.0)
        for i in range(sources):
            text = config.add_source(text, f"src{i:02d}", [], [], [])
    archive = Archive.create(out, text, Identity(), datetime.fromtimestamp(start - 86400, UTC))
    started = time.perf_counter()
    previous: dict[str, ArticleText] = {}
    text_bytes = 0
    with Writer(archive, Identity()) as writer:
        for n, (at, article, change) in enumerate(events(versions, sources, rng, start, base_url), 1):
            when = datetime.fromtimestamp(at, UTC)
            doc = ArticleText(article.url, article.source, article.title, tuple(article.paragraphs))
            old = previous.get(article.path)
            if change is not Change.REMOVED:
                article.versions += 1
            if change is Change.NEW:
                summary, size, words = "first version", None, None
            elif change is Change.REMOVED:
                summary, size, words = "removed: the page answered HTTP 404", None, None
            else:
                delta = diff(old, doc)
                summary, size, words = delta.summary(), delta.size(), delta.words()
            message = commits.CommitMessage(
                source=article.source, title=article.title, url=article.url, version=max(article.versions, 1),
                change=change, fetched_at=when, summary=summary, change_size=size, words=words,
                extractor=None if change is Change.REMOVED else EXTRACTOR,
            )  # fmt: skip
            data = None if change is Change.REMOVED else document.render(doc)
            text_bytes += len(data or b"")
            writer.commit(message.render(), when, {article.path: data})
            if data is not None:
                previous[article.path] = doc
            if not article.left and not article.removed:
                previous.pop(article.path, None)
            if n % 50_000 == 0:
                writer.checkpoint()
                if not quiet:
                    print(f"  {n:,} versions, {n / (time.perf_counter() - started):,.0f}/s", file=sys.stderr)
        writer.checkpoint()
    written = time.perf_counter() - started
    archive.git("read-tree", "-u", "--reset", "HEAD")
    started = time.perf_counter()
    state = State.open(archive.state_dir)
    index.reindex(archive, state, settings(archive), index_at or now.timestamp())
    state.set_meta("worktree", archive.head())
    state.close()
    indexed = time.perf_counter() - started
    return {
        "versions": versions,
        "write_s": written,
        "commits_per_s": versions / written,
        "reindex_s": indexed,
        "text_bytes": text_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=22)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = build(args.out, args.versions, args.sources, args.seed)
    print(result)


if __name__ == "__main__":
    main()
