"""`journal preview`: the file the updater would commit and the decision it would take,
with nothing written."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest
from conftest import PARAS, Cli, Site, article_html, figure, rss

from journal.extractor import EXTRACTOR

# shared/ beside the project (or beside the folder of its work trees)
CORPUS = next(
    (
        p / "shared/corpus/pages"
        for p in Path(__file__).resolve().parents[2:4]
        if (p / "shared/corpus").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared/corpus/pages",
)


def corpus_pages() -> dict[str, bytes]:
    """Every news page of the shared corpus (not Readability's expected output)."""
    pages: dict[str, bytes] = {}
    for path in sorted(CORPUS.rglob("*.html*")):
        if path.name == "expected.html":
            continue
        data = path.read_bytes()
        pages[str(path.relative_to(CORPUS))] = gzip.decompress(data) if path.suffix == ".gz" else data
    return pages


def head(cli: Cli) -> str:
    return subprocess.run(
        ["git", "-C", str(cli.archive), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def preview_then_update(site: Site, cli: Cli, pages: dict[str, bytes]) -> None:
    """Preview every page, then let the updater take them all from a feed: each file
    committed is the file preview printed, and each page preview turned down has no file."""
    urls = {
        name: site.put(f"/pages/{i}", body, Content_Type="text/html")
        for i, (name, body) in enumerate(pages.items())
    }
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": u} for u in urls.values()])))
    before = head(cli)
    previews = {name: cli.json("preview", url, "--source", "daily") for name, url in urls.items()}
    assert head(cli) == before  # preview writes nothing
    assert not (cli.archive / "daily").exists()

    summary = cli.json("update")
    decisions = [p["decision"] for p in previews.values()]
    assert summary["totals"]["new"] == decisions.count("new")
    assert summary["totals"]["skipped"] == decisions.count("not an article")
    for name, url in urls.items():
        shown = previews[name]
        if shown["decision"] == "new":
            committed = (cli.archive / cli.json("status", url)["path"]).read_text(encoding="utf-8")
            assert committed == shown["file"], name
        else:
            assert shown["file"] is None, name
            assert shown["reason"], name
            assert cli("status", url, ok=False).exit_code == 1, name  # no version of it


def test_preview_prints_what_the_updater_commits_for_every_corpus_page(site: Site, cli: Cli) -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside the project")
    pages = corpus_pages()
    assert len(pages) >= 30
    preview_then_update(site, cli, pages)


LINKS = '<p><a href="/a">DON\'T MISS: one story</a> <a href="/b">and another [VIDEO]</a></p>'
TABLE = "<table><tr><td>Team</td><td>Points</td></tr><tr><td>Harbour FC</td><td>12</td></tr></table>"


def test_preview_prints_what_the_updater_commits_for_generated_pages(site: Site, cli: Cli) -> None:
    photo = figure("Officials arrive for the talks on Friday.", "https://cdn.example.org/lead.jpg")
    pages = {
        "plain": article_html("Talks resume", PARAS),
        "captioned": article_html("Talks with a photo", PARAS, blocks={1: photo}),
        "links": article_html("Talks with promotions", PARAS, blocks={2: LINKS}),
        "table": article_html("Talks and a table", PARAS, blocks={4: TABLE}, byline=None, published=None),
        "short": article_html("Too short", ["Only a line of text here."]),
        "consent": article_html("Privacy settings", ["We use cookies. Accept all cookies to continue."]),
    }
    preview_then_update(site, cli, {k: v.encode() for k, v in pages.items()})


def test_preview_of_a_tracked_article_shows_the_diff_and_the_file_the_edit_commits(
    site: Site, cli: Cli
) -> None:
    url = site.put("/story", article_html("Story", PARAS))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    same = cli.json("preview", url)
    assert (same["decision"], same["reason"]) == ("no version", "the text is the same as the latest version")
    assert same["source"] == "daily"  # the article's own source
    assert same["version"] == 1

    edited = [*PARAS[:2], PARAS[2].replace("accidental encounters", "unplanned encounters"), *PARAS[3:]]
    site.put("/story", article_html("Story", edited))
    before = head(cli)
    shown = cli.json("preview", url)
    assert (shown["decision"], shown["summary"]) == ("edit", "1 paragraph edited")
    human = cli("preview", url).stdout
    assert "Decision: edit: 1 paragraph edited" in human
    assert "unplanned" in human and "accidental" in human  # the diff, both sides
    assert head(cli) == before
    cli("update", "--force")
    assert (cli.archive / cli.json("status", url)["path"]).read_text() == shown["file"]


def test_preview_of_a_saved_page_with_a_sources_rules(tmp_path: Path, cli: Cli) -> None:
    box = '<div class="promo"><p>Subscribe to the weekend edition for the full story and more.</p></div>'
    page = tmp_path / "page.html"
    page.write_text(article_html("Saved story", PARAS, blocks={2: box}), encoding="utf-8")
    toml = cli.archive / "journal.toml"
    toml.write_text(toml.read_text() + '\n[sources.daily]\nfeeds = []\ndrop = [".promo"]\n')
    plain = cli.json("preview", "--file", str(page))
    ruled = cli.json("preview", "https://daily.example.org/saved", "--file", str(page), "--source", "daily")
    assert "weekend edition" in plain["file"]
    assert plain["extractor"] == EXTRACTOR
    assert "weekend edition" not in ruled["file"]
    assert ruled["extractor"].startswith(EXTRACTOR + "; rules ")
    assert ruled["file"].startswith("---\nurl: https://daily.example.org/saved\nsource: daily\n")
    assert plain["file"].startswith("---\nsource: ")  # no address given: none in the file

    text = cli("preview", "--file", str(page), "--source", "daily").stdout
    assert text.startswith("---\n")
    assert "Decision: new article" in text


def test_preview_says_why_a_page_is_not_an_article(site: Site, cli: Cli) -> None:
    url = site.put("/short", article_html("A headline with nothing under it", [], byline=None))
    result = cli("preview", url)
    assert "Decision: not an article: no article text" in result.stdout
    assert "---" not in result.stdout  # no file
    gone = cli.json("preview", site.url("/missing"))
    assert (gone["decision"], gone["reason"]) == ("no version", "HTTP 404: the page is gone")


def test_preview_fetches_as_the_updater_does(site: Site, cli: Cli, tmp_path: Path) -> None:
    url = site.put("/private/story", article_html("Story", PARAS))
    site.put("/robots.txt", "User-agent: *\nDisallow: /private/\n", Content_Type="text/plain")
    result = cli("preview", url, ok=False)
    assert result.exit_code == 1
    assert "disallowed by robots.txt" in result.stderr
    assert site.hits("/private/story") == 0

    site.put("/story", article_html("Story", PARAS))
    cli.json("preview", site.url("/story"))
    agents = {headers.get("user-agent") for path, headers in site.requests if path == "/story"}
    assert agents == {"journal/0.1 (+https://example.org/contact)"}

    # Without an archive, the default settings apply: loopback is refused, with the way out.
    strict = Cli(tmp_path / "none")
    refused = strict("preview", site.url("/story"), ok=False)
    assert refused.exit_code == 1
    assert "private or loopback address" in refused.stderr
    assert "allow_private = true" in refused.stderr
    assert not (tmp_path / "none").exists()


def test_preview_needs_a_page(cli: Cli) -> None:
    result = cli("preview", ok=False)
    assert result.exit_code == 1
    assert "Give a URL to preview, or --file PAGE.html." in result.stderr
    unknown = cli("preview", "--file", "/nonexistent/page.html", ok=False)
    assert "Cannot read /nonexistent/page.html" in unknown.stderr
    assert "No source named" in cli("preview", "https://e.example/x", "--source", "nope", ok=False).stderr


def test_preview_weighs_the_whole_page_as_the_updater_does(site: Site, cli: Cli) -> None:
    """A redesign that glues a photo credit to the first paragraph changes what the
    extractor reads, not the article: preview says so, and the updater makes no version."""
    credit = "Photo: Jo Lens/AP"
    photo = f'<figure><img src="/a.jpg"><figcaption><span>{credit}</span></figcaption></figure>'
    url = site.put("/story", article_html("Story", PARAS, blocks={0: photo}))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    glued = f"<p>{PARAS[0]} <span>{credit}</span></p>"
    site.put("/story", article_html("Story", PARAS[1:], blocks={0: glued}))
    shown = cli.json("preview", url)
    assert shown["decision"] == "no version", shown["reason"]
    before = head(cli)
    cli("update", "--force")
    assert head(cli) == before
