"""journal: a git-backed change journal for online news."""

__version__ = "0.1.0"
