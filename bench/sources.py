"""What the source knobs cost: page rules, news sitemaps, the browser.

    python bench/sources.py [--corpus ../shared/corpus/pages] [--write]

- page rules: `extract_page` on every corpus page without rules and with a `drop` and
  a `keep` rule, ms per page and the ratio;
- sitemaps: a news sitemap at the protocol's limit (50,000 URLs), plain and gzipped,
  parsed by `journal.sitemaps`, against an RSS feed of the same entries parsed by
  feedparser (`journal.feeds`): entries per second and the ratio;
- the browser: a page built by JavaScript on 127.0.0.1 rendered by `Fetcher.render`
  (Chromium, every request through the Fetcher), against a plain fetch of the same
  page: pages per second and the ratio.

`--write` puts the tables in bench/RESULTS.md ("Sources: rules, sitemaps, browser").
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from results import write_section  # noqa: E402

from journal.extract import extract_page  # noqa: E402
from journal.feeds import parse as parse_feed  # noqa: E402
from journal.fetch import Fetcher  # noqa: E402
from journal.models import FetchSettings, PageRules  # noqa: E402


def best(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def corpus_pages(root: Path) -> list[bytes]:
    pages = []
    for path in sorted(root.rglob("*.html*")):
        if path.name != "expected.html":
            data = path.read_bytes()
            pages.append(gzip.decompress(data) if path.suffix == ".gz" else data)
    return pages


def rules_rows(pages: list[bytes]) -> list[tuple[str, float]]:
    variants = {
        "no rules": None,
        'drop = ["aside", "nav", "footer", ".newsletter"]': PageRules(
            drop=("aside", "nav", "footer", ".newsletter")
        ),
        'keep = ["article"]': PageRules(keep=("article",)),
    }
    rows = []
    for label, rules in variants.items():
        seconds = best(
            lambda r=rules: [extract_page(p, "text/html", "https://news.example/a", r) for p in pages]
        )
        rows.append((label, seconds / len(pages) * 1000))
    return rows


def sitemap_rows(count: int) -> list[tuple[str, float, int]]:
    items = [
        (f"https://news.example/2026/11/story-{i}", f"Story number {i}", f"2026-11-02T{i % 24:02d}:00:00Z")
        for i in range(count)
    ]
    news = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(
            f"<url><loc>{loc}</loc><news:news><news:publication_date>{date}</news:publication_date>"
            f"<news:title>{title}</news:title></news:news></url>"
            for loc, title, date in items
        )
        + "</urlset>"
    ).encode()
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        + "".join(
            f"<item><title>{html.escape(title)}</title><link>{loc}</link><pubDate>Mon, 02 Nov 2026 09:30:00 GMT</pubDate></item>"
            for loc, title, _ in items
        )
        + "</channel></rss>"
    ).encode()
    packed = gzip.compress(news)
    rows = []
    for label, body in (
        (f"news sitemap, {len(news) / 1e6:.1f} MB", news),
        (f"the same gzipped, {len(packed) / 1e6:.1f} MB", packed),
        (f"RSS feed of the same entries (feedparser), {len(feed) / 1e6:.1f} MB", feed),
    ):
        seconds = best(lambda b=body: parse_feed(b, "https://news.example/map.xml"), repeat=2)
        rows.append((label, seconds, count))
    return rows


SHELL = b"""<!doctype html><html><head><meta charset="utf-8"><title>x</title><script src="/app.js"></script></head>
<body><div id="root"></div></body></html>"""
APP = b"""fetch("/story.json").then(r => r.json()).then(s => {
  const a = document.createElement("article");
  for (const t of s.paragraphs) { const p = document.createElement("p"); p.textContent = t; a.appendChild(p); }
  document.getElementById("root").appendChild(a);
});"""


def browser_rows(renders: int) -> list[tuple[str, float]]:
    story = (
        '{"paragraphs": ['
        + ", ".join(f'"Paragraph {i} of the story, with enough words to read."' for i in range(20))
        + "]}"
    ).encode()
    files = {
        "/story": (SHELL, "text/html"),
        "/app.js": (APP, "application/javascript"),
        "/story.json": (story, "application/json"),
    }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body, kind = files.get(self.path, (b"", "text/plain"))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/story"
    settings = FetchSettings(allow_private=True, delay=0.0)

    async def run(render: bool) -> tuple[float, float]:
        async with Fetcher(settings) as fetcher:
            started = time.perf_counter()
            if render:
                await fetcher.render(await fetcher.get(url))  # Chromium's start, counted apart
            first = time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(renders):
                page = await fetcher.get(url)
                if render:
                    await fetcher.render(page)
            return first, time.perf_counter() - started

    try:
        _, plain = asyncio.run(run(False))
        start, rendered = asyncio.run(run(True))
    finally:
        server.shutdown()
    return [
        ("plain fetch", renders / plain),
        ("fetch and render", renders / rendered),
        ("Chromium's start (s)", start),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus" / "pages")
    parser.add_argument("--urls", type=int, default=50_000)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("JOURNAL_CHROMIUM", "/usr/bin/chromium")

    out = [
        f"`python bench/sources.py` on {datetime.now(UTC):%Y-%m-%d}: {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}.",
        "",
    ]
    pages = corpus_pages(args.corpus)
    if pages:
        rows = rules_rows(pages)
        base = rows[0][1]
        out += [f"Page rules, `extract_page` on the {len(pages)} corpus pages, best of 3:", ""]
        out += ["| rules | ms per page | ratio |", "|---|---:|---:|"]
        out += [f"| `{label}` | {ms:.1f} | {ms / base:.2f} |" for label, ms in rows]
        out.append("")
    rows_s = sitemap_rows(args.urls)
    base_s = rows_s[0][1]
    out += [f"Sitemaps, {args.urls:,} entries parsed into feed entries, best of 2:", ""]
    out += ["| document | seconds | entries/s | time ratio |", "|---|---:|---:|---:|"]
    out += [f"| {label} | {s:.2f} | {n / s:,.0f} | {s / base_s:.2f} |" for label, s, n in rows_s]
    out.append("")
    try:
        rows_b = browser_rows(args.renders)
    except Exception as exc:  # no Chromium here: say so in the results
        out.append(f"Browser: not measured ({exc}).")
    else:
        out += [
            f"Browser, a page built by script on 127.0.0.1 (shell, script, JSON), {args.renders} pages one after another:",
            "",
            "| | pages/s |",
            "|---|---:|",
            f"| {rows_b[0][0]} | {rows_b[0][1]:.0f} |",
            f"| {rows_b[1][0]} | {rows_b[1][1]:.1f} |",
            "",
            f"Rendering costs {rows_b[0][1] / rows_b[1][1]:.0f}× a plain fetch; Chromium starts once per run "
            f"({rows_b[2][1]:.1f} s, with the first page).",
        ]
    text = "\n".join(out)
    print(text)
    if args.write:
        write_section("Sources: rules, sitemaps, browser", text)


if __name__ == "__main__":
    main()
