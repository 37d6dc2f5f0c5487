"""Reading file content by blob id from git's object store, for the worker.

The reconciler asks for the content git has in its index; when the work tree holds
something else (an uncommitted edit, a file deleted on disk, a branch switched again
meanwhile), a job documents exactly the blob it was given. GitPython keeps one
`git cat-file --batch` process per repository open for this, instead of one process per
file. Never imported by the git hook.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_REPOS: dict[Path, tuple[object, threading.Lock]] = {}
_GUARD = threading.Lock()


def _repo(root: Path):  # noqa: ANN202 - git.Repo, imported lazily (it is slow to import)
    with _GUARD:
        found = _REPOS.get(root)
        if found is None:
            import git as gitpython

            # Our processes run without a hook's GIT_* variables (the worker is started
            # without them, the hook's fallback too), so this is the work tree's own git.
            repo = gitpython.Repo(root)
            found = _REPOS[root] = (repo, threading.Lock())
        return found


class _TooLarge:
    """What `read` returns for a blob over the size limit (compared by identity)."""


TOO_LARGE = _TooLarge()


def read(root: Path, sha: str, max_bytes: int) -> bytes | _TooLarge | None:
    """The content of blob `sha`; `TOO_LARGE` if it holds more than `max_bytes`; None if
    git does not have it."""
    try:
        binsha = bytes.fromhex(sha)
    except ValueError:
        return None
    try:
        repo, lock = _repo(root)
        with lock:  # one batch process: its requests and answers must not interleave
            if repo.odb.info(binsha).size > max_bytes:
                return TOO_LARGE
            return repo.odb.stream(binsha).read()
    except Exception as exc:  # noqa: BLE001 - missing object, broken repo: the caller decides
        log.debug("blob %s not readable from %s: %s", sha, root, exc)
        return None


def close_all() -> None:
    with _GUARD:
        for repo, _ in _REPOS.values():
            repo.close()
        _REPOS.clear()
