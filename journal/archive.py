"""The git boundary: the only module that runs git. SHAs are opaque strings elsewhere.

Reading goes through GitPython (`git log` path-limited, a persistent `cat-file`).
Writing goes through one long-lived `git fast-import` process (`Writer`): it keeps
~1,000 commits/s on archives of 100k files, where an index-based commit per version
slows to a crawl. Refs move only at `Writer.checkpoint()`, so a crash loses at most
the commits since the last checkpoint and never leaves a half-written commit.

Every git child runs in a process group of its own. Ctrl-C at a terminal signals the
whole foreground group, and git dies of SIGINT mid-stream (a lost checkpoint, a
working tree left half updated); this way only journal decides when git stops. A
killed journal still takes its children with it: their pipes close and they exit.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from journal import commits, leftovers
from journal.children import popen_apart
from journal.errors import JournalError, NoArchive, PushFailed
from journal.lock import held as held_locks
from journal.models import Change, Revision

if TYPE_CHECKING:
    import git  # GitPython: imported where it is used, a tenth of a second that lists and searches skip

log = logging.getLogger(__name__)

CONFIG_FILE = "journal.toml"
ATTRIBUTES = "*.md diff=journal\n"
BRANCH = "main"
_RECORD = "\x1e"
_FIELD = "\x1f"
_LOG_FORMAT = f"--format={_RECORD}%H{_FIELD}%ct{_FIELD}%B{_FIELD}"
_SHA = re.compile(r"^[0-9a-f]{40}$")
_REF = re.compile(r"^refs/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$")
# Git settings the archive relies on; applied at init and again by reindex (a clone
# does not carry .git/config).
_GIT_CONFIG = {
    "diff.journal.wordRegex": "[^[:space:]]+",
    "diff.journal.xfuncname": "^# .*$",
    "core.commitGraph": "true",
    "fetch.writeCommitGraph": "true",
    "gc.writeCommitGraph": "true",
    "core.quotePath": "false",
}


@cache
def _repo_type() -> type[git.Repo]:
    """GitPython's Repo, imported on first use, starting every git (its persistent
    `cat-file` too) in a process group of its own: out of reach of the terminal's Ctrl-C."""
    import git

    class Git(git.Git):
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("process_group", 0)
            return super().execute(*args, **kwargs)

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        if kwargs.get("process_group") is None:
            return subprocess.Popen(*args, **kwargs)  # a push: Ctrl-C stops it, as any git push
        return popen_apart(*args, **kwargs)

    # GitPython starts its processes through this one name; the group a git is moved
    # to must be its own from the fork on (children.held_signals).
    git.cmd.safer_popen = popen

    class Repo(git.Repo):
        GitCommandWrapperType = Git

    return Repo


@dataclass(frozen=True)
class Identity:
    name: str = "journal"
    email: str = "journal@localhost"

    def signature(self, when: datetime) -> str:
        name = re.sub(r"[<>\n\r\x00]", "", self.name).strip() or "journal"
        email = re.sub(r"[<>\s\x00]", "", self.email) or "journal@localhost"
        return f"{name} <{email}> {int(when.timestamp())} +0000"


