"""The errors journal expects: each names the thing and the next step.

The CLI turns a JournalError into one line on stderr and exit code 1 (2 for a
UsageError). Any other exception is a bug and keeps its traceback.
"""


class JournalError(Exception):
    """An expected failure, explained for a person."""


class UsageError(JournalError):
    """A command line that cannot mean anything: a malformed value, options that
    exclude each other. Exit code 2, as for any other usage error."""


class NoArchive(JournalError):
    """The archive directory is missing or is not a journal archive."""


class ConfigError(JournalError):
    """journal.toml cannot be read or holds a bad value."""


class UnknownArticle(JournalError):
    """An ARTICLE argument matches nothing in the archive."""


class UnknownVersion(JournalError):
    """A version number that the article does not have."""


class LockHeld(JournalError):
    """Another process is writing to the archive."""


class PushFailed(JournalError):
    """git push did not complete; local commits are intact."""


class FetchError(JournalError):
    """One URL could not be fetched; `transient` says whether to back off and retry."""

    def __init__(self, message: str, *, transient: bool = True, status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status


class FeedError(JournalError):
    """A feed could not be read as RSS or Atom."""


class BadQuery(JournalError):
    """A search query with nothing to look for, or a filter that cannot be read."""
