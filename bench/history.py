"""Read commands on big archives: whole-process wall time next to bare `git log`.

    python bench/history.py [--sizes 10000 100000] [--runs 5] [--json]

For each size, builds a synthetic archive (bench/synth.py), then times, before and
after `journal maintenance` (commit-graph with changed-path Bloom filters, one pack):
`git log -- <path>` of one article, and `journal history`, `journal diff`,
`journal feed --source` on it. The number reported is the best of --runs runs of the
whole process (interpreter start and imports included), which is what a user waits for.
Target: `journal history` ≤ `git log -- <path>` + 0.3 s, a gap that stays flat as the
archive grows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import build

from journal.archive import Archive
from journal.state import State

OUT = Path(__file__).resolve().parent / "out"


def best(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return min(times)


def pick(archive: Path) -> tuple[str, str, str]:
    """An article with several versions, from the middle of the archive's life."""
    state = State.open(Archive.open(archive).state_dir)
    try:
        rows = state.listing(order="path")
        candidates = [r for r in rows if r.versions >= 4]
        row = candidates[len(candidates) // 2]
        assert row.sid is not None and row.path is not None
        return row.sid, row.path, row.source
    finally:
        state.close()


def measure(archive: Path, runs: int) -> dict[str, float]:
    sid, path, source = pick(archive)
    journal = [sys.executable, "-m", "journal", "--archive", str(archive)]
    return {
        "git log -- path": best(["git", "-C", str(archive), "log", "--", path], runs),
        "journal history": best([*journal, "history", sid], runs),
        "journal diff": best([*journal, "diff", sid], runs),
        "journal feed --source": best([*journal, "feed", "--source", source], runs),
        "journal status": best([*journal, "status", sid], runs),
        "journal show": best([*journal, "show", sid], runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    rows = []
    for size in args.sizes:
        target = OUT / f"history-{size}"
        built = build(target, size, 22, 1, quiet=True)
        before = measure(target, args.runs)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "journal", "--archive", str(target), "maintenance"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        maintained = time.perf_counter() - started
        after = measure(target, args.runs)
        row = {
            "versions": size,
            "build": built,
            "maintenance_s": maintained,
            "before": before,
            "after": after,
        }
        rows.append(row)
        if args.json:
            print(json.dumps(row))
    if not args.json:
        print(table(rows))


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        f"Machine: {os.cpu_count()} cores. Best of runs, whole process, seconds.",
        "",
        "| versions | maintained | git log -- path | journal history | gap | journal diff | journal feed --source | journal status | journal show |",
        "| ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        for label in ("before", "after"):
            t = row[label]
            assert isinstance(t, dict)
            gap = t["journal history"] - t["git log -- path"]
            lines.append(
                f"| {row['versions']:,} | {'yes' if label == 'after' else 'no'} | {t['git log -- path']:.3f} | "
                f"{t['journal history']:.3f} | {gap:+.3f} | {t['journal diff']:.3f} | {t['journal feed --source']:.3f} | "
                f"{t['journal status']:.3f} | {t['journal show']:.3f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
