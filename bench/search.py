"""Search: how fast the index builds, how fast it answers, what it costs the updater.

    python bench/search.py                        # the scale archives of bench/run.py: 10k, 100k, 1M
    python bench/search.py --sizes 10000 100000   # a few of them
    python bench/search.py --upkeep-only          # just the updater's upkeep cost

For each scale archive (bench/out/scale-N, built by bench/synth.py when missing and
kept, as bench/run.py does):

- reindex: `journal reindex` (state and search index from one walk of history) against
  a reindex of the state alone: the search index's share, as versions/s;
- build: `SearchIndex.rebuild` from scratch (its own walk), versions/s (wall and CPU of
  this process), and the index's size per version (file after its checkpoint);
- queries: 4 kinds (a single word, two words, a phrase, a word with --removed), random
  words of the synthetic vocabulary (about 80 words: every word is common, the worst
  case for an inverted index) and phrases cut from the archive's own text; p50 and p95
  over QUERIES of each kind after a warm-up, measured three ways:
  * in the process (`search.search`),
  * the web page's server time (its Server-Timing header, `GET /search`),
  * the CLI: the whole `python -m journal search` process, minus the start of the same
    command that does no search (`python -m journal search --help`: interpreter, typer
    and its imports);
- upkeep: the first pass of bench/update.py's simulated news web (PAGES pages) in a
  fresh process, with and without the index upkeep (`SearchIndex.catch_up` made a
  no-op), alternating, ROUNDS rounds: the median wall time of each and their ratio.

Writes the section "Search" of bench/RESULTS.md and JSON lines to bench/out/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results import write_section  # noqa: E402

OUT = HERE / "out"
KINDS = ("single word", "two words", "phrase", "--removed")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(values, 0.5) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
        "n": len(values),
    }


# -- the index --------------------------------------------------------------------------------


def build_index(root: Path) -> dict[str, Any]:
    from journal.archive import Archive
    from journal.searchindex import FILE, SearchIndex

    archive = Archive.open(root)
    for suffix in ("", "-wal", "-shm"):
        (archive.state_dir / (FILE + suffix)).unlink(missing_ok=True)
    index = SearchIndex.open(archive.state_dir)
    kids = os.times()
    started, cpu = time.perf_counter(), time.process_time()
    versions = index.rebuild(archive)
    wall, mine = time.perf_counter() - started, time.process_time() - cpu
    after = os.times()
    index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rows = index.db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    texts = index.db.execute("SELECT COUNT(*) FROM articles WHERE current IS NOT NULL").fetchone()[0]
    index.close()
    size = sum(
        (archive.state_dir / (FILE + s)).stat().st_size
        for s in ("", "-wal")
        if (archive.state_dir / (FILE + s)).exists()
    )
    return {
        "commits_read": versions,
        "version_rows": rows,
        "text_rows": texts,
        "build_s": wall,
        "versions_per_s": versions / wall,
        "cpu_s": mine,
        "git_cpu_s": (after.children_user + after.children_system)
        - (kids.children_user + kids.children_system),
        "versions_per_cpu_s": versions / mine,
        "bytes": size,
        "bytes_per_version": size / versions,
    }


def reindex(root: Path, versions: int) -> dict[str, Any]:
    """`journal reindex` (state and search index from one walk of history) against the
    same without the search index: the search index's share of a reindex."""
    from journal import services
    from journal.archive import Archive

    archive = Archive.open(root)
    started = time.perf_counter()
    services.reindex(archive, lambda _: None, search=False)
    state = time.perf_counter() - started
    started = time.perf_counter()
    services.reindex(archive, lambda _: None)
    both = time.perf_counter() - started
    return {
        "state_s": state,
        "both_s": both,
        "search_s": both - state,
        "versions_per_s": versions / (both - state) if both > state else float("inf"),
    }


