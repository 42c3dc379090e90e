"""URLs: canonical form, identity, and the archive path an article is filed under.

Paths are built only from `[a-z0-9-]`, so no URL can name a file outside the
archive, a hidden file, or a path that differs between filesystems.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from.
_TRACKING = re.compile(
    r"^(?:utm_\w*|at_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ocid|cmpid|cmp|smid|smtyp|ito|ns_mchannel|ns_source|ns_campaign|ns_linkname|"
    r"ns_fee|xtor|guccounter|sr_share)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_SLUG = 80
_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|stm|php\d?|aspx?|jsp|cms|ece)$")


class BadURL(ValueError):
    """A string that is not an absolute http(s) URL."""


def canonical(url: str) -> str:
    """The form of a URL used as its identity.

    Lower-case scheme and host, IDNA host, no default port, no fragment, tracking
    parameters dropped, the rest of the query sorted, path percent-encoding made
    uniform. Raises BadURL for anything that is not an absolute http(s) URL.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"not a valid URL: {url[:200]!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise BadURL(f"not an http(s) URL: {url[:200]!r}")
    host = parts.hostname.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise BadURL(f"bad host name in {url[:200]!r}") from exc
    if not host:  # "http://./": only the root's dot
        raise BadURL(f"no host name in {url[:200]!r}")
    if ":" not in host and "" in host.split("."):  # "…" folds to "..." under IDNA
        raise BadURL(f"bad host name in {url[:200]!r}")
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_SAFE_PATH) or "/"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote), ""))


def host_of(url: str) -> str:
    """The host name of a URL (lower case), or "" when it has none."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def slug(url: str) -> str:
    """A readable, bounded file name stem for a URL: `[a-z0-9-]`, at most MAX_SLUG bytes.

    Built from the path and query values; when the text had to be cut, a hash of
    the URL keeps distinct URLs apart.
    """
    parts = urlsplit(url)
    path = _PAGE_SUFFIX.sub("", unquote(parts.path).lower().rstrip("/"))
    text = " ".join([path, *(v for _, v in parse_qsl(parts.query))])
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    stem = _SLUG_DROP.sub("-", ascii_text).strip("-")
    if not stem:
        stem = _SLUG_DROP.sub("-", (parts.hostname or "index").lower()).strip("-") or "index"
    if len(stem) > MAX_SLUG:
        # The end of a news URL (id, headline words) tells articles apart best.
        tail = stem[-(MAX_SLUG - 9) :].lstrip("-")
        stem = f"{tail}-{short_hash(url, 8)}"
    return stem


def short_hash(text: str, length: int = 10) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def article_path(source: str, first_seen: datetime, url: str, taken: Callable[[str], bool]) -> str:
    """The archive path for a new article: `<source>/<YYYY>/<MM>/<slug>.md`.

    `taken(path)` says whether another article already owns a path; a collision
    gets a hash suffix, so distinct URLs never share a file.
    """
    if not SOURCE_NAME.match(source):
        raise ValueError(f"bad source name {source!r}")
    folder = f"{source}/{first_seen:%Y}/{first_seen:%m}"
    stem = slug(url)
    path = f"{folder}/{stem}.md"
    length = 8
    while taken(path):
        suffix = short_hash(url, length)
        path = f"{folder}/{stem[: MAX_SLUG - len(suffix) - 1].rstrip('-')}-{suffix}.md"
        length += 4
        if length > 40:
            raise ValueError(f"cannot find a free path for {url!r}")
    return path


def is_safe_path(path: str) -> bool:
    """True when `path` is one this module could have made: relative, `[a-z0-9-/.]`, no `..`."""
    return bool(_SAFE_ARCHIVE_PATH.match(path)) and ".." not in path


_SAFE_ARCHIVE_PATH = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}/\d{4}/\d{2}/[a-z0-9][a-z0-9-]{0,99}\.md$")


def article_id(path: str) -> str:
    """The short id of an article: stable for the life of its file."""
    return short_hash(path, 10)