class Archive:
    """A journal archive: a git repository with journal.toml at its root."""

    def __init__(self, root: Path, repo: git.Repo | None = None):
        self.root = root
        self._repo = repo
        self._repo_lock = threading.Lock()
        self._cat_lock = threading.Lock()

    # -- opening ---------------------------------------------------------------

    @classmethod
    def open(cls, root: Path) -> Archive:
        root = root.expanduser().absolute()
        if not (root / ".git").is_dir():
            raise NoArchive(f'No archive at {root}; run "journal init {root}" first.')
        archive = cls(root)
        if archive.head() is None:
            branch = clone_to_adopt(root)
            if branch is not None:
                archive.adopt(branch)
        return archive

    def adopt(self, branch: str) -> None:
        """Check out `main` from a remote-tracking branch: a clone of a bare repository
        whose HEAD named another branch got nothing checked out."""
        remote = branch.removeprefix("refs/remotes/")
        self.git("checkout", "-q", "-b", BRANCH, "--track", remote)

    @property
    def repo(self) -> git.Repo:
        """GitPython's view of the repository, opened on first use."""
        with self._repo_lock:
            if self._repo is None:
                import git

                try:
                    self._repo = _repo_type()(self.root)
                except git.InvalidGitRepositoryError as exc:
                    raise NoArchive(
                        f'{self.root} is not a git repository; run "journal init" on a new directory.'
                    ) from exc
            return self._repo

    @classmethod
    def create(cls, root: Path, config_text: str, identity: Identity, now: datetime) -> Archive:
        """Make a new archive: `git init`, then one commit of journal.toml and .gitattributes."""
        root = root.expanduser().absolute()
        if (root / ".git").exists():
            raise JournalError(f"{root} is already a git repository; use it with --archive {root}.")
        root.mkdir(parents=True, exist_ok=True)
        existing = sorted(p.name for p in root.iterdir())
        repo = _repo_type().init(root, initial_branch=BRANCH)
        archive = cls(root, repo)
        archive.configure()
        if existing:
            # Files that were here before (the shipped archive/README.md) stay untracked
            # and out of `git status`.
            exclude = root / ".git" / "info" / "exclude"
            exclude.parent.mkdir(parents=True, exist_ok=True)
            with exclude.open("a", encoding="utf-8") as fh:
                fh.write("# present before journal init\n")
                fh.writelines(f"/{name}\n" for name in existing if name not in (CONFIG_FILE,))
        with Writer(archive, identity) as writer:
            writer.commit(
                commits.config_message("journal: create archive"),
                now,
                {CONFIG_FILE: config_text.encode(), ".gitattributes": ATTRIBUTES.encode()},
            )
            writer.checkpoint()
        archive.git("read-tree", "-u", "--reset", "HEAD")
        return archive

    def configure(self) -> None:
        """Apply the git settings the archive relies on, writing .git/config only when
        one differs: a write takes config.lock, and every write is a chance to leave it."""
        wanted = {}
        for key, value in _GIT_CONFIG.items():
            section, _, option = key.rpartition(".")
            wanted[(section.replace("diff.journal", 'diff "journal"'), option)] = value
        reader = self.repo.config_reader("repository")
        missing = {
            key: value
            for key, value in wanted.items()
            if not reader.has_option(*key) or str(reader.get(*key)) != value
        }
        if not missing:
            return
        with self.repo.config_writer() as cfg:
            for (section, option), value in missing.items():
                cfg.set_value(section, option, value)

    @property
    def state_dir(self) -> Path:
        path = self.root / ".git" / "journal"
        path.mkdir(exist_ok=True)
        return path

    def git(self, *args: str, writing: bool = False) -> str:
        """Run git; `writing` git holds the writer lock with this process (held_locks())."""
        import git

        try:
            if writing:
                return str(self.repo.git.execute(["git", *args], pass_fds=held_locks()))
            return str(self.repo.git.execute(["git", *args]))
        except git.GitCommandError as exc:
            raise JournalError(f"git {args[0]} failed in {self.root}: {_stderr(exc)}") from exc

    # -- reading ---------------------------------------------------------------

    def head(self) -> str | None:
        """The commit of HEAD (None before the first), read from the ref files: a
        microsecond, where GitPython costs its import and a `git cat-file`."""
        git_dir = self.root / ".git"
        try:
            target = (git_dir / "HEAD").read_text("ascii").strip()
            if _SHA.match(target):
                return target  # detached
            ref = target.removeprefix("ref: ")
            if _REF.match(ref) and not (git_dir / "reftable").exists():
                try:
                    loose = (git_dir / ref).read_text("ascii").strip()
                    return loose if _SHA.match(loose) else self._head()
                except FileNotFoundError:
                    pass
                try:
                    packed = (git_dir / "packed-refs").read_text("ascii")
                except FileNotFoundError:
                    return None  # an unborn branch: no commits yet
                for line in packed.splitlines():
                    if line.endswith(f" {ref}") and _SHA.match(line[:40]):
                        return line[:40]
                return None
        except (OSError, UnicodeDecodeError):
            pass
        return self._head()

    def _head(self) -> str | None:
        """HEAD as GitPython reads it, for the layouts the ref files do not settle."""
        try:
            return self.repo.head.commit.hexsha
        except ValueError:
            return None  # no commits yet

    def read(self, commit: str, path: str) -> bytes | None:
        """The bytes of `path` at `commit`, or None when the file is absent there."""
        if not _SHA.match(commit):
            raise ValueError(f"not a commit id: {commit!r}")
        with self._cat_lock:
            try:
                _, kind, _, data = self.repo.git.get_object_data(f"{commit}:{path}")
            except ValueError:
                return None
        return data if kind in (b"blob", "blob") else None

    def read_blob(self, sha: str) -> bytes:
        with self._cat_lock:
            _, _, _, data = self.repo.git.get_object_data(sha)
        return data

    def read_blobs(self, shas: list[str]) -> Iterator[bytes]:
        """Many blobs in order through one `git cat-file --batch`, requests pipelined
        from a thread so that neither side waits for the other."""
        proc = popen_apart(
            ["git", "cat-file", "--batch"],
            cwd=self.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert proc.stdin is not None
        assert proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout

        def feed() -> None:
            try:
                for sha in shas:
                    stdin.write(sha.encode() + b"\n")
                stdin.close()
            except BrokenPipeError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for sha in shas:
                header = stdout.readline().split()
                if len(header) != 3:
                    raise JournalError(
                        f"git cat-file could not read {sha}: {b' '.join(header).decode(errors='replace')}"
                    )
                data = stdout.read(int(header[2]))
                stdout.read(1)  # the newline after each object
                yield data
        finally:
            proc.kill()
            proc.wait()
            writer.join(timeout=5)

    def read_config(self, commit: str | None = None) -> str:
        """journal.toml as committed (commit given) or as in the working tree."""
        if commit is None:
            try:
                return (self.root / CONFIG_FILE).read_text(encoding="utf-8")
            except FileNotFoundError as exc:
                raise NoArchive(
                    f"{self.root} has no {CONFIG_FILE}; restore it with "
                    f'"git -C {self.root} checkout -- {CONFIG_FILE}".'
                ) from exc
        data = self.read(commit, CONFIG_FILE)
        return data.decode("utf-8") if data else ""

    def revisions(
        self, path: str, last: str | None = None, first_seen: float | None = None
    ) -> list[Revision]:
        """Every journal commit that touched `path`, oldest first.

        Given the article's latest commit and the time of its first version (both in
        the local state), the walk starts at the one and stops at the other instead of
        crossing the whole history: ~20 ms instead of seconds at a million commits.
        """
        since = datetime.fromtimestamp(first_seen - 1, UTC) if first_seen else None
        rev = last if last and _SHA.match(last) else "HEAD"
        return list(reversed(list(self.log(paths=[path], rev=rev, since=since))))

    def log(
        self,
        *,
        paths: list[str] | None = None,
        limit: int | None = None,
        skip: int = 0,
        since: datetime | None = None,
        until: datetime | None = None,
        reverse: bool = False,
        rev: str = "HEAD",
    ) -> Iterator[Revision]:
        """Journal commits newest first (oldest first with `reverse`), streamed, each
        with the blob ids of its article file before and after.

        Date order, but never a parent before its children: merged shard histories
        whose commits share a second would otherwise read version 2 before version 1.
        """
        if self.head() is None:
            return
        args = ["log", _LOG_FORMAT, "--date-order", "--raw", "--no-abbrev", "--no-renames", "--no-color"]
        if limit is not None:
            args.append(f"--max-count={limit}")
        if skip:
            args.append(f"--skip={skip}")
        if since:
            args.append(f"--since={int(since.timestamp())}")
        if until:
            args.append(f"--until={int(until.timestamp())}")
        if reverse:
            args.append("--reverse")
        args += [rev, "--"]
        if paths:
            args += paths
        for record in self._stream(args):
            revision = _revision(record)
            if revision is not None:
                yield revision

    def is_ancestor(self, old: str, new: str) -> bool:
        import git

        try:
            self.repo.git.execute(["git", "merge-base", "--is-ancestor", old, new])
        except git.GitCommandError:
            return False
        return True

    def _stream(self, args: list[str]) -> Iterator[str]:
        proc = self.repo.git.execute(["git", *args], as_process=True)
        popen = proc.proc
        assert popen is not None
        assert popen.stdout is not None
        stdout: IO[bytes] = popen.stdout
        buffer = b""
        try:
            while chunk := stdout.read(1 << 16):
                buffer += chunk
                *records, buffer = buffer.split(_RECORD.encode())
                for record in records:
                    if record:
                        yield record.decode("utf-8", errors="replace")
            if buffer:
                yield buffer.decode("utf-8", errors="replace")
        finally:
            stdout.close()
            if popen.poll() is None:
                popen.kill()
            popen.wait()

    # -- the working tree ------------------------------------------------------

    def sync_worktree(self, old: str | None, new: str) -> None:
        """Bring index and files from commit `old` to `new`, keeping unrelated local edits."""
        if old == new:
            return
        if old is None:
            self.git("read-tree", "-u", "--reset", new, writing=True)
        else:
            # The index's stat data goes stale when the files are copied (`cp -a`, a
            # restore from backup): refreshed, it tells a real local edit from a copy.
            self.git("update-index", "-q", "--refresh", "--ignore-missing", "--unmerged", writing=True)
            self.git("read-tree", "-m", "-u", old, new, writing=True)

    def stage(self, path: str) -> None:
        self.git("update-index", "--add", "--", path)

    # -- upkeep ------------------------------------------------------------------

    def recover(self) -> list[str]:
        """Remove what a killed writer left behind; return a note for each thing removed,
        and for each git lock left in place because a live git process may hold it.

        Call only while holding the writer lock: then no journal process is writing.
        """
        found = leftovers.clear(Path(self.repo.git_dir), self.root)
        return [*found.removed, *found.kept]

    def index_locked(self) -> str | None:
        """Why the index cannot be written now (its lock is there), or None."""
        lock = Path(self.repo.git_dir) / "index.lock"
        if not lock.exists():
            return None
        holders = leftovers.git_processes(self.root, Path(self.repo.git_dir))
        who = str(holders[0]) if holders else "another git process"
        return f"{who} holds .git/index.lock"

    def write_commit_graph(self) -> None:
        """Add new commits to the commit-graph, with changed-path Bloom filters."""
        self.git("commit-graph", "write", "--reachable", "--changed-paths", "--split", "--no-progress")

    def maintain(self) -> None:
        """Full upkeep: one pack, one commit-graph layer with Bloom filters.

        `-f` looks for deltas afresh: fast-import stores most versions whole, and
        finding the deltas between versions of an article halves the archive.
        """
        self.git("repack", "-a", "-d", "-f", "-q")
        self.git("prune-packed")
        self.git(
            "commit-graph",
            "write",
            "--reachable",
            "--changed-paths",
            "--split=replace",
            "--no-progress",
        )

    def pack_count(self) -> int:
        return len(list((Path(self.repo.git_dir) / "objects" / "pack").glob("pack-*.pack")))

    # -- remotes -------------------------------------------------------------------

    def push(self, remote: str, branch: str = BRANCH) -> str:
        """Push `main` to `branch` on `remote`; raise PushFailed with git's reason,
        leaving local commits intact. Never forces."""
        import git

        try:
            out = self.repo.git.execute(
                ["git", "push", "--porcelain", "--", remote, f"refs/heads/{BRANCH}:refs/heads/{branch}"],
                env={
                    **os.environ,
                    "GIT_TERMINAL_PROMPT": "0",
                    "GIT_ASKPASS": "true",
                    "SSH_ASKPASS": "true",
                },
                kill_after_timeout=300,
                process_group=None,  # Ctrl-C stops a push, as any git push: the remote takes all or nothing
            )
        except git.GitCommandError as exc:
            raise PushFailed(
                f"push to {_redact(remote)} failed: {_stderr(exc).rstrip('.')}. Your commits are safe in "
                f'{self.root}; fix the remote and run "journal push" again.'
            ) from exc
        self._point_bare_head(remote, branch)
        return str(out)

    def _point_bare_head(self, remote: str, branch: str) -> None:
        """A bare repository on this machine whose HEAD names a branch it does not have
        (`git init --bare` names master) gets its HEAD pointed at the branch pushed, so
        that `git clone` checks the archive out."""
        where = self.remote_url(remote) or remote
        path = (
            Path(where.removeprefix("file://")) if "://" not in where or where.startswith("file://") else None
        )
        if path is None:
            return
        path = path if path.is_absolute() else self.root / path
        if not (path / "HEAD").is_file() or not (path / "objects").is_dir():
            return  # not a bare repository here
        import git

        bare = ["git", f"--git-dir={path}"]
        try:
            current = str(self.repo.git.execute([*bare, "symbolic-ref", "-q", "HEAD"]))
            self.repo.git.execute([*bare, "rev-parse", "--verify", "-q", current])
        except git.GitCommandError:
            with contextlib.suppress(git.GitCommandError):  # someone else's repository: leave it be
                self.repo.git.execute([*bare, "symbolic-ref", "HEAD", f"refs/heads/{branch}"])

    def add_remote(self, name: str, url: str) -> None:
        self.git("remote", "add", "--", name, url)

    def remote_url(self, name: str) -> str | None:
        import git

        try:
            return str(self.repo.git.execute(["git", "remote", "get-url", name]))
        except git.GitCommandError:
            return None


_MARK_BATCH = 1000  # 41-byte answers each: well inside a 64 KiB pipe


class Writer:
    """One `git fast-import` process that turns versions into commits on `main`."""

    def __init__(self, archive: Archive, identity: Identity):
        self.archive = archive
        self.identity = identity
        self._proc: subprocess.Popen[bytes] | None = None
        self._parent = archive.head()
        self._mark = 0
        self._pending = 0
        self.written: list[str] = []

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(commit=exc[0] is None)

    @property
    def pending(self) -> int:
        """Commits written to the stream since the last checkpoint."""
        return self._pending

    def _stdin(self) -> IO[bytes]:
        if self._proc is None:
            self._proc = popen_apart(
                ["git", "fast-import", "--quiet", "--done", "--date-format=raw"],
                cwd=self.archive.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=held_locks(),  # a killed updater's last checkpoint is finished under the lock
            )
        assert self._proc.stdin is not None
        return self._proc.stdin

    def commit(self, message: str, when: datetime, changes: Mapping[str, bytes | None]) -> None:
        """Queue one commit: each path gets new bytes, or is deleted when given None."""
        if when.tzinfo is None:
            raise ValueError("commit time must be timezone-aware")
        out = self._stdin()
        self._mark += 1
        msg = message.encode("utf-8")
        sig = self.identity.signature(when.astimezone(UTC)).encode("utf-8")
        parts = [
            f"commit refs/heads/{BRANCH}\nmark :{self._mark}\n".encode(),
            b"author " + sig + b"\n",
            b"committer " + sig + b"\n",
            f"data {len(msg)}\n".encode(), msg, b"\n",
        ]  # fmt: skip
        if self._mark == 1 and self._parent:
            parts.append(f"from {self._parent}\n".encode())
        for path, data in changes.items():
            if not _safe_repo_path(path):
                raise ValueError(f"refusing unsafe path {path!r}")
            if data is None:
                parts.append(f"D {path}\n".encode())
            else:
                parts += [f"M 100644 inline {path}\ndata {len(data)}\n".encode(), data, b"\n"]
        parts.append(b"\n")
        try:
            out.write(b"".join(parts))
        except BrokenPipeError as exc:
            raise JournalError(f"git fast-import stopped: {self._errors()}") from exc
        self._pending += 1

    def checkpoint(self) -> str | None:
        """Make every queued commit durable and move the branch; return the new head.

        `written` then holds the ids of the commits this checkpoint made, in order.
        """
        self.written = []
        if self._proc is None or self._pending == 0:
            return self.archive.head()
        token = f"journal-{self._mark}"
        self._send(b"checkpoint\n")
        # Ask for the commit ids a batch at a time and read each batch's answers
        # before asking more: fast-import blocks once its stdout pipe is full, and a
        # stream that only wrote would then wait on it for ever.
        marks = range(self._mark - self._pending + 1, self._mark + 1)
        for start in range(0, len(marks), _MARK_BATCH):
            batch = marks[start : start + _MARK_BATCH]
            self._send("".join(f"get-mark :{n}\n" for n in batch).encode())
            for _ in batch:
                line = self._answer()
                if not _SHA.match(line):
                    raise JournalError(f"git fast-import answered {line[:80]!r} to get-mark")
                self.written.append(line)
        self._send(f"progress {token}\n".encode())
        while (line := self._answer()) != f"progress {token}":
            pass
        self._pending = 0
        return self.written[-1] if self.written else self.archive.head()

    def _send(self, command: bytes) -> None:
        out = self._stdin()
        try:
            out.write(command)
            out.flush()
        except BrokenPipeError as exc:
            raise JournalError(f"git fast-import stopped: {self._errors()}") from exc

    def _answer(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline().decode(errors="replace").strip()
        if not line:
            raise JournalError(f"git fast-import stopped: {self._errors()}")
        return line

    def close(self, commit: bool = True) -> None:
        """End the stream: with `commit`, checkpoint first; otherwise drop queued commits."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        assert proc.stdin is not None
        try:
            if commit:
                proc.stdin.write(b"done\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass
        if not commit:
            proc.kill()  # --done makes fast-import discard everything after the last checkpoint
        code = proc.wait()
        if commit and code != 0:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise JournalError(f"git fast-import failed: {err.strip()[-500:]}")
        self._pending = 0

    def _errors(self) -> str:
        if self._proc is None or self._proc.stderr is None:
            return "unknown error"
        if self._proc.poll() is None:
            self._proc.kill()
        return self._proc.stderr.read().decode(errors="replace").strip()[-500:] or "no output"


def blob_id(data: bytes) -> str:
    """The id git gives a file of these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def clone_to_adopt(root: Path) -> str | None:
    """The remote-tracking branch holding an archive, when `root` is a clone that has
    no commit checked out (its HEAD names a branch the remote never had)."""
    import git

    try:
        repo = _repo_type()(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    if repo.head.is_valid():
        return None  # a commit is checked out
    refs = repo.git.execute(["git", "for-each-ref", "--format=%(refname)", "refs/remotes/"]).split()
    refs = [r for r in refs if not r.endswith("/HEAD")]
    candidates = [r for r in refs if r.endswith(f"/{BRANCH}")] or refs
    for ref in candidates:
        try:
            repo.git.execute(["git", "cat-file", "-e", f"{ref}:{CONFIG_FILE}"])
        except git.GitCommandError:
            continue
        return str(ref)
    return None


def _revision(record: str) -> Revision | None:
    parts = record.split(_FIELD)
    if len(parts) < 4:
        return None
    sha, stamp, message, files = parts[0].strip(), parts[1], parts[2], parts[3]
    subject, summary, trailers = commits.parse(message)
    change = trailers.get("Change")
    source = trailers.get("Source", "")
    raw = _raw_change(files)
    if not change or raw is None:
        return None  # a configuration commit, or one made by hand
    try:
        kind = Change(change)
        version = int(trailers.get("Version", "0"))
    except ValueError:
        return None
    path, before, after = raw
    return Revision(
        commit=sha,
        path=path,
        time=datetime.fromtimestamp(int(stamp), UTC),
        change=kind,
        version=version,
        url=trailers.get("Url", ""),
        source=source,
        title=commits.title_from_subject(subject, source),
        summary=summary,
        change_size=trailers.get("Change-Size"),
        words=trailers.get("Words"),
        extractor=trailers.get("Extractor"),
        fetched_at=trailers.get("Fetched-At"),
        blob=after,
        parent_blob=before,
    )


def _raw_change(files: str) -> tuple[str, str | None, str | None] | None:
    """(path, blob before, blob after) of the article file in `git log --raw` output."""
    for line in files.strip("\n").split("\n"):
        if line.startswith(":") and "\t" in line:
            meta, path = line.split("\t", 1)
            if not path.endswith(".md"):
                continue
            fields = meta.split()
            if len(fields) < 5:
                continue
            before, after = (None if set(f) == {"0"} else f for f in fields[2:4])
            return path, before, after
    return None


def _safe_repo_path(path: str) -> bool:
    parts = path.split("/")
    return (
        bool(path)
        and not path.startswith("/")
        and all(p and p not in (".", "..") and p != ".git" for p in parts)
        and re.fullmatch(r"[A-Za-z0-9._/-]+", path) is not None
    )


def _stderr(exc: git.GitCommandError) -> str:
    """git's reason in one line: errors and rejections, without hints and progress."""
    text = "\n".join(
        str(part).strip().removeprefix("stderr:").removeprefix("stdout:").strip().strip("'")
        for part in (exc.stdout, exc.stderr)
        if isinstance(part, str)
    )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [
        line for line in lines if not line.startswith(("hint:", "To ", "Done", "Everything up-to-date"))
    ]
    reason = " ".join(useful[-3:]) or " ".join(lines[-3:])
    if "fetch first" in reason or "non-fast-forward" in reason:
        reason += " (the remote has commits this archive does not have; journal never force-pushes)"
    return _redact(reason)[:600] or "no reason given"


def _redact(text: str) -> str:
    """Hide passwords in URLs (https://user:secret@host) before they reach a message."""
    return re.sub(r"(://[^/:@\s]+):[^@/\s]+@", r"\1:***@", text)
