"""The search index kept current: by the updater at each checkpoint, after a crash in
between, by readers after a pull or a merge of shards, by `journal reindex`; and what it
holds: a version's title and lines, captions as text, never front matter or markup."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import PARAS, Cli, Site, article_html, figure, make_archive, rss
from searching import T0, Event, Story, write

from journal import commits, search, services
from journal.archive import Archive, Identity, Writer
from journal.models import Change
from journal.query import parse
from journal.searchindex import SearchIndex

ALLEGEDLY = "The minister allegedly took the money, the prosecutor told the court on Monday."


def hits(cli: Cli, *args: str) -> list[tuple[str, int]]:
    return [(h["path"], h["version"]) for h in cli.json("search", *args)["hits"]]


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def test_removed_finds_text_present_in_a_version_and_gone_in_the_next(site: Site, cli: Cli) -> None:
    story = site.put("/story", article_html("Minister questioned", [*PARAS[:3], ALLEGEDLY]))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": story}])))
    cli("update")
    site.put(
        "/story", article_html("Minister questioned", [*PARAS[:2], PARAS[2] + " He denied it.", PARAS[3]])
    )
    cli("update", "--force")
    (path,) = {p for p, _ in hits(cli, "minister")}
    sid = cli.json("articles")[0]["id"]
    assert "allegedly" in cli("show", sid, "--version", "1").stdout
    assert "allegedly" not in cli("show", sid, "--version", "2").stdout
    assert hits(cli, "allegedly", "--removed") == [(path, 2)]
    assert hits(cli, "allegedly", "--added") == [(path, 1)]
    assert hits(cli, "allegedly") == [(path, 2), (path, 1)]
    assert hits(cli, "denied", "--added") == [(path, 2)]
    assert hits(cli, "denied", "--removed") == []
    assert hits(cli, '"the prosecutor told the court"', "--removed") == [(path, 2)]
    (hit,) = cli.json("search", "allegedly", "--removed")["hits"]
    assert (hit["previous"], hit["html"]) == (1, f"/articles/{sid}/diff/1/2")
    shown = cli("search", "allegedly", "--removed").stdout
    assert f"journal diff {sid} 1 2" in shown and "removed" in shown and "allegedly" in shown


CRASH = """
import os, signal, sys
from pathlib import Path
from journal.archive import Archive
from journal.searchindex import SearchIndex
from journal.update import Options, run

