"""What notifications cost an update: the same passes with and without a target.

    python bench/notify.py --articles 300

Two archives follow the same loopback site; one has a JSON webhook target on
127.0.0.1 that wants every version. Each does a first pass (every article new)
and a pass after every article was edited. Reported: the wall time of each pass,
the ratio with/without the target, and how fast the messages went out (messages
a second, from the first to the last one received).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from conftest import PARAS, Site, Webhook, article_html, make_archive, rss  # noqa: E402

from journal import update  # noqa: E402
from journal.archive import Archive  # noqa: E402


def passes(root: Path, site: Site, count: int, hook: Webhook | None) -> list[float]:
    cli = make_archive(root, per_host=8)
    cli("source", "add", "bench", site.url("/feed.xml"))
    if hook is not None:
        kinds = [a for k in ("new", "edit") for a in ("--change", k)]
        cli("notify", "add", "hook", f"json://127.0.0.1:{hook.port}/in", *kinds)
    times = []
    for edition in (0, 1):
        for i in range(count):
            extra = [f"Edition {edition} of story {i} adds this closing paragraph."] if edition else []
            site.put(f"/story/{i}", article_html(f"Story {i}", [*PARAS, *extra]))
        started = time.perf_counter()
        summary = update.run(Archive.open(root), update.Options(force=True))
        times.append(time.perf_counter() - started)
        assert summary.commits == count, summary.as_json()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    site, hook = Site(), Webhook()
    site.put("/feed.xml", rss([{"link": site.url(f"/story/{i}")} for i in range(args.articles)]))
    with TemporaryDirectory() as tmp:
        plain = passes(Path(tmp) / "plain", site, args.articles, None)
        told = passes(Path(tmp) / "told", site, args.articles, hook)
    stamps = hook.arrivals()
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    print(f"{args.articles} articles; passes without a target / with one wanting every version:")
    for label, a, b in zip(("first pass", "edited pass"), plain, told, strict=True):
        print(f"  {label:<12} {a:6.2f} s  {b:6.2f} s  ratio {b / a:.2f}")
    print(f"  messages received: {len(stamps)} (expected {2 * args.articles}), {rate:.0f} a second")
    site.close()
    hook.close()


if __name__ == "__main__":
    main()
