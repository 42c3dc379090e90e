"""Every real edit, no false versions: each rule that tells the newsroom's edits from
changes in how a page is laid out or read, pinned with the team's own fixtures."""

from __future__ import annotations

from conftest import PARAS, Cli, Site, article_html, figure, rss

from journal.extract import extract
from journal.models import Extraction

URL = "https://news.example.org/2026/11/story"


def setup(site: Site, cli: Cli, html: str) -> str:
    url = site.put("/story", html)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": url}])))
    cli("update")
    return url


def changes(cli: Cli, url: str) -> list[str]:
    return [v["change"] for v in cli.json("history", url)["versions"]]


def test_merged_paragraphs_with_the_same_words_are_a_reextract(site: Site, cli: Cli) -> None:
    url = setup(site, cli, article_html("Story", PARAS))
    merged = [PARAS[0] + " " + PARAS[1], *PARAS[2:]]
    site.put("/story", article_html("Story", merged))
    summary = cli.json("update", "--force")
    assert summary["totals"]["changed"] == 0
    assert changes(cli, url) == ["new", "reextract"]
    assert cli.json("status", url)["versions"] == 1
    text = (cli.archive / cli.json("status", url)["path"]).read_text()
    assert text.count(PARAS[0]) == 1  # the merged paragraph, not the old one as well


def test_text_the_extractor_picks_up_now_is_not_an_addition(site: Site, cli: Cli) -> None:
    """A redesign brings a paragraph that was on the page all along (in a block the
    extractor dropped) into the article: a reextract, then only the real edit."""
    hidden = article_html("Story", PARAS).replace(
        f"<p>{PARAS[0]}</p>",
        f"<div class='teaser-content'><p>{PARAS[0]}</p><a href='/story/full'>Read the full story</a></div>",
    )
    url = setup(site, cli, hidden)
    assert PARAS[0] not in (cli.archive / cli.json("status", url)["path"]).read_text()
    redesigned = article_html("Story", [*PARAS[:5], PARAS[5].replace("every level", "the highest level")])
    site.put("/story", redesigned)
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "reextract", "edit"]
    assert history[-1]["summary"] == "1 paragraph edited"
    assert PARAS[0] in (cli.archive / cli.json("status", url)["path"]).read_text()


def test_a_stamp_only_change_is_not_a_version(site: Site, cli: Cli) -> None:
    stamped = [*PARAS[:3], "Updated Nov. 19, 2026 at 1:23 p.m. EST", *PARAS[3:]]
    url = setup(site, cli, article_html("Story", stamped))
    stamped[3] = "Updated Nov. 20, 2026 at 9:05 a.m. EST"
    site.put("/story", article_html("Story", stamped))
    assert cli.json("update", "--force")["totals"]["unchanged"] == 1
    assert changes(cli, url) == ["new"]


def test_date_churn_in_the_feed_and_page_makes_no_version(site: Site, cli: Cli) -> None:
    url = setup(site, cli, article_html("Story", PARAS, published="2026-11-02T09:30:00Z"))
    site.put("/story", article_html("Story", PARAS, published="2026-11-03T10:00:00Z"))
    assert cli.json("update", "--force")["commits"] == 0
    assert changes(cli, url) == ["new"]


def extracted(html: str) -> Extraction:
    found = extract(html, URL)
    assert isinstance(found, Extraction), found
    return found


def promoted(*headlines: str) -> str:
    """A "DON'T MISS" block of links to other stories, set among the paragraphs."""
    links = "<br>".join(
        f'<a href="/other/{i}">{h}</a> [<strong>VIDEO</strong>]' for i, h in enumerate(headlines)
    )
    return f"<p><strong>DON'T MISS</strong></p><p>{links}</p>"


