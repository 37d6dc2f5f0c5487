"""Which files a commit, merge or rewrite changed, from git's -z raw diff output.

Standard library only (the git hooks use it).
"""

from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

from codequery import git
from codequery.errors import CodeQueryError

NULL_SHA = "0" * 40


# path, deleted, sha (the new blob id; None when deleted), mode, renamed_from (old path)
Change = namedtuple("Change", "path deleted sha mode renamed_from", defaults=(None,))


def decode_path(raw: bytes) -> str | None:
    """A path git printed, or None if it is not UTF-8 (it could not be stored as text)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def parse_raw(out: bytes) -> list[Change]:
    """`git diff-tree -r -z --raw -M` output -> changes, one per path (the last wins).

    A rename is the new path (naming the old one) plus the old path deleted. Paths that are
    not UTF-8 are left out: nothing could store them.
    """
    tokens = out.split(b"\0")
    changes: dict[str, Change] = {}
    i = 0
    while i < len(tokens):
        meta = tokens[i].decode("ascii", "replace")
        if not meta.startswith(":"):
            i += 1
            continue
        _old_mode, new_mode, _old_sha, new_sha, status = meta[1:].split(" ")
        count = 2 if status[0] in "RC" else 1
        paths = [decode_path(raw) for raw in tokens[i + 1:i + 1 + count]]
        i += 1 + count
        if status[0] == "D":
            if paths[0] is not None:
                changes[paths[0]] = Change(paths[0], True, None, new_mode)
            continue
        if status[0] == "R" and paths[0] is not None:
            changes[paths[0]] = Change(paths[0], True, None, new_mode)
        if paths[-1] is not None:
            sha = None if new_sha == NULL_SHA else new_sha
            source = paths[0] if status[0] == "R" else None
            changes[paths[-1]] = Change(paths[-1], False, sha, new_mode, source)
    return list(changes.values())


def diff(root: Path, old: str | None, new: str) -> list[Change]:
    """Changes from `old` to `new`; with no `old`, those of commit `new` against its first
    parent (a merge commit too), or of the root commit."""
    args = ["diff-tree", "-r", "-z", "--raw", "-M", "--no-commit-id"]
    if old is not None:
        return parse_raw(git.run([*args, old, new], root))
    try:
        return parse_raw(git.run([*args, f"{new}^1", new], root))
    except CodeQueryError:  # no parent: the root commit
        return parse_raw(git.run([*args, "--root", new], root))


def in_rebase(root: Path) -> bool:
    """A rebase is under way (git exports nothing that says so to post-commit hooks)."""
    out = git.run(["rev-parse", "--git-path", "rebase-merge", "--git-path", "rebase-apply"],
                  root, check=False)
    return any((root / os.fsdecode(p)).is_dir() for p in out.splitlines() if p)


def _exists(root: Path, rev: str) -> bool:
    return bool(git.run(["rev-parse", "--verify", "-q", rev + "^{commit}"], root, check=False))


def for_hook(root: Path, hook: str, args: list[str], stdin: bytes) -> list[Change]:
    """What the hook's event changed in this work tree."""
    if hook == "post-commit":
        return diff(root, None, "HEAD")
    if hook == "post-merge":
        if _exists(root, "ORIG_HEAD"):
            return diff(root, "ORIG_HEAD", "HEAD")
        return diff(root, None, "HEAD")
    if hook == "post-rewrite":
        pairs = [line.split()[:2] for line in stdin.decode("ascii", "replace").splitlines()
                 if len(line.split()) >= 2]
        if not pairs:
            return []
        # The work tree went from the old tip to HEAD. A rebase records the old tip in
        # ORIG_HEAD (a dropped last commit is not in the list); an amend names it.
        before = pairs[-1][0]
        if args[:1] == ["rebase"] and _exists(root, "ORIG_HEAD"):
            before = "ORIG_HEAD"
        return diff(root, before, "HEAD")
    raise ValueError(f"not a hook codequery handles: {hook}")
