"""Article pages of many layouts, made up from a seed: the team's own material for the
redesign fuzzer's property tests (tests/test_redesign.py).

Each page is a news article inside random chrome: one of several containers (an
`<article>`, schema.org `articleBody`, blog-style divs, sections), a headline inside or
outside it, a standfirst or none, a byline with a date, five to twelve paragraphs of
made-up sentences (numbers in some), subheadings, photos with captions and credits, a
header with navigation, a "Most read" sidebar and a footer.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

E = html.escape


def _alternatives(text: str) -> list[str]:
    return text.split("|")


_NAMES = _alternatives(
    "Ada Lovelace|Omar Haddad|Ines Moreau|Kenji Sato|Priya Raman|Tomasz Nowak|Grace Okafor|Luis Ortega"
)
_PLACES = _alternatives(
    "the capital|the northern province|the harbour city|the border region|the coastal towns|the valley"
)
_SUBJECTS = _alternatives(
    "The ministry|Officials|The regional council|Local residents|The company|Investigators|"
    "The opposition leader|Health authorities|The union|Emergency services"
)
_VERBS = _alternatives(
    "announced|rejected|confirmed|delayed|approved|criticised|proposed|investigated|welcomed|questioned"
)
_OBJECTS = _alternatives(
    "a new plan for public transport|the budget for the coming year|"
    "a review of the safety rules|the decision to close the old bridge|"
    "an agreement on water supplies|the findings of the report|"
    "the proposal to raise local taxes|a programme of repairs to schools|"
    "the sale of the state airline"
)
_TAILS = _alternatives(
    "on Tuesday|after weeks of talks|despite strong objections|in a statement late on Friday|"
    "before the summer recess|following a public consultation|at a meeting in {place}"
)
_SECTIONS = ["World", "Politics", "Business", "Science", "Health", "Culture", "Sport", "Opinion"]


@dataclass(frozen=True)
class Generated:
    html: str
    title: str
    paragraphs: tuple[str, ...]


def sentence(rng: random.Random) -> str:
    tail = rng.choice(_TAILS).format(place=rng.choice(_PLACES))
    body = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {tail}"
    if rng.random() < 0.3:
        body += f", affecting about {rng.randint(2, 900) * 10} people in {rng.choice(_PLACES)}"
    return body + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def headline(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"


def figure(rng: random.Random, n: int) -> str:
    credit = f"Photo: {rng.choice(_NAMES)}/{rng.choice(['Reuters', 'AP', 'AFP', 'Getty Images'])}"
    caption = (
        f"{rng.choice(_SUBJECTS)} in {rng.choice(_PLACES)} on {rng.choice(['Monday', 'Friday', 'Sunday'])}."
    )
    return (
        f'<figure class="f{n}"><img src="https://img.example.org/{rng.randrange(10**6)}.jpg" alt="">'
        f'<figcaption>{E(caption)} <span class="credit">{E(credit)}</span></figcaption></figure>'
    )


def article(seed: int) -> Generated:
    """A made-up article page: the same seed, the same page."""
    rng = random.Random(seed)
    title = headline(rng)
    paras = [paragraph(rng) for _ in range(rng.randint(5, 12))]
    body: list[str] = []
    for n, text in enumerate(paras):
        if n and rng.random() < 0.15:
            body.append(f"<h2>{E(rng.choice(_OBJECTS).capitalize())}</h2>")
        body.append(f"<p>{E(text)}</p>")
        if rng.random() < 0.15:
            body.append(figure(rng, n))
    author = rng.choice(_NAMES)
    byline = (
        f'<div class="byline">By <a href="/people/{seed}">{E(author)}</a> '
        f'<time datetime="2025-05-{rng.randint(10, 28)}T{rng.randint(6, 22):02d}:15:00Z">May {rng.randint(10, 28)}, 2025</time></div>'
    )
    dek = f'<p class="standfirst" itemprop="description">{E(sentence(rng))}</p>' if rng.random() < 0.5 else ""
    head = f"<h1>{E(title)}</h1>{dek}{byline}"
    text = "".join(body)
    style = rng.randrange(5)
    if style == 0:
        main = f"<main><article>{head}{text}</article></main>"
    elif style == 1:
        main = (
            f'<div id="content"><div class="post">{head}<div class="entry-content">{text}</div></div></div>'
        )
    elif style == 2:
        main = (
            f'<main><header class="story-head">{head}</header><div itemprop="articleBody">{text}</div></main>'
        )
    elif style == 3:
        main = f'<div class="wrap"><section class="story">{head}<div class="story-body">{text}</div></section></div>'
    else:
        main = f'<div class="page">{head}<article class="body">{text}</article></div>'
    others = "".join(f'<li><a href="/s/{rng.randrange(999)}">{E(headline(rng))}</a></li>' for _ in range(5))
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in rng.sample(_SECTIONS, 5))
    site = f"The {rng.choice(['Daily', 'Evening', 'Morning'])} {rng.choice(['Post', 'Herald', 'Courier'])}"
    social = title if rng.random() < 0.7 else f"{title}: what we know"
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{E(title)} | {site}</title>"
        f'<meta property="og:title" content="{E(social)}"><meta name="description" content="{E(paras[0][:150])}">'
        f'<meta name="author" content="{E(author)}"><meta property="article:published_time" content="2025-05-20T10:00:00Z">'
        f"</head><body><header class='site'><a href='/'>{site}</a><nav><ul>{nav}</ul></nav></header>{main}"
        f"<aside class='rail'><h3>Most read</h3><ol>{others}</ol></aside>"
        f"<footer><p>© 2025 {site}. All rights reserved.</p></footer></body></html>"
    )
    return Generated(page, title, tuple(paras))
