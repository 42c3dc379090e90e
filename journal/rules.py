"""A source's page rules: CSS selectors applied to a page before extraction. The only
cssselect user (through lxml.cssselect).

Generic extraction is right on most pages and wrong on some: a newsletter box inside
the article, a site that puts its text in a second container. journal.toml fixes such
a site without code:

```toml
[sources.daily]
drop = [".newsletter", "aside.related"]   # removed from the page
keep = ["article .body"]                   # the page reduced to these elements
title = "h1.headline"                      # the headline, when the metadata is wrong
```

`drop` goes first, then `keep`; `title` is read from the page as the site serves it.
The rules are part of the source's extractor identity (`journal.extractor.identity`),
so a change of rules re-reads articles as `reextract`, never as an edit.
"""

from __future__ import annotations

import functools

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError

from journal.errors import ConfigError
from journal.models import PageRules


class Selectors:
    """Compiled selectors of one source's rules."""

    def __init__(self, rules: PageRules):
        self.keep = [_compile(s) for s in rules.keep]
        self.drop = [_compile(s) for s in rules.drop]
        self.title = _compile(rules.title) if rules.title else None


def check(selector: str, where: str) -> None:
    """Raise ConfigError naming `where` when `selector` is not a CSS selector lxml can use."""
    try:
        _compile(selector)
    except (SelectorError, ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {selector!r} is not a usable CSS selector ({exc}).") from None


@functools.lru_cache(maxsize=64)
def compiled(rules: PageRules) -> Selectors:
    """The selectors of `rules`, compiled once per process (a worker reads many pages)."""
    return Selectors(rules)


def apply(tree: etree._Element, rules: PageRules) -> str | None:
    """Apply `rules` to a parsed page in place; returns the headline the `title` selector
    names (None when it has none or matches nothing).

    Raises NoMatch when `keep` matches nothing: a page the rules cannot read (the site
    was redesigned) must say so rather than pass for an article without text.
    """
    selectors = compiled(rules)
    title = None
    if selectors.title is not None:
        found = _select(selectors.title, tree)
        if found:
            title = " ".join("".join(str(t) for t in found[0].itertext()).split()) or None
    for selector in selectors.drop:
        for node in _select(selector, tree):
            _remove(node)
    if selectors.keep:
        kept = _outermost([node for selector in selectors.keep for node in _select(selector, tree)])
        if not kept:
            raise NoMatch(f"the source's keep rules ({', '.join(rules.keep)}) match nothing on this page")
        body = tree.find(".//body")
        if body is None:
            body = tree
        if any(node is body or node in body.iterancestors() for node in kept):
            return title  # the whole page is kept
        for node in kept:
            node.tail = "\n"  # what came after it is gone; blocks stay apart
        for child in list(body):
            body.remove(child)
        body.text = None
        body.extend(kept)
    return title


class NoMatch(Exception):
    """The keep rules found nothing to keep."""


def _compile(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def _select(selector: CSSSelector, tree: etree._Element) -> list[etree._Element]:
    found = selector(tree)
    return [n for n in found if isinstance(n, etree._Element)] if isinstance(found, list) else []


def _remove(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return  # the root
    if isinstance(node, lxml.html.HtmlElement):
        node.drop_tree()  # keeps the text after it
    else:
        parent.remove(node)


def _outermost(nodes: list[etree._Element]) -> list[etree._Element]:
    """The matched elements in page order, without those inside another match."""
    chosen = {id(n) for n in nodes}
    order: list[etree._Element] = []
    seen: set[int] = set()
    for node in nodes:
        if id(node) in seen or any(id(a) in chosen for a in node.iterancestors()):
            continue
        seen.add(id(node))
        order.append(node)
    position = {id(n): i for i, n in enumerate(order[0].getroottree().iter())} if order else {}
    return sorted(order, key=lambda n: position.get(id(n), 0))
