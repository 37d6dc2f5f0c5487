"""Whether a record still describes the file on disk. Only results are hashed: cheap."""

from __future__ import annotations

from pathlib import Path

from codequery import file_text, git


def is_stale(root: Path, path: str, content_sha: str) -> bool:
    data = file_text.regular_bytes(root, path)
    if data is None:  # gone, unreadable, no longer a file: it describes nothing current
        return True
    return git.worktree_sha(data, content_sha) != content_sha


def stale_paths(root: Path, documented: dict[str, str]) -> list[str]:
    """Records that no longer match their file, without hashing the whole tree: git's
    index already knows the blob id of every file the work tree has not modified."""
    entries = git.tracked_files(root)
    index = {e.path: e.sha for e in entries}
    # git's blob id of a symlink is the link's text; a record holds its target's content.
    links = {e.path for e in entries if e.mode == git.SYMLINK_MODE}
    modified = git.modified_files(root)
    stale = []
    for path, sha in documented.items():
        if path in modified or path not in index or path in links:
            if is_stale(root, path, sha):
                stale.append(path)
        elif index[path] != sha:
            stale.append(path)
    return stale
