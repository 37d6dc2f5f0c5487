"""Where codequery keeps its files inside one work tree. Standard library only."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from codequery import defaults


class RepoPaths(namedtuple("RepoPaths", "root")):
    """The files of `.code-query/` under a work tree's root (a namedtuple: the git hook
    cannot afford the import of dataclasses)."""

    __slots__ = ()
    root: Path

    @property
    def state_dir(self) -> Path:
        return self.root / defaults.STATE_DIR

    @property
    def config(self) -> Path:
        return self.state_dir / defaults.CONFIG_FILE

    @property
    def last_config(self) -> Path:
        """A copy of the last config.json read, used on a branch that lacks the file (one
        made before it was committed): the index still follows such a checkout."""
        return self.state_dir / defaults.LAST_CONFIG_FILE

    @property
    def settings(self) -> Path:
        """config.json, or when this checkout has none, the last copy of it."""
        config = self.config
        if not config.exists() and self.last_config.exists():
            return self.last_config
        return config

    @property
    def data_db(self) -> Path:
        return self.state_dir / defaults.DATA_DB

    @property
    def huey_db(self) -> Path:
        return self.state_dir / defaults.HUEY_DB

    @property
    def pid_file(self) -> Path:
        return self.state_dir / defaults.PID_FILE

    @property
    def lock_file(self) -> Path:
        return self.state_dir / defaults.LOCK_FILE

    @property
    def log_dir(self) -> Path:
        return self.state_dir / defaults.LOG_DIR

    @property
    def gitignore(self) -> Path:
        return self.state_dir / ".gitignore"


def private(path: str) -> bool:
    """Git's own folder or codequery's state (a path from the work tree's root): never
    content for the index."""
    top = path.split("/", 1)[0]
    return top in (".git", defaults.STATE_DIR)
