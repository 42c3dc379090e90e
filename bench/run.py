"""The scale benchmark, in one command: how every figure grows from 10k to 1M versions.

    python bench/run.py            # 10k, 100k and 1M versions (about an hour on 2 cores)
    python bench/run.py --quick    # 10k and 100k, smaller passes (a few minutes)

It measures, and writes as JSON lines to bench/out/results.jsonl and as markdown
tables to bench/RESULTS.md (section "Scale"):
- update throughput for a first, an unchanged and a 10%-edited pass on a simulated
  news web (bench/update.py), against the pure extraction ceiling;
- the writer against a raw `git fast-import` stream of the same commits (bench/writer.py);
- for each archive size: build time, reindex time, whole-process wall time of
  `journal history`, `show`, `diff`, `feed --source`, `status` next to bare
  `git log -- <path>`, before and after `journal maintenance`, and the bytes per
  version of the maintained archive against the text it holds (bench/history.py);
- the web article and diff pages, server time (bench/web.py, when present);
- peak RSS of `journal update` with 100k tracked articles due on a local server;
- `journal serve` on the largest archive under 200 concurrent clients: answers/s,
  latency and the server's memory (bench/load.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from history import measure as read_times  # noqa: E402
from load import measure as serve_load  # noqa: E402
from results import write_section  # noqa: E402
from synth import build  # noqa: E402
from writer import measure as writer_ratio  # noqa: E402

OUT = HERE / "out"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def scale_row(size: int, runs: int) -> dict[str, Any]:
    target = OUT / f"scale-{size}"
    built = build(target, size, 22, 1, quiet=True)
    before = read_times(target, runs)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "journal", "--archive", str(target), "maintenance"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    maintained = time.perf_counter() - started
    after = read_times(target, runs)
    objects = du(target / ".git" / "objects")
    row: dict[str, Any] = {
        "kind": "archive",
        "versions": size,
        "build_commits_per_s": built["commits_per_s"],
        "reindex_s": built["reindex_s"],
        "maintenance_s": maintained,
        "objects_bytes": objects,
        "bytes_per_version": objects / size,
        "text_bytes_per_version": built["text_bytes"] / size,
        "before": before,
        "after": after,
    }
    web = HERE / "web.py"
    if web.exists():
        out = subprocess.run(
            [sys.executable, str(web), "--archive", str(target), "--json"], capture_output=True, text=True
        )
        if out.returncode == 0 and out.stdout.strip():
            row["web"] = json.loads(out.stdout.strip().splitlines()[-1])
    return row


class _AnyArticle(BaseHTTPRequestHandler):
    """Serves a small article for any path, so every tracked URL can be checked."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
        else:
            title = self.path.rsplit("/", 1)[-1].replace("-", " ")
            paras = "".join(
                f"<p>Paragraph {i} of {title} says what happened and who said so.</p>" for i in range(8)
            )
            body = f"<html><head><title>{title}</title><meta property='og:title' content='{title}'></head><body><article><h1>{title}</h1>{paras}</article></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def update_rss(versions: int) -> dict[str, Any]:
    """Peak RSS of `journal update` on an archive of `versions` versions (about
    versions / 3.6 tracked articles), a share of them due, all served by a local server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AnyArticle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = OUT / f"rss-{versions}"
        base = f"http://127.0.0.1:{server.server_address[1]}"
        # A history that ends now (synth makes ~9,500 versions a simulated day),
        # indexed as of its start, so every article not retired is due: the run checks
        # max_per_source (200) of each of the 22 sources.
        start = time.time() - (versions / 9000 + 0.5) * 86400
        build(target, versions, 22, 2, quiet=True, start=start, base_url=base, index_at=start)
        code = textwrap.dedent(
            f"""
            import json, sys, time
            sys.path.insert(0, {str(HERE)!r})
            from procstat import memory_mb
            from typer.testing import CliRunner
            from journal.cli import app
            started = time.perf_counter()
            result = CliRunner().invoke(app, ["--archive", {str(target)!r}, "update", "--json"])
            assert result.exit_code == 0, result.output
            checked = sum(json.loads(result.stdout)["totals"].values())
            print(checked, time.perf_counter() - started, int(memory_mb()))
            """
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        checked, seconds, rss = out.stdout.split()
        sys.path.insert(0, str(HERE.parent))
        from journal.archive import Archive
        from journal.state import State

        state = State.open(Archive.open(target).state_dir)
        tracked = state.count()["articles"]
        state.close()
        return {
            "kind": "update_rss",
            "versions": versions,
            "tracked": tracked,
            "checked": int(checked),
            "seconds": float(seconds),
            "peak_rss_mb": int(rss),
        }
    finally:
        server.shutdown()


def update_throughput(quick: bool) -> list[dict[str, Any]]:
    # 1000 pages even when quick: with fewer, interpreter start dominates every pass.
    args = [sys.executable, str(HERE / "update.py"), "--json", "--no-write", "--pages=1000"]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return [
        {"kind": "update", **json.loads(line)} for line in out.stdout.splitlines() if line.startswith("{")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k versions, smaller passes")
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--runs", type=int, default=3, help="best of N for each timed command")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    args = parser.parse_args()
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    OUT.mkdir(exist_ok=True)
    rows: list[dict[str, Any]] = []
    log = (OUT / "results.jsonl").open("a")

    def emit(row: dict[str, Any]) -> None:
        row = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **row}
        rows.append(row)
        line = json.dumps(row)
        print(line, flush=True)
        log.write(line + "\n")
        log.flush()

    for row in update_throughput(args.quick):
        emit(row)
    emit(
        {"kind": "writer", **writer_ratio(20_000 if args.quick else 50_000, 10_000 if args.quick else 20_000)}
    )
    for size in sizes:
        emit(scale_row(size, args.runs))
    emit(serve_load(OUT / f"scale-{max(sizes)}", clients=200, requests=2000) | {"versions": max(sizes)})
    emit(update_rss(100_000 if args.quick else 360_000))
    report = markdown(rows, args.quick)
    print(report)
    if not args.no_write:
        write_section("Scale", report)


def markdown(rows: list[dict[str, Any]], quick: bool) -> str:
    lines = [
        f"`python bench/run.py{' --quick' if quick else ''}` on {datetime.now(UTC):%Y-%m-%d}: {machine()}.",
        "",
    ]
    passes = [r for r in rows if r["kind"] == "update" and "pass" in r]
    if passes:
        lines += ["| update pass | pages/s | commits |", "| --- | ---: | ---: |"]
        lines += [f"| {r['pass']} | {r['pages_per_s']:.0f} | {r.get('commits', '')} |" for r in passes]
        for r in rows:
            if r["kind"] == "update" and "ratios" in r:
                ratios = r["ratios"]
                lines += [
                    f"| extraction ceiling (`extract_page`, all cores) | {r['ceiling']['pages_per_s']:.0f} | |",
                    "",
                    f"First pass / extraction ceiling: **{ratios['first_vs_ceiling']:.2f}** (target ≥ 0.8); "
                    f"unchanged / first: **{ratios['unchanged_vs_first']:.1f}×** (target ≥ 5×).",
                ]
        lines.append("")
    for r in rows:
        if r["kind"] == "writer":
            lines += [
                f"Writer: {r['journal_commits_per_s']:,.0f} commits/s against raw `git fast-import` "
                f"{r['raw_commits_per_s']:,.0f}/s on the same {r['commits']:,} commits: ratio **{r['ratio']:.2f}** (target ≥ 0.7).",
                "",
            ]
    archives = [r for r in rows if r["kind"] == "archive"]
    if archives:
        lines += [
            "Whole-process wall time in seconds (best of runs); the gap is `journal history` minus bare `git log -- <path>`.",
            "",
            "| versions | maintained | git log -- path | history | gap | show | diff | feed --source | status |",
            "| ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in archives:
            for label in ("before", "after"):
                t = r[label]
                lines.append(
                    f"| {r['versions']:,} | {'yes' if label == 'after' else 'no'} | {t['git log -- path']:.3f} | "
                    f"{t['journal history']:.3f} | {t['journal history'] - t['git log -- path']:+.3f} | {t['journal show']:.3f} | "
                    f"{t['journal diff']:.3f} | {t['journal feed --source']:.3f} | {t['journal status']:.3f} |"
                )
        lines += [
            "",
            "| versions | build commits/s | reindex s | maintenance s | archive bytes/version | text bytes/version |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in archives:
            lines.append(
                f"| {r['versions']:,} | {r['build_commits_per_s']:,.0f} | {r['reindex_s']:.1f} | {r['maintenance_s']:.1f} | "
                f"{r['bytes_per_version']:,.0f} | {r['text_bytes_per_version']:,.0f} |"
            )
        webs = [r for r in archives if "web" in r]
        if webs:
            lines += ["", "| versions | article page ms | diff page ms |", "| ---: | ---: | ---: |"]
            lines += [
                f"| {r['versions']:,} | {r['web'].get('article_ms', 0):.1f} | {r['web'].get('diff_ms', 0):.1f} |"
                for r in webs
            ]
        lines.append("")
    for r in rows:
        if r["kind"] == "serve_load":
            worst = max(r["rounds"], key=lambda x: x["p99_ms"])
            lines += [
                f"`journal serve` on {r['versions']:,} versions, {r['clients']} clients at once, two rounds of "
                f"{r['requests']:,} requests over {r['pages']} pages: {min(x['per_second'] for x in r['rounds'])}+ "
                f"answers/s, p99 {worst['p99_ms']:.0f} ms, {sum(x['errors'] for x in r['rounds'])} errors; server RSS "
                f"{' then '.join(str(x['rss_mb']) for x in r['rounds'])} MB after each round, peak **{r['peak_rss_mb']} MB**.",
                "",
            ]
        if r["kind"] == "update_rss":
            lines.append(
                f"`journal update` on {r['versions']:,} versions, {r['tracked']:,} tracked articles, {r['checked']:,} of them "
                f"checked in the run: peak RSS **{r['peak_rss_mb']} MB** (updater process; target ≤ 300 MB), {r['seconds']:.1f} s."
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
