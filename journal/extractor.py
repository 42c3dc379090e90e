"""Which extractor made a text: trafilatura's version and the normaliser's.

Read without importing trafilatura: the updater's own process never extracts (its
worker processes do, and import trafilatura as they start, while the updater is
still reading feeds), so it need not pay a tenth of a second to load it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

from journal.models import PageRules
from journal.normalize import NORMALISER_VERSION


def trafilatura_version() -> str:
    spec = importlib.util.find_spec("trafilatura")
    if spec is not None and spec.origin:
        try:
            found = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", Path(spec.origin).read_text(), re.M)
        except OSError:
            found = None
        if found:
            return found.group(1)
    import trafilatura  # a layout this does not know: ask the module itself

    return str(trafilatura.__version__)


EXTRACTOR = f"trafilatura {trafilatura_version()}; normalise {NORMALISER_VERSION}"


def identity(rules: PageRules | None) -> str:
    """The extractor of a source's texts: EXTRACTOR, plus a short hash of the source's page
    rules when it has any. Rules are part of how a page is read, so a change of rules is an
    extractor change like an upgrade: articles are read again as `reextract`, never as an
    edit."""
    if not rules:
        return EXTRACTOR
    digest = hashlib.sha256(repr((rules.keep, rules.drop, rules.title)).encode()).hexdigest()[:8]
    return f"{EXTRACTOR}; rules {digest}"