def queries(root: Path, count: int, seed: int) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """`count` distinct queries of each kind (fewer single words when the vocabulary is
    smaller), as (query, extra parameters): a repeated query would be answered from the
    web app's memory."""
    from itertools import permutations

    from synth import WORDS

    from journal.archive import Archive
    from journal.searchindex import SearchIndex

    rng = random.Random(seed)
    index = SearchIndex.open(Archive.open(root).state_dir)
    top = index.db.execute("SELECT MAX(rowid) FROM changes").fetchone()[0]
    phrases: set[str] = set()
    while len(phrases) < count:
        row = index.db.execute(
            "SELECT added FROM changes WHERE rowid >= ? AND added != '' ORDER BY rowid LIMIT 1",
            (rng.randint(0, top),),
        ).fetchone()
        said = re.findall(r"\w+", row[0]) if row else []
        if len(said) > 3:
            start = rng.randrange(len(said) - 3)
            phrases.add('"' + " ".join(said[start : start + rng.choice((2, 3))]) + '"')
    index.close()
    words = rng.sample(WORDS, len(WORDS))
    pairs = rng.sample(list(permutations(WORDS, 2)), count)
    return {
        "single word": [(w, {}) for w in words[:count]],
        "two words": [(" ".join(p), {}) for p in pairs],
        "phrase": [(p, {}) for p in sorted(phrases)],
        "--removed": [(w, {"removed": "1"}) for w in rng.sample(WORDS, len(WORDS))[:count]],
    }


def in_process(root: Path, asked: dict[str, list[tuple[str, dict[str, str]]]], warm: int) -> dict[str, Any]:
    from journal import query, search
    from journal.archive import Archive
    from journal.searchindex import SearchIndex

    index = SearchIndex.open(Archive.open(root).state_dir)
    out = {}
    for kind, items in asked.items():
        times, cpu = [], []
        for n, (typed, extra) in enumerate(items[-warm:] + items):
            started, used = time.perf_counter(), time.process_time()
            search.search(index, query.parse(typed), search.Filters(removed=bool(extra)), 1, 25)
            if n >= warm:
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
        out[kind] = summary(times) | {"cpu": summary(cpu)}
    index.close()
    return out


