"""Running git: argument lists, `-z` output, and an environment free of a hook's GIT_*.

Standard library only, because the git hooks use it on their fast path.
"""

from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

from codequery.errors import CodeQueryError

# Git exports these into hooks; left in place they would point a git run for another
# work tree (or a temporary index during `commit -a`) at the wrong repository.
_KEEP = {"GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY",
         "GIT_CONFIG_NOSYSTEM", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
         "GIT_COMMITTER_EMAIL", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"}

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"


class GitMissing(CodeQueryError):
    """No git to run."""


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP}


def run(args: list[str], cwd: Path, *, check: bool = True) -> bytes:
    import subprocess  # here: a search that starts no git does not import it

    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=clean_env(), capture_output=True, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        if not os.path.isdir(cwd):  # `git worktree remove` took the work tree away
            raise CodeQueryError(f"{cwd} is gone: no such folder") from None
        raise GitMissing("git is not installed or not on PATH") from None
    if check and done.returncode != 0:
        # git's advice ("hint: ...") follows the reason; it is not the reason.
        message = [line for line in done.stderr.decode(errors="replace").strip().splitlines()
                   if not line.startswith("hint:")]
        raise CodeQueryError(f"git {args[0]} failed: {message[-1] if message else 'no output'}")
    return done.stdout


def committed(root: Path, path: str) -> bool:
    """Whether `path` (from the root) is in the commit checked out."""
    return bool(run(["cat-file", "-t", f"HEAD:{path}"], root, check=False).strip())


def ignore_rule(root: Path, path: str) -> str | None:
    """The rule that makes git ignore `path`, as `source:line: pattern`, or None."""
    import re

    out = run(["check-ignore", "-v", "--", path], root, check=False)
    # `<source>:<line>:<pattern>\t<path>`; with -v a negated pattern (`!x`) is listed too,
    # and matching it means the path is not ignored.
    found = re.match(r"(.*?:\d+):(.*)\t", os.fsdecode(out))
    if found is None or found[2].startswith("!"):
        return None
    return f"{found[1]}: {found[2]}"


def nearest_work_tree(start: Path) -> Path | None:
    """The work tree `start` is in, found as `git rev-parse --show-toplevel` finds it with
    the environment `run` gives git, but without starting git: the nearest folder at or
    above `start` holding a `.git` folder with a HEAD, or a `.git` file (a linked
    worktree's or a submodule's `gitdir:` line). None wherever git might answer otherwise:
    inside a `.git` folder, across a file system boundary (git stops there), in a work
    tree another user owns (git's safe.directory), or with no `.git` at all."""
    folder = os.path.realpath(start)
    if ".git" in Path(folder).parts:
        return None
    try:
        device = os.stat(folder).st_dev
        while True:
            dot_git = os.path.join(folder, ".git")
            if os.path.isfile(os.path.join(dot_git, "HEAD")) or _is_gitlink(dot_git):
                owner = getattr(os, "getuid", None)
                return (Path(folder) if owner is None or os.stat(folder).st_uid == owner()
                        else None)
            parent = os.path.dirname(folder)
            if parent == folder or os.stat(parent).st_dev != device:
                return None
            folder = parent
    except OSError:
        return None


def _is_gitlink(path: str) -> bool:
    if not os.path.isfile(path):
        return False
    with open(path, "rb") as f:
        return f.read(8) == b"gitdir: "


def toplevel(start: Path) -> Path:
    try:
        out = run(["rev-parse", "--show-toplevel"], start)
    except GitMissing:
        raise
    except CodeQueryError:
        raise CodeQueryError(
            f"{start} is not inside a git work tree; run codequery in a git repository "
            "(or pass -C DIR)"
        ) from None
    return Path(os.fsdecode(out.rstrip(b"\n")))


def split_z(out: bytes) -> list[str]:
    return [os.fsdecode(item) for item in out.split(b"\0") if item]


TrackedFile = namedtuple("TrackedFile", "path mode sha")  # one `git ls-files -s` entry


def modified_files(root: Path) -> frozenset[str]:
    """The tracked paths whose work-tree file git sees differ from its index (edited,
    gone, its stat changed): the only ones whose content may not be their blob."""
    return frozenset(split_z(run(["diff-files", "--name-only", "-z"], root)))


def tracked_files(root: Path, pathspecs: list[str] | None = None,
                  undecodable: list[bytes] | None = None) -> list[TrackedFile]:
    """Files in the index, once each. A conflicted file has several stages: it is
    described as HEAD has it (stage 2, "ours"), else as the branch merged in has it
    (3: HEAD deleted it); one that both sides deleted (the merge base's stage 1 alone,
    which neither side holds) is left out.

    A name that is not UTF-8 cannot be stored as text: it is left out, and reported in
    `undecodable` when a list is given.
    """
    args = ["ls-files", "-z", "-s", "--"]
    if pathspecs:
        # :(literal) keeps a name like `*.py` or `:x` from being read as magic.
        args += [f":(literal){spec}" for spec in pathspecs]
    seen: dict[str, tuple[int, TrackedFile]] = {}
    for raw in run(args, root).split(b"\0"):
        if not raw:
            continue
        meta, _, name = raw.partition(b"\t")
        try:
            path = name.decode("utf-8")
        except UnicodeDecodeError:
            if undecodable is not None:
                undecodable.append(name)
            continue
        mode, sha, stage = meta.decode("ascii").split(" ")
        if stage not in _STAGE_PREFERENCE:
            continue
        preference = _STAGE_PREFERENCE.index(stage)
        if path not in seen or preference < seen[path][0]:
            seen[path] = (preference, TrackedFile(path, mode, sha))
    return [tracked for _, tracked in seen.values()]


# Which stage of a file describes it: merged (0), HEAD's (2), the other side's (3); never
# the merge base's (1).
_STAGE_PREFERENCE = ("0", "2", "3")


def blob_sha(data: bytes) -> str:
    """The id git gives this content, so a record's sha compares with git's own output."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def as_stored(data: bytes, expected: str | None) -> bytes:
    """Work-tree bytes as git stores them: a text file checked out with CRLF line ends
    (core.autocrlf, `eol=crlf`) that is the blob `expected` once git undoes them, in LF
    (git itself calls such a file unmodified); any other as it is."""
    if expected is None or b"\r\n" not in data or blob_sha(data) == expected:
        return data
    lf = data.replace(b"\r\n", b"\n")
    return lf if blob_sha(lf) == expected else data


def worktree_sha(data: bytes, expected: str | None = None) -> str:
    """git's id of work-tree bytes: `expected` when they are that blob checked out with
    CRLF line ends (see as_stored), else their own."""
    return blob_sha(as_stored(data, expected))
