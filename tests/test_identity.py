"""Identity follows the feed: a known guid under a new link is the same article at a new
address, and an address the article left answering 404 is not a removal."""

from __future__ import annotations

from conftest import PARAS, Cli, Site, article_html, rss

from journal import update
from journal.archive import Archive

T0 = 1_800_000_000.0  # 2027-01-15, a fixed clock
HOUR = 3600.0


def run(cli: Cli, at: float) -> update.Summary:
    return update.run(Archive.open(cli.archive), update.Options(), clock=lambda: at)


def changes(cli: Cli, url: str) -> list[str]:
    return [v["change"] for v in cli.json("history", url)["versions"]]


def test_a_known_guid_under_a_new_link_moves_the_article_with_its_history(site: Site, cli: Cli) -> None:
    old = site.put("/news/local/storm-warning/71-1", article_html("Storm warning", PARAS))
    cli("source", "add", "tv", site.put("/feed.xml", rss([{"link": old, "guid": "71-1"}])))
    run(cli, T0)
    path = cli.json("status", old)["path"]
    # The story's section changed: a new link for the same guid; the old one is gone.
    new = site.put("/news/weather/storm-warning/71-1", article_html("Storm warning issued", PARAS))
    site.put("/news/local/storm-warning/71-1", "not found", status=404)
    site.put("/feed.xml", rss([{"link": new, "guid": "71-1"}]))
    summary = run(cli, T0 + HOUR)  # checked at once at its new address, not after the backoff
    assert summary.totals()["removed"] == 0
    assert summary.totals()["changed"] == 1
    assert changes(cli, new) == ["new", "edit"]
    assert cli.json("status", new)["path"] == cli.json("status", old)["path"] == path
    assert len(cli.json("articles")) == 1
    assert "url: " + new in (cli.archive / path).read_text()
    # Later edits are followed at the new address.
    edited = [*PARAS[:5], PARAS[5].replace("every level", "the highest level")]
    site.put("/news/weather/storm-warning/71-1", article_html("Storm warning issued", edited))
    run(cli, T0 + 3 * HOUR)
    assert changes(cli, new) == ["new", "edit", "edit"]


def test_a_404_where_the_article_no_longer_lives_is_not_a_removal(site: Site, cli: Cli) -> None:
    """The feed's link redirects to the article; the site moves the article and the link
    redirects to the new place. The address journal fetches directly now answers 404."""
    first = site.put("/2027/01/story-slug", article_html("Story", PARAS))
    site.put("/go/42", "", status=301, Location=first)
    cli("source", "add", "daily", site.put("/feed.xml", rss([{"link": site.url("/go/42"), "guid": "42"}])))
    run(cli, T0)
    moved = site.put("/2027/01/story-new-slug", article_html("Story", PARAS[:5]))
    site.put("/2027/01/story-slug", "not found", status=404)
    site.put("/go/42", "", status=301, Location=moved)
    summary = run(cli, T0 + HOUR)
    assert summary.totals()["removed"] == 0
    assert changes(cli, moved) == ["new", "edit"]
    # Gone from every address: that is a removal.
    site.put("/2027/01/story-new-slug", "not found", status=404)
    site.put("/go/42", "not found", status=404)
    assert run(cli, T0 + 3 * HOUR).totals()["removed"] == 1
    assert changes(cli, moved) == ["new", "edit", "removed"]


def test_a_guid_reused_for_a_daily_item_is_one_article_whose_changes_are_edits(site: Site, cli: Cli) -> None:
    url = site.url("/weather/forecast")
    days = [
        ("Lake effect snow tonight", "Heavy lake effect snow is expected south of the city tonight, with up to a foot in the hills."),
        ("Sunny and cold on Tuesday", "Skies clear on Tuesday, with highs in the twenties and a sharp wind off the lake through the day."),
    ]  # fmt: skip
    cli("source", "add", "tv", site.put("/feed.xml", rss([{"link": url, "guid": "forecast"}])))
    for n, (title, lead) in enumerate(days):
        site.put("/weather/forecast", article_html(title, [lead, *PARAS[:2]]))
        run(cli, T0 + n * 24 * HOUR)
    assert changes(cli, url) == ["new", "edit"]
    assert cli.json("history", url)["versions"][-1]["summary"].startswith("title changed")


def test_an_item_the_feed_shows_changed_is_checked_before_its_wait_is_over(site: Site, cli: Cli) -> None:
    url = site.put("/story", article_html("Storm warning", PARAS))
    feed = site.put("/feed.xml", rss([{"link": url, "guid": "s1", "title": "Storm warning"}]))
    cli("source", "add", "tv", feed)
    minute = 60.0
    for at in (0, 30, 66):  # new, then unchanged twice: the next check is due at 109 minutes
        run(cli, T0 + at * minute)
    hits = site.hits("/story")
    site.put("/story", article_html("Storm warning lifted", PARAS))
    run(cli, T0 + 100 * minute)  # the feed says nothing new: the article waits
    assert site.hits("/story") == hits
    site.put("/feed.xml", rss([{"link": url, "guid": "s1", "title": "Storm warning lifted"}]))
    run(cli, T0 + 106 * minute)  # the feed is polled again (every 5 minutes)
    assert site.hits("/story") == hits + 1
    assert changes(cli, url) == ["new", "edit"]
