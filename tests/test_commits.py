"""Commit messages: subject for people, trailers for programs, nothing forgeable."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

from journal import commits, document
from journal.archive import Archive, Identity, Writer
from journal.models import ArticleText, Change

WHEN = datetime(2015, 9, 18, 10, 37, tzinfo=UTC)


def message(title: str, url: str = "https://example.org/a") -> commits.CommitMessage:
    return commits.CommitMessage(
        source="bbc", title=title, url=url, version=2, change=Change.EDIT, fetched_at=WHEN,
        summary="title changed", change_size="minor", words="+3 -1", extractor="trafilatura 2.3.1; normalise 1",
    )  # fmt: skip


def test_message_round_trips() -> None:
    subject, summary, trailers = commits.parse(message("Syria crisis").render())
    assert subject == "bbc: Syria crisis"
    assert summary == "title changed"
    assert trailers == {
        "Url": "https://example.org/a",
        "Source": "bbc",
        "Version": "2",
        "Change": "edit",
        "Change-Size": "minor",
        "Words": "+3 -1",
        "Fetched-At": "2015-09-18T10:37:00Z",
        "Extractor": "trafilatura 2.3.1; normalise 1",
    }


def test_title_cannot_forge_trailers_or_paragraphs(tmp_path: Path) -> None:
    hostile = "Real title\n\nUrl: https://evil.example/\nVersion: 99\r\nChange: removed\x00\x1b[31m"
    archive = Archive.create(tmp_path / "a", "", Identity(), WHEN)
    with Writer(archive, Identity()) as writer:
        writer.commit(
            message(hostile, url="https://example.org/a\nVersion: 7").render(),
            WHEN,
            {"x/2015/09/a.md": b"x\n"},
        )
        writer.checkpoint()

    def log(fmt: str) -> str:
        return subprocess.run(
            ["git", "-C", str(archive.root), "log", "-1", f"--format={fmt}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert log("%(trailers:key=Version,valueonly)") == "2"
    assert log("%(trailers:key=Change,valueonly)") == "edit"
    assert log("%(trailers:key=Url,valueonly)") == "https://example.org/a Version: 7"
    assert log("%s") == "bbc: Real title Url: https://evil.example/ Version: 99 Change: removed [31m"
    assert "\x1b" not in log("%B")


def test_document_round_trips_and_is_deterministic() -> None:
    doc = ArticleText(
        url="https://example.org/a", source="bbc", title="T: with colon",
        paragraphs=("One.", "Two: two.", "# not a heading"), published="2015-09-18T10:02:00Z", byline="A B",
    )  # fmt: skip
    data = document.render(doc)
    assert document.render(doc) == data
    assert document.parse(data) == doc


def test_document_values_cannot_break_the_front_matter() -> None:
    doc = ArticleText(
        url="https://x.org/a", source="s", title="a\n---\nurl: evil", paragraphs=("p\n\nq",), byline="x\ny"
    )
    back = document.parse(document.render(doc))
    assert back.url == "https://x.org/a"
    assert back.title == "a --- url: evil"
    assert back.byline == "x y"
    assert back.paragraphs == ("p q",)


def test_checkpoint_after_thousands_of_queued_commits(tmp_path: Path) -> None:
    """Asking fast-import for many commit ids must not fill both pipes and hang."""
    queued = 20_000  # answers overflow one pipe while the questions overflow the other
    archive = Archive.create(tmp_path / "a", "", Identity(), WHEN)
    writer = Writer(archive, Identity())
    for n in range(queued):
        writer.commit(f"x: {n}\n", WHEN, {f"x/2015/09/a{n % 7}.md": f"{n}\n".encode()})
    done = threading.Thread(target=writer.checkpoint, daemon=True)
    done.start()
    done.join(timeout=120)
    if done.is_alive():
        assert writer._proc is not None
        writer._proc.kill()  # unblocks the stuck thread
        raise AssertionError("checkpoint hung")
    writer.close()
    assert len(writer.written) == queued and len(set(writer.written)) == queued
    assert writer.written[-1] == archive.head()
    count = subprocess.run(
        ["git", "-C", str(archive.root), "rev-list", "--count", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert int(count) == queued + 1  # and the init commit