def with_card(*headlines: str) -> str:
    """A sentence naming a person whose card of latest stories is set inside it."""
    stories = " ".join(f'<a class="people-articles" href="/s/{i}">{h}</a>' for i, h in enumerate(headlines))
    card = (
        f'<span class="rollover-block"><span><img src="/p.jpg" alt=""><a href="/people/ada">Ada Lovelace</a>'
        f'{stories} <a class="more" href="/people/ada">MORE</a></span></span>'
    )
    return (
        f'<p>The budget was questioned by Rep. <span class="rollover"><a href="/people/ada">Ada Lovelace</a>'
        f"{card}</span> (D-Calif.), who <a href='/vote'>voted</a> against it on Tuesday.</p>"
    )


SENTENCE = "The budget was questioned by Rep. Ada Lovelace (D-Calif.), who voted against it on Tuesday."


def test_lists_and_cards_of_links_among_the_paragraphs_are_not_the_article() -> None:
    inline = (
        "<p>Shares of <a href='/a'>Acme</a>, <a href='/b'>Globex</a> and <a href='/c'>Initech</a> fell.</p>"
    )
    html = article_html(
        "Story",
        PARAS,
        blocks={
            2: promoted("Minister resigns", "Storm warning for the coast"),
            3: with_card("Old news", "More"),
            4: inline,
        },
    )
    paras = extracted(html).paragraphs
    assert paras == (
        *PARAS[:2],
        PARAS[2],
        SENTENCE,
        PARAS[3],
        "Shares of Acme, Globex and Initech fell.",
        *PARAS[4:],
    )


def test_rotating_links_among_the_paragraphs_make_no_version(site: Site, cli: Cli) -> None:
    def page(paras: list[str], *headlines: str) -> str:
        return article_html(
            "Story", paras, blocks={2: promoted(*headlines[:2]), 4: with_card(*headlines[2:])}
        )

    url = setup(site, cli, page(PARAS, "A", "B c d", "E f g", "H i j"))
    site.put(
        "/story", page(PARAS, "Minister resigns", "Storm warning", "Budget passes", "Vote delayed", "Recount")
    )
    assert cli.json("update", "--force")["commits"] == 0
    edited = [*PARAS[:5], PARAS[5].replace("every level", "the highest level")]
    site.put("/story", page(edited, "Later story", "Another one", "Third", "Fourth", "Fifth"))
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "edit"]
    assert history[-1]["summary"] == "1 paragraph edited"


def test_site_name_is_taken_off_the_title() -> None:
    html = article_html("Obama admits gun laws frustrate him - BBC News", PARAS).replace(
        "</head>", '<meta property="og:site_name" content="BBC News"></head>'
    )
    assert extracted(html).title == "Obama admits gun laws frustrate him"


def test_byline_from_the_page_and_no_guessed_user_interface_words() -> None:
    html = article_html("Story", PARAS, byline=None).replace(
        "<article>", "<article><p class='byline'>By <span itemprop='author'>Erin Cunningham</span></p>"
    )
    assert extracted(html).byline == "Erin Cunningham"
    nav = article_html("Story", PARAS, byline=None).replace(
        "<nav>", "<nav><span class='username'>Username</span>"
    )
    assert extracted(nav).byline is None


def test_standfirst_marked_as_description_is_the_first_paragraph() -> None:
    dek = "The talks were the first between the two defence chiefs in more than a year."
    html = article_html("Story", PARAS).replace(
        "<h1>Story</h1>", f"<h1>Story</h1><h2 itemprop='description'>{dek}</h2>"
    )
    assert extracted(html).paragraphs[0] == dek


def test_a_short_report_that_mentions_an_error_is_still_an_article() -> None:
    report = [
        "The launch was delayed on Tuesday after engineers said something went wrong with a valve in the second stage.",
        "Officials said the fault would take at least a week to repair, and the crew was never in danger.",
        "The agency will announce a new launch date once the investigation is complete, a spokesperson said.",
    ]
    assert extracted(article_html("Launch delayed", report)).paragraphs == tuple(report)


