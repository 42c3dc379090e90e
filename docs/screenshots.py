"""The README's screenshots of `journal serve`, made from a small demo archive.

    python docs/screenshots.py [--out docs] [--keep DIR]

Builds an archive of four stories with several versions each (streamed through
journal's own writer, as the updater commits them), serves it with uvicorn on
127.0.0.1, and photographs an article page and a diff page with Debian's Chromium
(headless, through Playwright): docs/serve-article.png and docs/serve-diff.png.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn

from journal import commits, config, document, index
from journal.archive import Archive, Identity, Writer
from journal.diff import diff
from journal.models import ArticleText, Change
from journal.sources import settings
from journal.state import State
from journal.urls import article_path
from journal.web.app import create_app

HERE = Path(__file__).resolve().parent
START = datetime(2026, 11, 2, 8, 55, tzinfo=UTC)
NOW = START + timedelta(hours=27)
EXTRACTOR = "trafilatura 2.0.0; normalise 1"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]  # fmt: skip

STORM = [
    "Thousands of homes along the west coast were left without power on Monday morning as "
    "Storm Brenna brought gusts of up to 90mph.",
    "The Met Office issued an amber wind warning for coastal areas until 18:00, saying flying "
    "debris could cause injuries and damage to buildings.",
    "Police said a man had been injured by a falling tree in Harbour Road and was taken to hospital.",
    "Ferry crossings between Portmore and the islands were cancelled, and several schools "
    "told parents to keep children at home.",
    "The energy network said engineers were working to reconnect customers but warned that "
    "some homes could be without power until Tuesday.",
]


@dataclass(frozen=True)
class Event:
    minutes: int  # after START
    source: str
    url: str
    title: str
    paragraphs: tuple[str, ...] | None  # None: taken down
    byline: str | None = None
    published: str | None = None


def storm() -> list[Event]:
    url = "https://courier.example/news/storm-brenna-power-cuts"
    byline, published = "Aoife Kelly, weather correspondent", "2026-11-02T08:40:00Z"
    v2 = [
        STORM[0].replace("Thousands of homes", "About 40,000 homes"),
        STORM[1],
        STORM[2],
        "“It sounded like a train going past the window,” said Maura Dolan, who lives on the seafront "
        "in Portmore.",
        *STORM[3:],
    ]
    v3 = [
        v2[0],
        v2[1].replace("until 18:00", "until 21:00"),
        v2[3],
        "The coastguard asked people to stay away from harbour walls and promenades while the tide is high.",
        *v2[4:],
    ]
    v4 = [*v3[:2], *v3[3:], v3[2]]
    v4[-2] = v4[-2].replace("until Tuesday", "until Tuesday evening")
    v5 = [
        v4[0].replace("were left", "were still"),
        "By the evening the network said 12,000 homes remained without power, most of them in "
        "rural areas where fallen lines had to be cleared first.",
        *v4[1:],
    ]
    title = "Storm Brenna: thousands without power as gales hit the coast"
    new_title = "Storm Brenna: 40,000 homes without power as gales batter coast"
    return [
        Event(0, "courier", url, title, tuple(STORM), byline, published),
        Event(46, "courier", url, title, tuple(v2), byline, published),
        Event(81, "courier", url, new_title, tuple(v3), byline, published),
        Event(204, "courier", url, new_title, tuple(v4), byline, published),
        Event(562, "courier", url, new_title.replace("40,000 homes", "12,000 homes still"), tuple(v5), byline, published),
    ]  # fmt: skip


def others() -> list[Event]:
    council = "https://ledger.example/local/council-budget-vote"
    budget = [
        "The city council approved its budget for next year shortly after midnight, after a "
        "session that lasted more than seven hours.",
        "The plan raises council tax by 4.9%, the most allowed without a referendum, and cuts "
        "spending on road repairs by £2m.",
        "Opposition members said the cuts would fall hardest on outlying villages.",
    ]
    rail = "https://courier.example/news/rail-timetable-apology"
    apology = [
        "The rail operator has apologised to passengers after the first week of its new timetable "
        "saw one in five trains cancelled.",
        "Its chief executive said a shortage of trained drivers had been “badly underestimated”.",
    ]
    rates = "https://ledger.example/business/central-bank-rates"
    hold = [
        "The central bank held interest rates at 4.25% on Thursday, as expected by most economists.",
        "Two members of the committee voted for a cut of a quarter of a point.",
    ]
    return [
        Event(20, "ledger", council, "Council approves budget after late-night session", tuple(budget), "Sam Okafor"),
        Event(95, "ledger", council, "Council approves budget after late-night session",
              (*budget[:2], budget[2].replace("said", "warned"),
               "The council leader said the alternative was closing two libraries."), "Sam Okafor and Priya Shah"),
        Event(30, "courier", rail, "Rail operator apologises for timetable chaos", tuple(apology)),
        Event(300, "courier", rail, "Rail operator apologises for timetable chaos", None),
        Event(420, "courier", rail, "Rail operator apologises for timetable chaos",
              (*apology, "Services are expected to return to normal within a fortnight.")),
        Event(60, "ledger", rates, "Central bank holds rates at 4.25%", tuple(hold)),
        Event(75, "ledger", rates, "Central bank holds rates at 4.25%",
              (hold[0], hold[1].replace("Two members", "Three members"))),
    ]  # fmt: skip


def build(root: Path) -> Archive:
    """The demo archive at `root`, indexed as of NOW."""
    text = config.STARTER
    text = config.add_source(text, "courier", ["https://courier.example/rss.xml"], [], [])
    text = config.add_source(text, "ledger", ["https://ledger.example/feed.atom"], [], [])
    archive = Archive.create(root, text, Identity(), START - timedelta(days=1))
    paths: dict[str, str] = {}
    latest: dict[str, ArticleText] = {}
    versions: dict[str, int] = {}
    removed: set[str] = set()
    with Writer(archive, Identity()) as writer:
        for event in sorted([*storm(), *others()], key=lambda e: e.minutes):
            when = START + timedelta(minutes=event.minutes)
            path = paths.setdefault(
                event.url, article_path(event.source, when, event.url, set(paths.values()).__contains__)
            )
            size = words = None
            if event.paragraphs is None:
                change, data, summary = Change.REMOVED, None, "removed: the page answered HTTP 404"
                removed.add(event.url)
            else:
                doc = ArticleText(
                    event.url, event.source, event.title, event.paragraphs, event.published, event.byline
                )
                data = document.render(doc)
                versions[event.url] = versions.get(event.url, 0) + 1
                if event.url not in latest:
                    change, summary = Change.NEW, "first version"
                else:
                    delta = diff(latest[event.url], doc)
                    change = Change.RESTORED if event.url in removed else Change.EDIT
                    prefix = "back after removal; " if change is Change.RESTORED else ""
                    summary, size, words = prefix + delta.summary(), delta.size(), delta.words()
                removed.discard(event.url)
                latest[event.url] = doc
            message = commits.CommitMessage(
                source=event.source, title=event.title, url=event.url, version=versions[event.url],
                change=change, fetched_at=when, summary=summary, change_size=size, words=words,
                extractor=EXTRACTOR if data else None,
            )  # fmt: skip
            writer.commit(message.render(), when, {path: data})
        writer.checkpoint()
    archive.git("read-tree", "-u", "--reset", "HEAD")
    state = State.open(archive.state_dir)
    index.reindex(archive, state, settings(archive), NOW.timestamp())
    state.close()
    return archive


def photograph(archive: Archive, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    app = create_app(archive, clock=NOW.timestamp)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    state = State.open(archive.state_dir)
    sid = state.listing(order="versions DESC, last_changed DESC", limit=1)[0].sid
    state.close()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900}, device_scale_factor=1)
            page.emulate_media(color_scheme="light")
            page.goto(f"{base}/articles/{sid}")
            page.screenshot(path=str(out / "serve-article.png"), full_page=True)
            page.goto(f"{base}/articles/{sid}/diff/2/3")
            page.screenshot(path=str(out / "serve-diff.png"), full_page=True)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--keep", type=Path, help="build the demo archive here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch) / "archive"
        photograph(build(root), args.out)
    print(f"wrote {args.out / 'serve-article.png'} and {args.out / 'serve-diff.png'}")


if __name__ == "__main__":
    main()
