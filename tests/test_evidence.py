"""Evidence from the whole page: each rule that tells the newsroom's changes from the
reading's, driven directly (`evidence.decide` on pages read by `pagetext.read`)."""

from __future__ import annotations

import html

import pytest

from journal import captions, pagetext, pagewords
from journal.diff import diff, same_published
from journal.evidence import Decision, decide
from journal.models import ArticleText
from journal.normalize import fingerprint
from journal.pagewords import Page

P = [
    "The minister spoke on Friday about the budget and the plans for the coming year.",
    "Officials said the talks would continue next week in the capital of the region.",
    "Five people were hurt when the roof of the old market hall gave way on Tuesday night.",
    "The council has promised a full inquiry into the state of the building and its repairs.",
]


def page(*blocks: str, head: str = "") -> Page:
    body = "".join(blocks)
    return pagetext.read(
        f"<html><head><title>x</title>{head}</head><body><main><article>{body}</article></main></body></html>".encode(),
        "text/html; charset=utf-8",
    )


def p(text: str, attrs: str = "") -> str:
    return f"<p{attrs}>{html.escape(text)}</p>"


def text(*paragraphs: str, title: str = "Market hall roof gives way") -> ArticleText:
    return ArticleText("https://news.example.org/a", "daily", title, paragraphs)


def h1(title: str = "Market hall roof gives way") -> str:
    return f"<h1>{html.escape(title)}</h1>"


def unchanged(latest: ArticleText, decision: Decision) -> bool:
    base = decision.interim or latest
    return fingerprint(decision.text.title, decision.text.paragraphs) == fingerprint(
        base.title, base.paragraphs
    )


def edit(latest: ArticleText, decision: Decision) -> tuple[list[str], list[str]]:
    """The words removed and added by the edit the decision makes."""
    delta = diff(decision.interim or latest, decision.text)
    removed = [w for r in delta.rows for w in pagewords.words(r.old or "") if r.kind == "delete"]
    added = [w for r in delta.rows for w in pagewords.words(r.new or "") if r.kind == "insert"]
    for row in delta.rows:
        if row.kind == "change":
            removed += [w for o in row.ops if o.kind == "delete" for w in pagewords.words(o.text)]
            added += [w for o in row.ops if o.kind == "insert" for w in pagewords.words(o.text)]
    return removed, added


FIGURE = (
    '<figure><img src="/a.jpg"><figcaption><span class="c9">Photo: Jo Lens/AP</span></figcaption></figure>'
)


def test_a_credit_glued_to_a_paragraph_is_the_reading_and_a_real_edit_beside_it_is_exactly_that() -> None:
    latest = text(*P)
    before = page(h1(), p(P[0]), FIGURE, *map(p, P[1:]))
    glued = page(h1(), f"<p>{P[0]} <span>Photo: Jo Lens/AP</span></p>", *map(p, P[1:]))
    fresh = text(P[0] + " Photo: Jo Lens/AP", *P[1:])
    decision = decide(latest, before, fresh, glued)
    assert unchanged(latest, decision)
    assert decision.text.paragraphs == latest.paragraphs
    edited = P[2].replace("Five", "Six")
    glued_edit = page(h1(), f"<p>{P[0]} <span>Photo: Jo Lens/AP</span></p>", p(P[1]), p(edited), p(P[3]))
    decision = decide(latest, before, text(P[0] + " Photo: Jo Lens/AP", P[1], edited, P[3]), glued_edit)
    assert edit(latest, decision) == (["Five"], ["Six"])


def test_a_credit_split_off_a_paragraph_is_the_reading() -> None:
    latest = text(P[0] + " Photo: Jo Lens/AP", *P[1:])
    before = page(h1(), f"<p>{P[0]} <span>Photo: Jo Lens/AP</span></p>", *map(p, P[1:]))
    after = page(h1(), p(P[0]), FIGURE, *map(p, P[1:]))
    assert unchanged(latest, decide(latest, before, text(*P), after))


def test_a_paragraph_the_extractor_left_out_stays_while_it_is_on_the_page() -> None:
    latest = text(*P)
    whole = page(h1(), *map(p, P))
    # The body split over two <article> blocks: the extractor took the longer one only.
    decision = decide(latest, whole, text(*P[2:]), whole)
    assert unchanged(latest, decision)
    assert decision.text.paragraphs == latest.paragraphs
    gone = page(h1(), p(P[1]), p(P[2]), p(P[3]))
    decision = decide(latest, whole, text(*P[1:]), gone)
    assert edit(latest, decision) == (pagewords.words(P[0]), [])


