"""A new extractor re-flows old text: that is a `reextract`, never an edit."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from conftest import PARAS, Cli, Site, article_html, figure, rss

from journal import captions, commits, document
from journal.archive import Archive, Identity, Writer
from journal.models import Change
from journal.pages import PageStore, StoredPage

OLD = "trafilatura 1.0.0; normalise 0"


def joined(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    return (paragraphs[0] + " " + paragraphs[1], *paragraphs[2:])


def without_captions(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in paragraphs if not captions.is_caption(p))


def as_if_an_old_extractor_made_it(
    cli: Cli, url: str, layout: Callable[[tuple[str, ...]], tuple[str, ...]] = joined
) -> None:
    """Commit the latest text the way an older extractor laid it out (by default, two
    paragraphs run together)."""
    status = cli.json("status", url)
    archive = Archive.open(cli.archive)
    path = status["path"]
    doc = document.parse((cli.archive / path).read_bytes())
    old = document.render(replace(doc, paragraphs=layout(doc.paragraphs)))
    message = commits.CommitMessage(
        source=doc.source, title=doc.title, url=doc.url, version=1, change=Change.REEXTRACT,
        fetched_at=datetime.now(UTC), summary="as an older extractor wrote it", extractor=OLD,
    )  # fmt: skip
    with Writer(archive, Identity()) as writer:
        writer.commit(message.render(), datetime.now(UTC), {path: old})
        writer.checkpoint()
    archive.git("read-tree", "-m", "-u", "HEAD~1", "HEAD")


def setup(site: Site, cli: Cli) -> str:
    url = site.put("/story", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    as_if_an_old_extractor_made_it(cli, url)
    return url


def test_reextract_commits_the_reflow_as_reextract(site: Site, cli: Cli) -> None:
    url = setup(site, cli)
    hits = site.hits("/story")
    summary = cli.json("reextract")
    assert summary["totals"]["reextracted"] == 1
    assert site.hits("/story") == hits  # re-extracted from the stored page, not refetched
    history = cli.json("history", url)["versions"]
    assert [(v["change"], v["version"]) for v in history] == [("new", 1), ("reextract", 1), ("reextract", 1)]
    assert cli.json("status", url)["versions"] == 1
    current = cli.archive / cli.json("status", url)["path"]
    assert document.parse(current.read_bytes()).paragraphs == tuple(PARAS)
    assert cli.json("reextract")["commits"] == 0  # nothing left to do


def test_update_keeps_reflow_and_edit_apart(site: Site, cli: Cli) -> None:
    url = setup(site, cli)
    edited = [*PARAS[:4], PARAS[4].replace("for months", "for many months"), PARAS[5]]
    site.put("/story", article_html("Story", edited))
    summary = cli.json("update", "--force")
    assert summary["totals"]["reextracted"] == 1
    assert summary["totals"]["changed"] == 1
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "reextract", "reextract", "edit"]
    edit = history[-1]
    assert edit["summary"] == "1 paragraph edited"
    assert edit["words"] == "+1 -0"
    assert edit["change_size"] == "minor"


def test_without_the_stored_page_same_words_are_a_reextract(site: Site, cli: Cli) -> None:
    url = setup(site, cli)
    for stored in (Archive.open(cli.archive).state_dir / "pages").rglob("*.gz"):
        stored.unlink()
    summary = cli.json("update", "--force")
    assert summary["totals"] == {**summary["totals"], "reextracted": 1, "changed": 0}
    assert [v["change"] for v in cli.json("history", url)["versions"]][-1] == "reextract"


def test_stored_pages_read_back_whether_kept_as_sent_or_compressed(tmp_path: Path) -> None:
    store = PageStore(tmp_path)
    body = "<html><body><p>Caf\u00e9 \u2014 the harbour reopens</p></body></html>".encode()
    store.save("ab12", "https://e.test/a\tb\nc", "text/html; charset=utf-8", body, gzip.compress(body))
    store.save("cd34", "https://e.test/d", None, body)
    kept = store.load("ab12")
    assert kept == StoredPage("https://e.test/a b c", "text/html; charset=utf-8", body)
    assert store.load("cd34") == StoredPage("https://e.test/d", None, body)
    assert store.load("ef56") is None


CAPTION = "![Officials arrive for the talks on Friday.](https://cdn.example.org/photos/lead.jpg)"


def with_a_photo(paras: list[str]) -> str:
    return article_html(
        "Story",
        paras,
        blocks={
            1: figure("Officials arrive for the talks on Friday.", "https://cdn.example.org/photos/lead.jpg")
        },
    )


def setup_before_captions(site: Site, cli: Cli) -> str:
    """An article whose latest version an extractor wrote that did not read captions."""
    url = site.put("/story", with_a_photo(PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    as_if_an_old_extractor_made_it(cli, url, without_captions)
    assert CAPTION not in (cli.archive / cli.json("status", url)["path"]).read_text()
    return url


def test_captions_read_after_an_upgrade_are_a_reextract_not_an_edit(site: Site, cli: Cli) -> None:
    url = setup_before_captions(site, cli)
    site.put(
        "/story", with_a_photo([*PARAS[:4], PARAS[4].replace("for months", "for many months"), PARAS[5]])
    )
    summary = cli.json("update", "--force")
    assert summary["totals"]["reextracted"] == 1
    assert summary["totals"]["changed"] == 1
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "reextract", "reextract", "edit"]
    assert history[-2]["summary"].endswith("1 caption added")
    assert history[-1]["summary"] == "1 paragraph edited"
    assert CAPTION in (cli.archive / cli.json("status", url)["path"]).read_text()


def test_without_the_stored_page_captions_join_as_a_reextract(site: Site, cli: Cli) -> None:
    url = setup_before_captions(site, cli)
    for stored in (Archive.open(cli.archive).state_dir / "pages").rglob("*.gz"):
        stored.unlink()
    summary = cli.json("update", "--force")
    assert summary["totals"] == {**summary["totals"], "reextracted": 1, "changed": 0}
    assert [v["change"] for v in cli.json("history", url)["versions"]] == ["new", "reextract", "reextract"]
    text = (cli.archive / cli.json("status", url)["path"]).read_text()
    assert text.index(PARAS[0]) < text.index(CAPTION) < text.index(PARAS[1])


def test_a_list_of_links_an_older_extractor_kept_goes_in_a_reextract(site: Site, cli: Cli) -> None:
    def page(*headlines: str) -> str:
        links = "<br>".join(f'<a href="/other/{i}">{h}</a>' for i, h in enumerate(headlines))
        return article_html("Story", PARAS, blocks={2: f"<p><strong>DON'T MISS</strong></p><p>{links}</p>"})

    url = site.put("/story", page("Minister resigns", "Storm warning"))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    as_if_an_old_extractor_made_it(
        cli, url, lambda p: (*p[:2], "DON'T MISS", "Minister resigns", "Storm warning", *p[2:])
    )
    site.put("/story", page("Budget passes", "Vote delayed"))  # the links rotated since
    summary = cli.json("update", "--force")
    assert summary["totals"] == {**summary["totals"], "reextracted": 1, "changed": 0}
    assert [v["change"] for v in cli.json("history", url)["versions"]] == ["new", "reextract", "reextract"]
    assert document.parse((cli.archive / cli.json("status", url)["path"]).read_bytes()).paragraphs == tuple(
        PARAS
    )


def test_a_short_page_an_older_extractor_glued_is_read_apart_in_a_reextract(site: Site, cli: Cli) -> None:
    text = "Acting Mayor Jo Smith announced key updates to the city's winter snow plan."
    page = (
        "<html><head><title>Snow plan updated</title></head><body><main><article>"
        "<h1>Officials add improvements to winter snow plan</h1>"
        "<div class='c1'>By Jane Doe <span>May 25, 2025 10:42 am</span></div>"
        f"<div class='c2'>{text}</div><div class='c3'><a href='#'>Share</a> <a href='#c'>Comments</a></div>"
        "</article></main></body></html>"
    )
    url = site.put("/story", page)
    cli("source", "add", "local", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    glued = f"Officials add improvements to winter snow plan By Jane Doe May 25, 2025 10:42 am {text} Share Comments"
    as_if_an_old_extractor_made_it(cli, url, lambda p: (glued,))
    site.put(
        "/story", page.replace("May 25, 2025 10:42 am", "Updated May 26, 2025 7:05 am")
    )  # re-dated since
    summary = cli.json("update", "--force")
    assert summary["totals"] == {**summary["totals"], "reextracted": 1, "changed": 0}
    assert [v["change"] for v in cli.json("history", url)["versions"]] == ["new", "reextract", "reextract"]
    assert document.parse((cli.archive / cli.json("status", url)["path"]).read_bytes()).paragraphs == (text,)
