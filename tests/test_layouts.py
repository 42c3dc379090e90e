"""The article's words and nothing else, whatever the layout: pages we generate with
random chrome, wrappers and class names, and the page shapes that lose text or bring
furniture in (a short page glued into one block, text after headings, boxes inside the
body, widgets, lines of links)."""

from __future__ import annotations

import random

import pytest
from conftest import PARAS, Cli, Site, article_html, rss
from layouts import Article, article, page

from journal.extract import extract
from journal.models import Extraction

URL = "https://news.example.org/2025/05/story"


def extracted(html: str) -> Extraction:
    found = extract(html, URL)
    assert isinstance(found, Extraction), found
    return found


@pytest.mark.parametrize("short", [False, True], ids=["articles", "short items"])
def test_the_article_is_read_whole_and_alone_in_any_layout(short: bool) -> None:
    for seed in range(150):
        rng = random.Random(seed)
        art = article(rng, short=short)
        found = extracted(page(rng, art))
        assert (found.title, found.paragraphs) == (art.title, art.paragraphs), f"seed {seed}"


def test_an_edit_in_any_layout_changes_that_paragraph_only() -> None:
    for seed in range(60):
        art = article(random.Random(seed), paragraphs=4)
        edited = Article(
            art.title, (*art.paragraphs[:2], art.paragraphs[2] + " Police said.", art.paragraphs[3])
        )
        before = extracted(page(random.Random(f"layout {seed}"), art)).paragraphs
        after = extracted(page(random.Random(f"another {seed}"), edited)).paragraphs
        assert [a == b for a, b in zip(before, after, strict=True)] == [True, True, False, True], (
            f"seed {seed}"
        )


GLUED = """<html><head><title>Snow plan updated | WGRZ</title>
<meta property="og:title" content="Buffalo adds improvements to its winter snow plan"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article>
<h1>Buffalo officials add improvements to winter snow plan</h1>
<div class="c1">By Jane Doe <span class="c2">May 25, 2025 10:42 am</span></div>
<div class="c3">Acting Mayor Christopher Scanlon and City of Buffalo DPW announced key updates to the city's
2024-2025 winter snow plan.</div>
<div class="c4"><a href="#">Share</a> <a href="#c">Comments</a></div>
</article></main><footer>(c) 2025</footer></body></html>"""


def test_a_short_page_glued_into_one_block_comes_apart_into_its_text() -> None:
    found = extracted(GLUED)
    assert found.title == "Buffalo officials add improvements to winter snow plan"
    assert found.paragraphs == (
        "Acting Mayor Christopher Scanlon and City of Buffalo DPW announced key updates to the city's "
        "2024-2025 winter snow plan.",
    )


def test_re_dating_a_short_page_makes_no_version(site: Site, cli: Cli) -> None:
    url = site.put("/story", GLUED)
    cli("source", "add", "local", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    for stamp in ("May 26, 2025 7:05 am", "Updated 3 hours ago", "2025-05-27T09:00:00Z"):
        site.put("/story", GLUED.replace("May 25, 2025 10:42 am", stamp))
        assert cli.json("update", "--force")["commits"] == 0
    site.put("/story", GLUED.replace("key updates", "five key updates"))
    cli("update", "--force")
    assert [v["change"] for v in cli.json("history", url)["versions"]] == ["new", "edit"]


def test_a_byline_box_of_labels_and_times_names_no_author() -> None:
    box = (
        "<div class='byline'><span>Published: <time>May 25, 2025 10:42 AM</time></span> "
        "<span>Updated: <time>May 26, 2025 8:01 AM</time></span></div>"
    )
    html = f"<html><head><title>Snow plan</title></head><body><article><h1>Snow plan</h1>{box}"
    html += "".join(f"<p>{p}</p>" for p in PARAS) + "</article></body></html>"
    assert extracted(html).byline is None


def test_text_after_a_heading_without_a_paragraph_element_is_read() -> None:
    items = "".join(
        f"<h2>{n}. The {w} pick</h2>The {w} pick is the one most readers asked about this year, for its price."
        for n, w in enumerate(("first", "second", "third"), 1)
    )
    lines = extracted(article_html("Best picks", PARAS[:2], blocks={2: items})).paragraphs
    for n, w in enumerate(("first", "second", "third"), 1):
        assert f"{n}. The {w} pick" in lines
        assert f"The {w} pick is the one most readers asked about this year, for its price." in lines


CORRECTION = "Correction: An earlier version of this article misstated the day of the council vote."


@pytest.mark.parametrize(
    "box",
    [
        f"<aside class='correction'><p>{CORRECTION}</p></aside>",
        f"<aside class='x9'><h4>Editor's note</h4><p>{CORRECTION}</p></aside>",
        f"<div class='sidebar-note'><p>{CORRECTION}</p></div>",
    ],
)
def test_a_prose_box_inside_the_body_is_read_at_its_place(box: str) -> None:
    lines = extracted(article_html("Story", PARAS, blocks={3: box})).paragraphs
    assert lines[3 : 4 + ("Editor" in box)][-1] == CORRECTION
    assert [p for p in lines if p in PARAS] == PARAS


@pytest.mark.parametrize(
    "box",
    [
        "<div class='k'><h3>Get the morning briefing</h3><p>The news you need, in your inbox every day.</p>"
        "<form><input type='email'><button>Sign up</button></form></div>",
        "<aside><h3>More stories</h3><ul><li><a href='/a'>Mayor opens the new bridge</a></li>"
        "<li><a href='/b'>Storm closes schools across the county</a></li></ul></aside>",
        "<div class='k'><a href='/a'>Also read: Mayor opens the new bridge over the river</a></div>",
        "<div class='k'><button>Share</button><button>Tweet</button> <a href='#c'>941 comments</a></div>",
        "<p><span>Updated</span> <time>10:42 am</time></p>",
        "<ul><li><time>12 April 2015</time></li><li>From the section <a href='/news/business'>Business</a></li></ul>",
        "<div class='k'><h3>More from the Herald</h3><div><a href='/a'><h4>Mayor opens the new bridge today</h4></a>"
        "<p>The bridge took four years to build.</p></div><div><a href='/b'><h4>Storm closes schools across the county</h4></a>"
        "<p>Schools will reopen on Monday, officials said.</p></div></div>",
    ],
    ids=[
        "newsletter",
        "related links",
        "promoted link",
        "share bar",
        "stamp",
        "section label",
        "stories with blurbs",
    ],
)
def test_boxes_that_are_not_the_article_stay_out(box: str) -> None:
    assert extracted(article_html("Story", PARAS, blocks={3: box})).paragraphs == tuple(PARAS)


def test_a_correction_box_edit_is_a_version(site: Site, cli: Cli) -> None:
    def story(note: str) -> str:
        return article_html("Story", PARAS, blocks={6: f"<aside class='note'><p>{note}</p></aside>"})

    url = site.put("/story", story(CORRECTION))
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    site.put("/story", story(CORRECTION.replace("day", "date")))
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "edit"]
    assert history[-1]["summary"] == "1 paragraph edited"
