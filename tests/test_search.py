"""The search index against a brute-force reading of the same histories: generated
articles with edits, removals, returns and re-extractions, committed to real git
archives, indexed in two steps (a first build, then a catch-up), searched with random
queries of the language and random filters."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from searching import T0, Event, Story, brute_force, expected_versions, write

from journal import captions, search
from journal.archive import Archive
from journal.models import Change
from journal.query import parse
from journal.searchindex import SearchIndex

VOCAB = [
    "obama", "Obama", "OBAMA", "gun", "Gun", "law", "café", "cafe", "CAFÉ", "naïve", "NAIVE",
    "zürich", "Zurich", "police", "court", "vote", "report", "2026", "東京", "天気", "東京天気",
]  # fmt: skip
WORD = st.builds(
    lambda w, end: w + end, st.sampled_from(VOCAB), st.sampled_from(["", "", ",", ".", "'s", ":"])
)
PROSE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
CAPTION = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4).map(
    lambda ws: captions.line(captions.Caption(" ".join(ws), "https://cdn.example/gun/law-2026.jpg"))
)
LINE = st.one_of(PROSE, PROSE, PROSE, CAPTION)
TITLE = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4).map(" ".join)
SIZE = st.sampled_from(["typo", "minor", "major"])
KINDS = [{}, {"added": True}, {"removed": True}, {"title": True}, {"title": True, "removed": True}, {"added": True, "removed": True}]  # fmt: skip


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[Story, Event]]:
    stories = [
        Story(draw(st.sampled_from(["alpha", "beta-news"])), f"story-{n}")
        for n in range(draw(st.integers(1, 3)))
    ]
    latest: dict[int, Event] = {}
    gone: set[int] = set()
    plan = []
    for _ in range(draw(st.integers(1, 12))):
        n = draw(st.integers(0, len(stories) - 1))
        before = latest.get(n)
        if before is None:
            event = Event(Change.NEW, draw(TITLE), tuple(draw(st.lists(LINE, min_size=1, max_size=4))))
        else:
            change = (
                Change.RESTORED
                if n in gone
                else draw(st.sampled_from([Change.EDIT] * 3 + [Change.REMOVED, Change.REEXTRACT]))
            )
            if change is Change.REMOVED:
                gone.add(n)
                plan.append((stories[n], Event(change)))
                continue
            gone.discard(n)
            kept = st.sampled_from(before.lines)
            lines = tuple(draw(st.lists(st.one_of(kept, kept, LINE), min_size=1, max_size=5)))
            title = before.title if change is Change.REEXTRACT or draw(st.booleans()) else draw(TITLE)
            if (title, lines) == (before.title, before.lines) and change is not Change.RESTORED:
                lines += (draw(LINE),)  # git records no commit for the same file again
            event = Event(change, title, lines, draw(SIZE) if change is not Change.REEXTRACT else None)
        latest[n] = event
        plan.append((stories[n], event))
    return plan


@st.composite
def queries(draw: st.DrawFn, plan: list[tuple[Story, Event]]) -> str:
    texts = [line for _, event in plan for line in (event.title, *event.lines) if line]

    def term() -> str:
        if texts and draw(st.booleans()):
            said = captions.shown(draw(st.sampled_from(texts))).split()
            start = draw(st.integers(0, len(said) - 1))
            return '"' + " ".join(said[start : start + draw(st.integers(1, 3))]) + '"'
        return draw(st.sampled_from(VOCAB))

    groups = [
        " OR ".join(term() for _ in range(draw(st.integers(1, 2)))) for _ in range(draw(st.integers(1, 2)))
    ]
    left_out = [f"-{term()}" for _ in range(draw(st.integers(0, 1)))]
    return " ".join(groups + left_out)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(histories(), st.data())
def test_search_finds_exactly_what_a_brute_force_reading_of_the_histories_finds(
    plan: list[tuple[Story, Event]], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        split = data.draw(st.integers(0, len(plan)), label="indexed before the rest came")
        archive = write(root, plan[:split])
        index = SearchIndex.open(archive.state_dir)
        try:
            index.catch_up(archive)
            archive = write(root, plan[split:], start=T0 + 60 * split)
            index.catch_up(Archive.open(root))
            # The index holds what the rows say, after every row that moved a current text.
            index.db.execute("INSERT INTO changes (changes, rank) VALUES ('integrity-check', 1)")
            stories = list({id(story): story for story, _ in plan}.values())
            versions = expected_versions(stories)
            for _ in range(6):
                typed = data.draw(queries(plan), label="query")
                kind = data.draw(st.sampled_from(KINDS), label="kind")
                source = data.draw(st.sampled_from([None, *(s.source for s in stories)]), label="source")
                since = data.draw(st.sampled_from([None, T0 + 60 * data.draw(st.integers(0, len(plan)))]))
                until = data.draw(st.sampled_from([None, T0 + 60 * data.draw(st.integers(0, len(plan)))]))
                min_size = data.draw(st.sampled_from([None, "typo", "minor", "major"]), label="min_size")
                query = parse(typed)
                filters = search.Filters(source=source, since=since, until=until, min_size=min_size, **kind)
                found = search.search(index, query, filters, page=1, per_page=500)
                expected = brute_force(
                    versions, query, source=source, since=since, until=until, min_size=min_size, **kind
                )
                assert [(h.path, h.version) for h in found.hits] == expected, (typed, filters)
                for hit in found.hits:  # each says where it matched, in a field the search looks at
                    assert hit.snippets, (typed, filters, hit)
                    allowed = search._fields(filters)
                    assert all(s.field in allowed and s.marks() for s in hit.snippets)
        finally:
            index.close()