def crash(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # the branch has moved and the state is written

SearchIndex.catch_up = SearchIndex.add = crash
run(Archive.open(Path(sys.argv[1])), Options(force=True))
"""


def test_a_crash_between_checkpoint_and_index_update_is_caught_up(site: Site, cli: Cli) -> None:
    story = site.put("/story", article_html("Talks resume", PARAS[:3]))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": story}])))
    cli("update")
    archive = Archive.open(cli.archive)

    def indexed() -> bool:
        index = SearchIndex.open(archive.state_dir)
        try:
            return index.head == archive.head()
        finally:
            index.close()

    def crash_with(paragraph: str) -> None:
        site.put("/story", article_html("Talks resume", [*PARAS[:3], paragraph]))
        run = subprocess.run([sys.executable, "-c", CRASH, str(cli.archive)], capture_output=True)
        assert run.returncode == -signal.SIGKILL, run.stderr
        assert not indexed()  # committed and recorded in the state, not indexed

    crash_with("Delegates will meet again in Geneva next month.")
    cli("update")  # nothing is due: the updater catches the index up all the same
    assert indexed()
    assert [v for _, v in hits(cli, "Geneva", "--added")] == [2]

    crash_with("Delegates will meet again in Vienna next month.")
    assert [v for _, v in hits(cli, "Vienna", "--added")] == [3]  # a search catches up itself
    assert [v for _, v in hits(cli, "Geneva", "--removed")] == [3]


def _results(index: SearchIndex, typed: str, **kind: Any) -> list[tuple[str, int, float, tuple[str, ...]]]:
    found = search.search(index, parse(typed), search.Filters(**kind), per_page=500)
    return [(h.path, h.version, h.time.timestamp(), tuple(s.text for s in h.snippets)) for h in found.hits]


QUERIES = [
    ("obama", {}),
    ("court", {"added": True}),
    ('"report 1"', {"removed": True}),
    ('"obama gun"', {}),
    ("vote", {"title": True}),
]


def _edits(story: Story, rounds: range) -> list[tuple[Story, Event]]:
    plan = []
    for n in rounds:
        lines = (f"Obama gun law report {n} from {story.source}.", f"Court vote {n}.", "Police said nothing.")
        change = Change.NEW if n == rounds.start and not story.commits else Change.EDIT
        plan.append((story, Event(change, f"Vote {n} on gun law", lines, "minor")))
    return plan


def test_a_merged_shard_archive_searches_like_its_shards(tmp_path: Path) -> None:
    east, west = Story("alpha", "east-story"), Story("beta", "west-story")
    merged = make_archive(tmp_path / "merged").archive
    shards = {}
    for round_ in (range(3), range(3, 6)):
        for story, offset in ((east, 0), (west, 30)):
            root = tmp_path / story.source
            write(root, _edits(story, round_), start=T0 + offset + 60 * 10 * round_.start)
            git(root, "reset", "-q", "--hard")
            shards[story.source] = root
        for root in shards.values():
            git(merged, "-c", "user.name=m", "-c", "user.email=m@localhost", "pull", "-q", "--no-rebase",
                "--no-edit", "--allow-unrelated-histories", "-X", "ours", str(root), "main")  # fmt: skip
        index = SearchIndex.open(Archive.open(merged).state_dir)
        index.catch_up(Archive.open(merged))  # the second round walks the merges' new commits
        for typed, kind in QUERIES:
            theirs = []
            for root in shards.values():
                shard = SearchIndex.open(Archive.open(root).state_dir)
                shard.catch_up(Archive.open(root))
                theirs += _results(shard, typed, **kind)
                shard.close()
            assert _results(index, typed, **kind) == sorted(theirs, key=lambda r: r[2], reverse=True), typed
            assert len(theirs) > 0, typed
        index.close()
    rebuilt = SearchIndex.open(Archive.open(merged).state_dir)
    before = [_results(rebuilt, typed, **kind) for typed, kind in QUERIES]
    rebuilt.rebuild(Archive.open(merged))
    assert [_results(rebuilt, typed, **kind) for typed, kind in QUERIES] == before
    rebuilt.close()


def test_rewritten_history_rebuilds_the_index(tmp_path: Path) -> None:
    story = Story("alpha", "story")
    root = tmp_path / "archive"
    archive = write(root, _edits(story, range(4)))
    index = SearchIndex.open(archive.state_dir)
    index.catch_up(archive)
    assert [v for _, v, _, _ in _results(index, '"report 3"')] == [4]
    git(root, "reset", "-q", "--hard", "HEAD~2")  # versions 3 and 4 are gone from history
    story.versions = 2
    write(
        root,
        [(story, Event(Change.EDIT, "Vote again", ("Obama spoke in Zurich.",), "major"))],
        start=T0 + 3600,
    )
    index.catch_up(Archive.open(root))
    assert _results(index, '"report 3"') == []
    assert [v for _, v, _, _ in _results(index, "zurich")] == [3]
    assert [v for _, v, _, _ in _results(index, '"report 1"', removed=True)] == [3]
    index.close()


def test_front_matter_and_markup_are_never_searched(site: Site, cli: Cli) -> None:
    photo = "https://cdn.example.org/zebra-crossing/photo.jpg"
    page = article_html(
        "Harbour reopens",
        ["Ships returned to the harbour on Tuesday after the storm passed.", *PARAS[:3]],
        byline="Quentin Ravensworth",
        published="2026-11-02T09:30:00Z",
        blocks={1: figure("Cranes unload the first container ship", photo)},
    )
    story = site.put("/harbour-kestrel", page)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": story}])))
    cli("update")
    text = git(cli.archive, "show", f"HEAD:{cli.json('articles')[0]['path']}")
    assert "Quentin Ravensworth" in text and "kestrel" in text and "zebra-crossing" in text  # all in the file
    assert hits(cli, "cranes unload")  # a caption is searched as its text
    assert hits(cli, "harbour")
    for typed in ("Ravensworth", "Quentin", "kestrel", "zebra", "crossing", "cdn", "jpg", "https", "example",
                  "url", "source", "byline", "published", "daily", "127", "2026", "Caption"):  # fmt: skip
        assert hits(cli, typed) == [], typed
    result = cli("search", "--", "---", ok=False)
    assert result.exit_code == 1 and "Nothing to search for" in result.stderr
    (hit,) = cli.json("search", "cranes")["hits"]
    assert all("![" not in s["text"] and "](" not in s["text"] for s in hit["snippets"])


def test_a_reextract_writes_and_takes_out_nothing(tmp_path: Path) -> None:
    story = Story("alpha", "story")
    first = ("Obama met the council.", "The vote was close.")
    plan = [
        (story, Event(Change.NEW, "Council vote", first)),
        (story, Event(Change.REEXTRACT, "Council vote", ("Obama met the council. The vote was close.", "Zurich report."))),
        (story, Event(Change.EDIT, "Council vote", ("Obama met the council. The vote was close.", "Zurich report.", "Court later."), "minor")),
    ]  # fmt: skip
    archive = write(tmp_path / "archive", plan)
    index = SearchIndex.open(archive.state_dir)
    index.catch_up(archive)
    assert _results(index, "zurich", added=True) == []  # the re-extraction's words were not written
    assert _results(index, "close", removed=True) == []  # nor were the lines it re-flowed taken out
    assert [v for _, v, _, _ in _results(index, "court", added=True)] == [2]
    assert [v for _, v, _, _ in _results(index, "zurich")] == [2]  # what the article says now
    index.close()


def test_reindex_rebuilds_and_a_fresh_clone_builds_the_index_once(
    site: Site, cli: Cli, tmp_path: Path
) -> None:
    story = site.put("/story", article_html("Talks resume", PARAS[:3]))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": story}])))
    cli("update")
    expected = hits(cli, "corridors OR officials")
    assert expected
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(cli.archive), str(clone)], check=True)
    copy = Cli(clone)
    first = copy("search", "corridors OR officials")
    assert "Building the search index" in first.stderr
    assert "Building the search index" not in copy("search", "officials").stderr
    assert hits(copy, "corridors OR officials") == expected
    index = SearchIndex.open(Archive.open(clone).state_dir)
    index.db.execute("DELETE FROM versions")  # damage it: reindex must not trust it
    index.close()
    copy("reindex")
    assert hits(copy, "corridors OR officials") == expected


def test_terminal_output_is_inert_and_json_is_plain(tmp_path: Path) -> None:
    archive = write(tmp_path / "archive", [])
    hostile = (
        "---\nurl: https://example.org/x\nsource: alpha\n---\n# Obama \x1b[31mred\n\n"
        "Obama \x1b]0;pwned\x07 says \x1b[2J\u202egnp.exe hello \x02 \x03 marks\n"
    ).encode()  # a file written by hand: journal's own writer never lets these through
    message = commits.CommitMessage(source="alpha", title="Obama", url="https://example.org/x", version=1,
                                    change=Change.NEW, fetched_at=datetime.fromtimestamp(T0, UTC))  # fmt: skip
    with Writer(archive, Identity()) as writer:
        writer.commit(message.render(), datetime.fromtimestamp(T0, UTC), {"alpha/2026/11/x.md": hostile})
    cli = Cli(archive.root)
    out = cli("search", "obama").stdout
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", out), repr(out)
    assert "says" in out and "hello" in out and "marks" in out
    data = cli.json("search", "obama")
    texts = [s["text"] for s in data["hits"][0]["snippets"]]
    assert texts and all("\x02" not in t and "\x03" not in t for t in texts)
    marked = [t[a:b] for s in data["hits"][0]["snippets"] for t in [s["text"]] for a, b in s["marks"]]
    assert set(marked) == {"Obama"}  # the marks are the index's own: none forged by the text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-x"], "No such option"),
        (["--", "-trump"], "at least one word to find"),
        (["obama", "--since", "last week"], "is not a date"),
        (["obama", "--min-size", "huge"], "must be one of typo, minor, major"),
        (["obama", "--source", "nosuch"], 'No version in this archive comes from a source named "nosuch"'),
        (["obama", "--page", "41"], "Results stop at page 40"),
    ],
)
def test_bad_searches_are_one_line_and_exit_nonzero(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path / "archive", _edits(Story("alpha", "story"), range(2)))
    cli = Cli(tmp_path / "archive")
    assert "Building the search index" in cli("search", "obama").stderr  # once, before any error
    result = cli("search", *args, ok=False)
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert len(result.stderr.strip().splitlines()) == 1


def test_search_reads_no_git_to_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = Story("alpha", "story")
    archive = write(tmp_path / "archive", _edits(story, range(3)))
    index = SearchIndex.open(archive.state_dir)
    index.catch_up(archive)

    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError("git was read to answer a search")

    for name in ("log", "read_blobs", "read_blob", "read", "git", "head"):
        monkeypatch.setattr(Archive, name, no_git)
    monkeypatch.setattr(subprocess, "Popen", no_git)
    assert [v for _, v, _, _ in _results(index, "obama")] == [3, 2, 1]
    index.close()


def test_reindex_builds_the_same_index_from_its_own_walk_of_history(tmp_path: Path) -> None:
    east, west = Story("alpha", "east"), Story("beta", "west")
    plan = [*_edits(east, range(3)), *_edits(west, range(2))]
    plan += [(east, Event(Change.REMOVED)), (west, Event(Change.REEXTRACT, "Vote 1 on gun law", ("Obama.",)))]
    plan += [(east, Event(Change.RESTORED, "Back", ("Obama gun law report 2 from alpha.", "New."), "minor"))]
    archive = write(tmp_path / "archive", plan)
    index = SearchIndex.open(archive.state_dir)
    index.catch_up(archive)  # its own walk, in steps
    caught = [
        index.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("version_texts", "versions")
    ]
    index.close()
    services.reindex(archive, lambda _: None)  # fed by the state's walk
    index = SearchIndex.open(archive.state_dir)
    rebuilt = [
        index.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("version_texts", "versions")
    ]
    index.db.execute("INSERT INTO changes (changes, rank) VALUES ('integrity-check', 1)")
    assert rebuilt == caught and len(caught[0]) == 6  # five versions and the return
    assert index.head == archive.head()
    index.close()


def _torn(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bad_header(data: bytes) -> bytes:
    return b"this is no database!" + data[20:]


def _garbage(data: bytes) -> bytes:
    middle = len(data) // 2 // 4096 * 4096
    return data[:middle] + bytes(range(256)) * 32 + data[middle + 8192 :]


@pytest.mark.parametrize("how", [_torn, _bad_header, _garbage], ids=["torn", "bad header", "garbage"])
@pytest.mark.parametrize("command", ["search", "update"])
def test_a_damaged_index_is_set_aside_and_built_again(site: Site, cli: Cli, how: Any, command: str) -> None:
    """The index is derived from git: a damaged file costs a rebuild, never a search's
    answer or an update's versions."""
    links = [
        site.put(f"/story/{i}", article_html(f"Story {i}", [*PARAS, f"Fact {i}. {ALLEGEDLY}"]))
        for i in range(20)
    ]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    cli("update")
    before = hits(cli, "allegedly")
    assert len(before) == 20
    path = cli.archive / ".git" / "journal" / "search.sqlite"
    assert not path.with_name("search.sqlite-wal").exists()  # every connection closed: all in the file
    damaged = how(path.read_bytes())
    path.write_bytes(damaged)
    if command == "update":
        site.put("/story/0", article_html("Story 0", [*PARAS, "Fact 0. The prosecutor withdrew it."]))
        result = cli("update", "--force")
        assert result.exit_code == 0
    else:
        result = cli("search", "allegedly")
    assert "search index" in result.stderr and "was damaged" in result.stderr, result.stderr
    aside = [p for p in path.parent.glob("search.sqlite.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert [p.read_bytes() for p in aside] == [damaged]
    if command == "update":
        (story,) = {p for p, v in before if p.endswith("story-0.md")}
        assert hits(cli, "allegedly", "--removed") == [(story, 2)]
        assert hits(cli, "withdrew", "--added") == [(story, 2)]
        assert sorted(hits(cli, "allegedly")) == sorted([*before, (story, 2)])
    else:
        assert hits(cli, "allegedly") == before
    assert "was damaged" not in cli("search", "allegedly").stderr  # once only


def test_the_updater_indexes_what_a_rebuild_from_git_would(site: Site, cli: Cli) -> None:
    """The updater indexes each checkpoint from the versions in hand; the index is the
    one git history gives, row for row."""
    links = [
        site.put(f"/story/{i}", article_html(f"Story {i}", [*PARAS[:3], f"{ALLEGEDLY} ({i})"]))
        for i in range(4)
    ]
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": link} for link in links])))
    cli("update")
    site.put("/story/0", article_html("Story 0, rewritten", [*PARAS[:2], "He denied it.", PARAS[3]]))
    site.put("/story/1", article_html("Story 1", [*PARAS[:3], f"{ALLEGEDLY} (1)", "A new line."]))
    del site.pages["/story/2"]
    cli("update", "--force")
    archive = Archive.open(cli.archive)
    tables = ("version_texts", "versions", "articles")

    def rows(index: SearchIndex) -> list[list[Any]]:
        return [index.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables]

    index = SearchIndex.open(archive.state_dir)
    assert index.head == archive.head()
    kept = rows(index)
    index.rebuild(archive)
    assert rows(index) == kept
    assert [len(t) for t in kept][:2] == [6, 6]  # four new, two edits (a removal leaves the text searchable)
    index.close()
