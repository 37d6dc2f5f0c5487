"""Whether a record still describes the file on disk. Only results are hashed: cheap."""

from __future__ import annotations

from pathlib import Path

from codequery import git


def is_stale(root: Path, path: str, content_sha: str) -> bool:
    try:
        data = (root / path).read_bytes()
    except OSError:
        return True  # gone (or unreadable): the record describes nothing current
    return git.blob_sha(data) != content_sha


def stale_paths(root: Path, documented: dict[str, str]) -> list[str]:
    """Records that no longer match their file, without hashing the whole tree: git's
    index already knows the blob id of every file the work tree has not modified."""
    entries = git.tracked_files(root)
    index = {e.path: e.sha for e in entries}
    # git's blob id of a symlink is the link's text; a record holds its target's content.
    links = {e.path for e in entries if e.mode == git.SYMLINK_MODE}
    modified = set(git.split_z(git.run(["diff-files", "--name-only", "-z"], root)))
    stale = []
    for path, sha in documented.items():
        if path in modified or path not in index or path in links:
            if is_stale(root, path, sha):
                stale.append(path)
        elif index[path] != sha:
            stale.append(path)
    return stale
