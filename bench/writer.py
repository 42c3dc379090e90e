"""The writer against raw `git fast-import`: the same commits, two ways.

    python bench/writer.py [--commits 50000] [--files 20000] [--json]

Generates the commits first (messages, dates, article files under sharded month
folders), then times (a) journal's Writer, which builds the fast-import stream in
Python and checkpoints every 500 commits as the updater does, and (b) the same
stream written to a file beforehand and piped into `git fast-import` by the shell,
with nothing else running. The ratio (a)/(b) is journal's overhead; target ≥ 0.7.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import paragraph

from journal import commits, config
from journal.archive import Archive, Identity, Writer
from journal.extractor import EXTRACTOR
from journal.models import Change

START = datetime(2024, 1, 1, tzinfo=UTC).timestamp()

Commit = tuple[str, datetime, str, bytes]


def generate(count: int, files: int, seed: int = 1) -> list[Commit]:
    rng = random.Random(seed)
    paths = [f"src{i % 20:02d}/2024/{1 + (i // 2000) % 12:02d}/story-{i}.md" for i in range(files)]
    bodies = [paragraph(rng) for _ in range(200)]
    out: list[Commit] = []
    versions: dict[str, int] = {}
    for n in range(count):
        path = paths[n % files] if n >= files else paths[n]
        versions[path] = versions.get(path, 0) + 1
        when = datetime.fromtimestamp(START + n * 7, UTC)
        text = "\n\n".join(rng.sample(bodies, 12)) + f"\n\nRevision {versions[path]}.\n"
        message = commits.CommitMessage(
            source=path.split("/")[0], title=f"Story {n % files}", url=f"https://example.org/{n % files}",
            version=versions[path], change=Change.NEW if versions[path] == 1 else Change.EDIT, fetched_at=when,
            summary="1 paragraph edited", extractor=EXTRACTOR,
        )  # fmt: skip
        out.append((message.render(), when, path, text.encode()))
    return out


def raw_stream(batch: list[Commit], head: str) -> bytes:
    """The fast-import stream for `batch`, as a plain program would write it."""
    ident = Identity()
    parts: list[bytes] = []
    for i, (message, when, path, data) in enumerate(batch):
        msg = message.encode()
        sig = ident.signature(when).encode()
        parts.append(f"commit refs/heads/main\nmark :{i + 1}\n".encode())
        parts += [
            b"author " + sig + b"\n",
            b"committer " + sig + b"\n",
            f"data {len(msg)}\n".encode(),
            msg,
            b"\n",
        ]
        if i == 0:
            parts.append(f"from {head}\n".encode())
        parts += [f"M 100644 inline {path}\ndata {len(data)}\n".encode(), data, b"\n\n"]
    parts.append(b"done\n")
    return b"".join(parts)


def fresh(where: Path) -> Archive:
    if where.exists():
        shutil.rmtree(where)
    return Archive.create(where, config.STARTER, Identity(), datetime.fromtimestamp(START - 60, UTC))


def measure(count: int, files: int) -> dict[str, float]:
    batch = generate(count, files)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        journal_archive = fresh(base / "journal")
        started = time.perf_counter()
        with Writer(journal_archive, Identity()) as writer:
            for message, when, path, data in batch:
                writer.commit(message, when, {path: data})
                if writer.pending >= 500:
                    writer.checkpoint()
            writer.checkpoint()
        journal_s = time.perf_counter() - started

        raw_archive = fresh(base / "raw")
        head = raw_archive.head()
        assert head is not None
        stream = base / "stream"
        stream.write_bytes(raw_stream(batch, head))
        started = time.perf_counter()
        subprocess.run(
            f"git fast-import --quiet --done --date-format=raw < {stream}",
            shell=True,
            cwd=raw_archive.root,
            check=True,
        )
        raw_s = time.perf_counter() - started
        same = journal_archive.git("rev-parse", "HEAD^{tree}") == raw_archive.git("rev-parse", "HEAD^{tree}")
    return {
        "commits": count,
        "files": files,
        "journal_commits_per_s": count / journal_s,
        "raw_commits_per_s": count / raw_s,
        "ratio": raw_s / journal_s,
        "same_tree": float(same),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.commits, args.files)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['commits']:,} commits over {result['files']:,} files: journal "
            f"{result['journal_commits_per_s']:,.0f}/s, raw fast-import {result['raw_commits_per_s']:,.0f}/s, "
            f"ratio {result['ratio']:.2f} (same tree: {bool(result['same_tree'])})"
        )


if __name__ == "__main__":
    main()
