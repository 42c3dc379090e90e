"""The pages of `journal serve` on a big archive: how long the app takes per page,
before and after `journal maintenance`.

    python bench/web.py [--versions 100000] [--runs 7] [--write]
    python bench/web.py --archive PATH [--json]      # an existing archive, as it is

Builds a synthetic archive (bench/synth.py: generated articles under 22 sources at
`<source>/<YYYY>/<MM>/<slug>.md`, several versions each, commit messages with journal's
trailers, streamed through journal's own writer, then indexed as `journal reindex`
does), then asks the app (FastAPI's TestClient, in this process) for each page: one
request to warm up, then the best of --runs. The time reported is the app's own, from
the Server-Timing header it sets (routing, git, SQLite and templates; no HTTP client or
socket). Then `journal maintenance`, and the same again. Target: the article and diff
pages under ~100 ms once maintained. --write puts the table in bench/RESULTS.md under
"Web pages".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fastapi.testclient import TestClient  # noqa: E402
from history import pick  # noqa: E402
from results import write_section  # noqa: E402
from synth import build  # noqa: E402

from journal import services  # noqa: E402
from journal.archive import Archive  # noqa: E402
from journal.web.app import create_app  # noqa: E402

OUT = HERE / "out"
_TIMING = re.compile(r"app;dur=([\d.]+)")


def pages(sid: str, versions: int) -> dict[str, str]:
    """Pages read afresh on every request."""
    return {
        "article": f"/articles/{sid}",
        "diff": f"/articles/{sid}/diff/{versions - 1}/{versions}",
        "version": f"/articles/{sid}/versions/1",
        "api versions": f"/api/articles/{sid}/versions",
        "search (rare words)": "/search?q=according+hospital+warned",
        "search (common word)": "/search?q=minister",
    }


def lists(source: str) -> dict[str, str]:
    """Pages whose lists the app keeps until the next version is recorded."""
    return {
        "front page": "/",
        "source page": f"/sources/{source}",
        "feed of a source": f"/sources/{source}/feed.atom",
    }


def timing(client: TestClient, path: str) -> float:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    found = _TIMING.search(answer.headers["server-timing"])
    assert found is not None
    return float(found.group(1))


def measure(root: Path, runs: int) -> dict[str, float]:
    """Best server time in ms of each page. A list page is timed on the first request
    of a new app (nothing remembered yet; its git processes already started), and again
    on a second request."""
    archive = Archive.open(root)
    sid, _, source = pick(root)
    out: dict[str, float] = {}
    with TestClient(create_app(archive)) as client:
        versions = client.get(f"/api/articles/{sid}").json()["versions"]
        for name, path in pages(sid, versions).items():
            times = [timing(client, path) for _ in range(runs + 1)]
            out[name] = min(times[1:])  # the first warms up
    for name, path in lists(source).items():
        first, again = [], []
        for _ in range(runs):
            with TestClient(create_app(archive)) as client:
                timing(client, f"/articles/{sid}")
                first.append(timing(client, path))
                again.append(timing(client, path))
        out[name] = min(first)
        out[f"{name}, again"] = min(again)
    return out


def machine() -> str:
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}, {git}"


def report(
    size: int, built: dict[str, float], maintained_s: float, before: dict[str, float], after: dict[str, float]
) -> str:
    lines = [
        f"`python bench/web.py --versions {size}` on {datetime.now(UTC):%Y-%m-%d}: {machine()}.",
        "",
        f"Synthetic archive of {size:,} versions (22 sources; built at {built['commits_per_s']:,.0f} commits/s, "
        f"indexed in {built['reindex_s']:.1f} s; `journal maintenance` {maintained_s:.1f} s). Server time of each "
        "page (the app's Server-Timing: routing, git, SQLite, templates), best of the runs after a warm-up "
        "request, for an article with several versions from the middle of the archive's life.",
        "",
        "| page | before maintenance, ms | after maintenance, ms |",
        "| --- | ---: | ---: |",
    ]
    for name in before:
        lines.append(f"| {name} | {before[name]:.1f} | **{after[name]:.1f}** |")
    ok = after["article"] < 100 and after["diff"] < 100
    lines += [
        "",
        f"- article page {after['article']:.0f} ms, diff page {after['diff']:.0f} ms once maintained "
        f"(target under ~100 ms: **{'met' if ok else 'missed'}**). Each costs one path-limited `git log` of "
        "the article and one or two blob reads; the commit-graph's changed-path Bloom filters are what make "
        "that log fast.",
        "- the front page, source page and feed read `git log` newest first and stop after one page; "
        "search walks the search index newest first and stops after one page (bench/search.py measures "
        "it at every scale): neither reads the length of history.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--archive", type=Path, help="measure this archive as it is (no build, no maintenance)"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    if args.archive:
        times = measure(args.archive, args.runs)
        print(json.dumps({"article_ms": times["article"], "diff_ms": times["diff"], "pages_ms": times}))
        return
    OUT.mkdir(exist_ok=True)
    target = OUT / f"web-{args.versions}"
    built = build(target, args.versions, 22, 1, quiet=True)
    before = measure(target, args.runs)
    started = time.perf_counter()
    services.maintain(Archive.open(target))
    maintained_s = time.perf_counter() - started
    after = measure(target, args.runs)
    if args.json:
        print(json.dumps({"versions": args.versions, "before": before, "after": after, "build": built}))
    text = report(args.versions, built, maintained_s, before, after)
    print(text)
    if args.write:
        write_section("Web pages", text)


if __name__ == "__main__":
    main()