def test_a_paragraph_the_extractor_picks_up_now_is_recorded_apart_from_the_edit() -> None:
    latest = text(*P[1:])
    before = page(h1(), f"<div class='teaser'>{p(P[0])}</div>", *map(p, P[1:]))
    edited = P[3].replace("full inquiry", "full public inquiry")
    after = page(h1(), *map(p, [*P[:3], edited]))
    decision = decide(latest, before, text(*P[:3], edited), after)
    assert decision.interim is not None and decision.interim.paragraphs == tuple(P)
    assert edit(latest, decision) == ([], ["public"])


def test_text_that_is_new_on_the_page_is_an_addition_even_beside_one_picked_up() -> None:
    latest = text(*P[1:])
    before = page(h1(), *map(p, P[1:]))
    decision = decide(latest, before, text(*P), page(h1(), *map(p, P)))
    assert decision.interim is None
    assert edit(latest, decision) == ([], pagewords.words(P[0]))
    # Without the page behind the latest version nothing can be put down to the reading.
    decision = decide(latest, None, text(*P), page(h1(), *map(p, P)))
    assert edit(latest, decision) == ([], pagewords.words(P[0]))


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("hurt when the roof", "hurt after the roof", "a word"),
        ("Five people", "Six people", "a number at a paragraph's start"),
        ("on Tuesday night.", "on Tuesday night, police said.", "words added at the end"),
        ("the old market hall", "the market hall", "a word removed"),
        ("Five people were hurt", "Nobody was hurt", "a clause rewritten"),
        ("the roof of the old", "the roof of the very old", "one word inserted"),
        ("were hurt when", "were almost hurt when", "a word inserted that the page shows elsewhere"),
    ],
)
def test_every_edit_inside_a_paragraph_is_the_newsroom(old: str, new: str, why: str) -> None:
    latest = text(*P)
    edited = P[2].replace(old, new)
    # Chrome around the article, with the very words of the edits in elements of their own,
    # changes at the same time.
    chrome = "<aside><ul><li>Six people hurt</li><li>police said</li><li>market hall</li><li>Almost done</li>{}</ul></aside>"
    before = page(h1(), *map(p, P), chrome.format(""))
    after = page(h1(), *map(p, [*P[:2], edited, P[3]]), chrome.format("<li>Five dead</li>"))
    removed, added = edit(latest, decide(latest, before, text(*P[:2], edited, P[3]), after))
    assert (removed, added) == (
        [w for w in pagewords.words(old) if w not in pagewords.words(new)],
        [w for w in pagewords.words(new) if w not in pagewords.words(old)],
    ), why


def test_short_text_is_evidence_only_as_an_element_or_by_how_often_the_page_shows_it() -> None:
    latest = text(*P, "Read the report.")
    # The two-word line is still on the page, but only as words inside other text, and
    # the page shows it less often than before: the newsroom removed it.
    before = page(h1(), *map(p, P), p("Read the report."), p("Critics read the report closely."))
    after = page(h1(), *map(p, P), p("Critics read the report closely."))
    assert edit(latest, decide(latest, before, text(*P), after)) == (["Read", "the", "report"], [])
    # The same line as an element of its own on the fresh page: left out by the extractor.
    after = page(h1(), *map(p, P), "<div class='x'>Read the report.</div>")
    assert unchanged(latest, decide(latest, before, text(*P), after))


def test_a_moved_paragraph_is_no_change() -> None:
    latest = text(*P)
    moved = (P[0], P[2], P[1], P[3])
    assert unchanged(latest, decide(latest, page(*map(p, P)), text(*moved), page(*map(p, moved))))


def test_the_title_is_the_displayed_headline() -> None:
    latest = text(*P)
    before = page(h1(), *map(p, P))
    social = text(*P, title="You won't believe what happened to this market hall")
    decision = decide(latest, before, social, before)
    assert decision.text.title == latest.title
    retitled = "Market hall roof collapses, five hurt"
    decision = decide(latest, before, text(*P, title=retitled), page(h1(retitled), *map(p, P)))
    assert decision.text.title == retitled


