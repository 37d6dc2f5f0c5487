"""Which files a commit, merge or rewrite changed, from git's -z raw diff output.

Standard library only (the git hooks use it).
"""

from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

from codequery import git

NULL_SHA = "0" * 40


# path, deleted, sha (the new blob id; None when deleted), mode
Change = namedtuple("Change", "path deleted sha mode")


def parse_raw(out: bytes) -> list[Change]:
    """`git diff-tree -r -z --raw -M` output -> changes; a rename is a delete plus an add."""
    tokens = out.split(b"\0")
    changes: list[Change] = []
    i = 0
    while i < len(tokens):
        meta = tokens[i].decode("ascii", "replace")
        if not meta.startswith(":"):
            i += 1
            continue
        _old_mode, new_mode, _old_sha, new_sha, status = meta[1:].split(" ")
        paths = [os.fsdecode(tokens[i + 1])]
        if status[0] in "RC":
            paths.append(os.fsdecode(tokens[i + 2]))
        i += 1 + len(paths)
        if status[0] == "D":
            changes.append(Change(paths[0], True, None, new_mode))
            continue
        if status[0] == "R":
            changes.append(Change(paths[0], True, None, new_mode))
        sha = None if new_sha == NULL_SHA else new_sha
        changes.append(Change(paths[-1], False, sha, new_mode))
    return changes


def diff(root: Path, old: str | None, new: str) -> list[Change]:
    args = ["diff-tree", "-r", "-z", "--raw", "-M", "--no-commit-id"]
    if old is None:  # one commit against its first parent (the root commit too)
        args += ["--root", "--first-parent", "-m", new]
    else:
        args += [old, new]
    return parse_raw(git.run(args, root))


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