def web(root: Path, asked: dict[str, list[tuple[str, dict[str, str]]]], warm: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from journal.archive import Archive
    from journal.web.app import create_app

    out = {}
    with TestClient(create_app(Archive.open(root))) as client:
        for kind, items in asked.items():
            times, cpu = [], []
            for n, (typed, extra) in enumerate(items[-warm:] + items):
                used = time.process_time()
                # A page the app has not answered before (its answers are kept until the
                # next commit): the warm-up asked page 2 of the same queries.
                page = {"page": "2"} if n < warm else {}
                answer = client.get("/search", params={"q": typed, **extra, **page})
                assert answer.status_code == 200, answer.text[:300]
                if n >= warm:
                    times.append(float(answer.headers["server-timing"].split("dur=")[1]) / 1000)
                    cpu.append(time.process_time() - used)
            out[kind] = summary(times) | {"cpu": summary(cpu)}
    return out


def cli(root: Path, asked: dict[str, list[tuple[str, dict[str, str]]]], runs: int) -> dict[str, Any]:
    """Whole processes: wall time, and CPU time (user + system, the process and its
    children), each less the median of the same command's start without a search."""
    base = [sys.executable, "-m", "journal", "--archive", str(root), "search"]

    def timed(args: list[str]) -> tuple[float, float]:
        before = os.times()
        started = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = os.times()
        return wall, (after.children_user + after.children_system) - (
            before.children_user + before.children_system
        )

    start = [timed([*base, "--help"]) for _ in range(runs)]
    wall0, cpu0 = statistics.median(w for w, _ in start), statistics.median(c for _, c in start)
    out: dict[str, Any] = {
        "start": summary([w for w, _ in start]),
        "start_cpu": summary([c for _, c in start]),
    }
    for kind, items in asked.items():
        done = [timed([*base, typed, *(["--removed"] if extra else [])]) for typed, extra in items[:runs]]
        out[kind] = {
            "whole": summary([w for w, _ in done]),
            "net": summary([w - wall0 for w, _ in done]),
            "cpu_net": summary([c - cpu0 for _, c in done]),
        }
    return out


# -- upkeep -----------------------------------------------------------------------------------


def run_pass(archive: str, without_index: bool) -> None:
    """The child: one forced pass, as bench/update.py runs it, with the index upkeep (its
    time inside the pass counted) or without it."""
    from journal.searchindex import SearchIndex

    spent = {"index_s": 0.0, "index_cpu_s": 0.0}
    catch_up = SearchIndex.catch_up

    def timed(self: SearchIndex, archive: Any) -> int:
        started, used = time.perf_counter(), time.process_time()
        try:
            return 0 if without_index else catch_up(self, archive)
        finally:
            spent["index_s"] += time.perf_counter() - started
            spent["index_cpu_s"] += time.process_time() - used

    SearchIndex.catch_up = timed  # type: ignore[method-assign]
    from update import run_pass as update_pass

    update_pass(archive)
    print(json.dumps(spent), flush=True)


def upkeep(pages: int, rounds: int, say: Any) -> dict[str, Any]:
    from sim import Web
    from update import make_archive

    web_ = Web.generate(pages, seed=1, hosts=4)
    web_.bind()
    walls: dict[str, list[float]] = {"with": [], "without": []}
    runs: dict[str, list[float]] = {"with": [], "without": []}
    cpu: dict[str, list[float]] = {"with": [], "without": []}
    inside: list[tuple[float, float, float]] = []  # (index s, index CPU s, run s) of each pass with it
    with web_.serve():
        for n in range(rounds):
            for mode in ("with", "without") if n % 2 == 0 else ("without", "with"):
                root = OUT / f"search-upkeep-{mode}"
                make_archive(root, web_, 2)
                command = [sys.executable, __file__, "--run-pass", str(root)]
                if mode == "without":
                    command.append("--without-index")
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                walls[mode].append(time.perf_counter() - started)
                child: dict[str, Any] = {}
                for line in done.stdout.splitlines():
                    if line.startswith("{"):
                        child |= json.loads(line)
                runs[mode].append(child["run_s"])
                cpu[mode].append(child["main_cpu_s"] + child["children_cpu_s"])
                if mode == "with":
                    inside.append((child["index_s"], child["index_cpu_s"], child["run_s"]))
                say(
                    f"  round {n + 1}, {mode} index: {walls[mode][-1]:.2f} s, {child['summary']['commits']} commits"
                )
    med = {m: statistics.median(v) for m, v in walls.items()}
    return {
        "pages": pages,
        "rounds": rounds,
        "wall_s": med,
        "run_s": {m: statistics.median(v) for m, v in runs.items()},
        "cpu_s": {m: statistics.median(v) for m, v in cpu.items()},
        "walls": walls,
        "added": med["with"] / med["without"] - 1,
        "added_run": statistics.median(runs["with"]) / statistics.median(runs["without"]) - 1,
        "added_cpu": statistics.median(cpu["with"]) / statistics.median(cpu["without"]) - 1,
        "index_s": statistics.median(i for i, _, _ in inside),
        "index_cpu_s": statistics.median(c for _, c, _ in inside),
        "index_share": statistics.median(i / r for i, _, r in inside),
    }


# -- report -----------------------------------------------------------------------------------


def markdown(rows: list[dict[str, Any]], command: str) -> str:
    load = os.getloadavg()
    lines = [
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d}: {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}; "
        f"load average at the end {load[0]:.1f} (the cores are shared: wall times run long).",
        "",
    ]
    sizes = [r for r in rows if r["kind"] == "search"]
    if sizes:
        lines += [
            "`journal reindex` rebuilds the state and the search index from one walk of history; "
            "the search index's share is the time it adds to a reindex of the state alone:",
            "",
            "| versions | reindex, state only s | reindex, state and search index s | search index s | search index versions/s |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in sizes:
            x = r["reindex"]
            lines.append(
                f"| {r['versions']:,} | {x['state_s']:.1f} | {x['both_s']:.1f} | {x['search_s']:.1f} | "
                f"**{x['versions_per_s']:,.0f}** |"
            )
        lines += [
            "",
            "The search index built on its own (`SearchIndex.rebuild`: its own walk of history, as on the "
            "first search of a fresh clone or after a rewritten history) and its size:",
            "",
            "| versions | build s | versions/s (wall) | versions per CPU s | git CPU s | version rows | rows holding a current text | bytes/version |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in sizes:
            b = r["build"]
            lines.append(
                f"| {r['versions']:,} | {b['build_s']:.1f} | **{b['versions_per_s']:,.0f}** | {b['versions_per_cpu_s']:,.0f} | "
                f"{b['git_cpu_s']:.1f} | {b['version_rows']:,} | {b['text_rows']:,} | **{b['bytes_per_version']:,.0f}** |"
            )
        lines += [
            "",
            "Query time, p50 / p95 in ms (25 results a page, newest first, with snippets; "
            "target p95 ≤ 50 ms at 1 M). Wall time, and CPU time beside it: on shared cores "
            "the wall time is mostly waiting for a core.",
            "",
            "| versions | kind | in process: wall | CPU | web server time | web: CPU of the exchange | CLI, whole process | CLI minus its start | CLI CPU minus its start |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in sizes:
            for kind in KINDS:
                p, w, c = r["process"][kind], r["web"][kind], r["cli"][kind]
                lines.append(
                    f"| {r['versions']:,} | {kind} | {p['p50_ms']:.1f} / {p['p95_ms']:.1f} | "
                    f"{p['cpu']['p50_ms']:.1f} / {p['cpu']['p95_ms']:.1f} | "
                    f"{w['p50_ms']:.1f} / **{w['p95_ms']:.1f}** | {w['cpu']['p50_ms']:.1f} / {w['cpu']['p95_ms']:.1f} | "
                    f"{c['whole']['p50_ms']:.0f} / {c['whole']['p95_ms']:.0f} | "
                    f"{c['net']['p50_ms']:.0f} / **{c['net']['p95_ms']:.0f}** | "
                    f"{c['cpu_net']['p50_ms']:.0f} / {c['cpu_net']['p95_ms']:.0f} |"
                )
        starts = ", ".join(
            f"{r['cli']['start']['p50_ms']:.0f} ms ({r['cli']['start_cpu']['p50_ms']:.0f} ms of CPU)"
            for r in sizes
        )
        lines += ["", f"CLI start (`python -m journal search --help`, median): {starts}.", ""]
    for r in rows:
        if r["kind"] == "search_upkeep":
            lines.append(
                f"Upkeep: the first pass over {r['pages']:,} new pages (bench/update.py's simulated web, "
                f"fresh process each), median of {r['rounds']} alternating rounds: "
                f"{r['wall_s']['without']:.2f} s without the index, {r['wall_s']['with']:.2f} s with it: "
                f"**{r['added']:+.1%}** (inside `update.run`: {r['added_run']:+.1%}). CPU of the pass (the updater, "
                f"its workers and git): {r['cpu_s']['without']:.2f} → {r['cpu_s']['with']:.2f} s, "
                f"{r['added_cpu']:+.1%}. Time the pass spent in the index upkeep (`SearchIndex.catch_up`, "
                f"git reads included; the event loop waits for it): {r['index_s']:.2f} s of "
                f"{r['run_s']['with']:.2f} s, **{r['index_share']:.1%}** ({r['index_cpu_s']:.2f} s of the "
                "updater's CPU). Target ≤ +5%."
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=100, help="of each kind, in process and on the web")
    parser.add_argument("--cli-runs", type=int, default=20, help="CLI processes of each kind")
    parser.add_argument("--pages", type=int, default=1000, help="pages of the upkeep pass")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the upkeep comparison")
    parser.add_argument("--upkeep-only", action="store_true")
    parser.add_argument("--no-upkeep", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    parser.add_argument("--run-pass", help=argparse.SUPPRESS)
    parser.add_argument("--without-index", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_pass:
        run_pass(args.run_pass, args.without_index)
        return

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    OUT.mkdir(exist_ok=True)
    rows: list[dict[str, Any]] = []
    log = (OUT / "results.jsonl").open("a")

    def emit(row: dict[str, Any]) -> None:
        row = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **row}
        rows.append(row)
        log.write(json.dumps(row) + "\n")
        log.flush()
        print(json.dumps(row), flush=True)

    if not args.upkeep_only:
        from synth import build

        for size in args.sizes:
            root = OUT / f"scale-{size}"
            if not (root / ".git").exists():
                say(f"building the {size:,}-version archive (kept in {root}) …")
                build(root, size, 22, 1, quiet=True)
            say(f"{size:,} versions: journal reindex with and without the search index …")
            reindexed = reindex(root, size)
            say(
                f"  the search index adds {reindexed['search_s']:.1f} s: {reindexed['versions_per_s']:,.0f} versions/s"
            )
            say(f"{size:,} versions: building the search index on its own …")
            built = build_index(root)
            say(
                f"  {built['versions_per_s']:,.0f} versions/s, {built['bytes_per_version']:,.0f} bytes/version"
            )
            asked = queries(root, args.queries, seed=size)
            warm = max(5, args.queries // 5)
            say("  queries in process, on the web, in the CLI …")
            emit(
                {
                    "kind": "search",
                    "versions": size,
                    "reindex": reindexed,
                    "build": built,
                    "process": in_process(root, asked, warm),
                    "web": web(root, asked, warm),
                    "cli": cli(root, asked, args.cli_runs),
                }
            )
    if not args.no_upkeep:
        say(f"upkeep: first passes over {args.pages} pages, with and without the index …")
        emit({"kind": "search_upkeep", **upkeep(args.pages, args.rounds, say)})
    command = "python bench/search.py" + (
        f" --sizes {' '.join(map(str, args.sizes))}" if not args.upkeep_only else " --upkeep-only"
    )
    report = markdown(rows, command)
    print(report)
    if not args.no_write:
        write_section("Search", report)


if __name__ == "__main__":
    main()