def test_chinese_and_japanese_text_is_judged_by_the_character() -> None:
    zh = [
        "市政府周五宣布，新的地铁线路将于明年春天开通，预计每天运送十万名乘客。",
        "官员表示，工程费用比原计划高出两成。",
    ]
    latest = text(*zh, title="新地铁线路明年开通")
    before = page(
        h1("新地铁线路明年开通"),
        p(zh[0]),
        "<figure><img src='/m.jpg'><figcaption>图片：新华社</figcaption></figure>",
        p(zh[1]),
    )
    glued = page(h1("新地铁线路明年开通"), p(zh[0] + "图片：新华社"), p(zh[1]))
    assert unchanged(
        latest, decide(latest, before, text(zh[0] + "图片：新华社", zh[1], title=latest.title), glued)
    )
    edited = zh[1].replace("两成", "三成")
    after = page(h1("新地铁线路明年开通"), p(zh[0]), p(edited))
    decision = decide(latest, before, text(zh[0], edited, title=latest.title), after)
    assert decision.text.paragraphs == (zh[0], edited)
    assert (decision.reading, decision.newsroom) == (0, 1)
    assert pagewords.weight(pagewords.words("新地铁线路")) == 2.5


def test_a_caption_edit_under_the_same_photo_is_judged_like_a_paragraph() -> None:
    line = captions.line(
        captions.Caption("Rescuers at the market hall on Tuesday.", "https://cdn.example/a.jpg")
    )
    latest = text(P[0], line, *P[1:])
    fig = "<figure><img src='https://cdn.example/a.jpg'><figcaption>{}</figcaption></figure>"
    before = page(
        h1(),
        p(P[0]),
        fig.format("Rescuers at the market hall on Tuesday."),
        "<small>Photo: Jo Lens</small>",
        *map(p, P[1:]),
    )
    credited = captions.line(
        captions.Caption(
            "Rescuers at the market hall on Tuesday. Photo: Jo Lens", "https://cdn.example/a.jpg"
        )
    )
    after = page(
        h1(), p(P[0]), fig.format("Rescuers at the market hall on Tuesday. Photo: Jo Lens"), *map(p, P[1:])
    )
    assert unchanged(latest, decide(latest, before, text(P[0], credited, *P[1:]), after))
    corrected = captions.line(
        captions.Caption("Rescuers at the market hall on Wednesday.", "https://cdn.example/a.jpg")
    )
    after = page(h1(), p(P[0]), fig.format("Rescuers at the market hall on Wednesday."), *map(p, P[1:]))
    assert edit(latest, decide(latest, before, text(P[0], corrected, *P[1:]), after)) == (
        ["Tuesday"],
        ["Wednesday"],
    )


def test_the_page_text_is_what_a_reader_sees() -> None:
    shown = pagetext.read(
        b"<html><head><title>Head only</title><meta name='description' content='The standfirst is here.'>"
        b"<script>var hidden = 'script words';</script><style>.x{}</style></head><body>"
        b"<nav><a href='/'>Menu words</a></nav><header>Site header</header><h1>The <em>headline</em></h1>"
        b"<p>A <span>T</span>he drop cap.</p><div hidden>Hidden words</div>"
        b"<div style='display: none'>Styled away</div><template><p>Template words</p></template>"
        b"<aside>Correction box</aside><footer>Footer words</footer></body></html>",
        "text/html",
    )
    seen = ("Menu words", "Site header", "The drop cap", "Correction box", "Footer words", "Hidden words")
    for text in seen:
        assert shown.count(pagewords.words(text)) == 1, text
    for text in ("Head only", "script words", "Template words", "standfirst"):
        assert shown.count(pagewords.words(text)) == 0, text
    assert shown.declares(pagewords.words("The standfirst is here"))
    assert shown.is_headline(pagewords.words("The headline"))
    assert shown.units(pagewords.words("Correction box")) == 1
    assert shown.units(pagewords.words("Footer words Correction box")) == 0  # not in this order
    assert shown.units(pagewords.words("Correction box Footer words")) == 1  # two elements in a row
    assert shown.units(pagewords.words("drop cap")) == 0  # words inside an element
    assert pagetext.read(b"", None) == Page()