def test_a_short_page_keeps_its_paragraphs() -> None:
    short = PARAS[:2]
    found = extracted(article_html("Brief", short, byline=None))
    assert found.paragraphs == tuple(short)


def test_paywall_stub_is_refused_even_when_glued() -> None:
    html = article_html(
        "Talks held", [PARAS[0], "Subscribe to continue reading. Already a subscriber? Log in."]
    )
    assert not isinstance(extract(html, URL), Extraction)


# -- photo captions ---------------------------------------------------------------------------

LEAD = "https://cdn.example.org/photos/lead.jpg"
LEAD_LINE = "![Officials arrive for the talks on Friday.](https://cdn.example.org/photos/lead.jpg)"


def captioned(
    caption: str = "Officials arrive for the talks on Friday.",
    src: str | None = LEAD,
    paras: list[str] = PARAS,
) -> str:
    return article_html("Story", paras, blocks={1: figure(caption, src)})


def text_of(cli: Cli, url: str) -> str:
    return (cli.archive / cli.json("status", url)["path"]).read_text()


def test_a_caption_edit_under_the_same_photo_is_an_edit(site: Site, cli: Cli) -> None:
    url = setup(site, cli, captioned())
    assert LEAD_LINE in text_of(cli, url)
    # The same photo at another size (another query string) with its caption corrected.
    site.put("/story", captioned("Officials arrived for the talks on Friday.", LEAD + "?width=1200"))
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "edit"]
    assert history[-1]["summary"] == "1 caption edited"
    assert history[-1]["change_size"] == "typo"
    assert (
        "![Officials arrived for the talks on Friday.](https://cdn.example.org/photos/lead.jpg)"
        in text_of(cli, url)
    )


def test_a_new_photo_with_a_new_caption_is_not_a_version(site: Site, cli: Cli) -> None:
    url = setup(site, cli, captioned())
    site.put(
        "/story", captioned("Protesters gather outside the ministry.", "https://cdn.example.org/other.jpg")
    )
    assert cli.json("update", "--force")["commits"] == 0
    site.put(
        "/story", captioned("Officials arrived for the talks.", "https://images.example.net/photos/lead.jpg")
    )
    assert cli.json("update", "--force")["commits"] == 0  # the same photo moved to another CDN
    assert changes(cli, url) == ["new"]


def test_a_caption_that_comes_or_goes_alone_is_not_a_version(site: Site, cli: Cli) -> None:
    url = setup(site, cli, article_html("Story", PARAS))
    site.put("/story", captioned())
    assert cli.json("update", "--force")["commits"] == 0
    assert "![" not in text_of(cli, url)

    other = site.put("/other", captioned())
    cli("track", other, "--source", "daily")
    cli("update")
    for page in (article_html("Story", PARAS), captioned("", LEAD), captioned("A video of the talks.", None)):
        site.put("/other", page)
        assert cli.json("update", "--force")["commits"] == 0
    assert changes(cli, other) == ["new"]
    assert LEAD_LINE in text_of(cli, other)


def test_an_edit_during_a_redesign_keeps_the_old_caption(site: Site, cli: Cli) -> None:
    url = setup(site, cli, captioned())
    edited = [*PARAS[:4], PARAS[4].replace("for months", "for many months"), PARAS[5]]
    redesign = article_html(
        "Story",
        edited,
        blocks={
            0: figure(
                "Watch: the ministers speak after the talks.", "https://video.example.org/p1.jpg", video=True
            ),
            3: figure("Watch: what the talks mean for the region.", None),
        },
    )
    site.put("/story", redesign)
    cli("update", "--force")
    history = cli.json("history", url)["versions"]
    assert [v["change"] for v in history] == ["new", "edit"]
    assert history[-1]["summary"] == "1 paragraph edited"
    text = text_of(cli, url)
    assert "for many months" in text
    assert LEAD_LINE in text
    assert "Watch:" not in text
    assert text.index(PARAS[0]) < text.index(LEAD_LINE) < text.index(PARAS[1])