def test_a_long_text_is_found_across_what_the_extractor_left_out() -> None:
    shown = pagetext.read(
        b"<p>By <a>Sarah Lee</a> <span class='card'>Sarah Lee, reporter</span> The Daily Post <b>Biography</b> "
        b"<span class='sr-only'>(opens in a new window)</span> @sarahlee</p><div>Follow</div><div>Sarah</div>",
        "text/html",
    )
    assert shown.holds(pagewords.words("By Sarah Lee The Daily Post Biography @sarahlee"))
    assert shown.holds(
        pagewords.words("The Daily Post Biography @sarahlee FollowSarah")
    )  # glued by the extractor
    assert not shown.holds(pagewords.words("By Sarah Lee The Daily Post Obituary @sarahlee"))
    assert not shown.holds(pagewords.words("By Sarah Lee The Daily Post @sarahlee Biography"))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2025-05-25", "2025-05-25T10:42:00Z", True),
        ("2025-05-25T23:30:00Z", "2025-05-25", True),
        ("2025-05-25", "2025-05-26T03:30:00Z", True),  # the evening of the 25th in New York
        ("2025-05-24T11:00:00Z", "2025-05-25", True),  # the morning of the 25th in Auckland
        ("2025-05-25", "2025-05-27T01:00:00Z", False),
        ("2025-05-25", "2025-05-26", False),
        ("2025-05-25T10:42:00Z", "2025-05-25T10:43:00Z", False),
        ("2025-05-25T10:42:00Z", "2025-05-25T12:42:00+02:00", True),
        ("soon", "2025-05-25", False),
    ],
)
def test_published_is_compared_at_the_precision_both_have(a: str, b: str, same: bool) -> None:
    assert same_published(a, b) is same
    before = ArticleText("u", "s", "T", ("One.",), published=a)
    after = ArticleText("u", "s", "T", ("Two.",), published=b)
    assert ("published changed" in diff(before, after).summary()) is not same


def test_a_paragraph_edited_in_a_block_the_extractor_left_out_is_that_edit() -> None:
    """The body split over two blocks; the extractor reads one; the newsroom lengthens a
    paragraph of the other: still the same paragraph, edited (not kept as it was, not
    removed)."""
    latest = text(*P)
    before = page(h1(), "<section>", *map(p, P[:2]), "</section><section>", *map(p, P[2:]), "</section>")
    longer = P[3] + " A date for the inquiry has not been set."
    after = page(
        h1(), "<section>", *map(p, P[:2]), "</section><section>", *map(p, [P[2], longer]), "</section>"
    )
    decision = decide(latest, before, text(*P[:3]), after)
    assert edit(latest, decision) == ([], pagewords.words("A date for the inquiry has not been set"))


def test_a_paragraph_picked_up_in_other_words_is_recorded_as_it_stood_then_edited() -> None:
    latest = text(*P[1:])
    before = page(h1(), f"<div class='teaser'>{p(P[0])}</div>", *map(p, P[1:]))
    edited = P[0].replace("Friday", "Saturday")
    decision = decide(latest, before, text(edited, *P[1:]), page(h1(), *map(p, [edited, *P[1:]])))
    assert decision.interim is not None and decision.interim.paragraphs == tuple(P)
    assert edit(latest, decision) == (["Friday"], ["Saturday"])


def test_paragraphs_keep_the_latest_order_unless_the_page_moved_them() -> None:
    latest = text(*P)
    edited = P[3].replace("full inquiry", "full and public inquiry")
    read = (edited, P[0], P[1], P[2])  # the extractor read the last paragraph first
    # The page shows them in the latest order (the last one in a block read first): the
    # order is the extractor's, and the edit is all there is.
    decision = decide(latest, page(*map(p, P)), text(*read), page(*map(p, [*P[:3], edited])))
    assert decision.text.paragraphs == (*P[:3], edited)
    assert diff(latest, decision.text).summary() == "1 paragraph edited"
    # The page itself shows the last paragraph first now: the newsroom moved it.
    decision = decide(latest, page(*map(p, P)), text(*read), page(*map(p, read)))
    assert decision.text.paragraphs == read


def test_a_line_that_is_the_displayed_headline_goes_with_the_title() -> None:
    shown = "Market hall roof gives way"
    latest = text(shown, *P, title="Roof collapse: what we know")
    before = page(h1(shown), *map(p, [shown, *P]))
    # The headline read as a paragraph comes and goes with the reading...
    assert unchanged(
        latest, decide(latest, before, text(*P, title=latest.title), page(h1(shown), *map(p, P)))
    )
    # ...and changes with the title when the newsroom rewrites the headline.
    rewritten = "Market hall roof collapses, five hurt"
    fresh = text(rewritten, *P, title="Roof collapse: five hurt")
    decision = decide(latest, before, fresh, page(h1(rewritten), *map(p, [rewritten, *P])))
    assert decision.text.title == fresh.title
    assert decision.text.paragraphs[0] == rewritten


def test_the_same_letters_spaced_otherwise_are_the_reading() -> None:
    glued = P[1].replace("next week", "nextweek")
    latest = text(*P)
    same_page = page(h1(), *map(p, P))
    assert unchanged(latest, decide(latest, same_page, text(P[0], glued, *P[2:]), same_page))
    # A typo fixed on the page is an edit.
    latest = text(P[0], glued, *P[2:])
    fixed = decide(latest, page(h1(), *map(p, [P[0], glued, *P[2:]])), text(*P), same_page)
    assert fixed.version
