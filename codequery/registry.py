"""The repositories set up on this machine (`codequery init` registers each), which
`codequery worker start --all` serves from one process.

A user-level list, `$XDG_CONFIG_HOME/codequery/repositories.json`: a work tree's own
`.code-query/` says nothing about the others. A registered path that is no longer set up
(moved, deleted, `.code-query/` removed) is skipped, not an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from codequery.paths import RepoPaths


def xdg_base(kind: str = "XDG_CONFIG_HOME", default: str = ".config") -> Path:
    """The user's XDG base directory `kind` (an environment variable), else `~/default`."""
    value = os.environ.get(kind, "")
    # The XDG spec says a relative value is invalid and must be ignored.
    return Path(value) if os.path.isabs(value) else Path.home() / default


def user_dir(kind: str = "XDG_CONFIG_HOME", default: str = ".config") -> Path:
    return xdg_base(kind, default) / "codequery"


def registry_file() -> Path:
    return user_dir() / "repositories.json"


def _read() -> list[str]:
    try:
        data = json.loads(registry_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("repositories", []) if isinstance(data, dict) else []
    return [item for item in found if isinstance(item, str)]


def register(root: Path) -> None:
    known = _read()
    where = str(Path(root).resolve())
    if where in known:
        return
    target = registry_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"repositories": [*known, where]}, indent=2) + "\n",
                   encoding="utf-8")
    os.replace(tmp, target)


def registered() -> list[Path]:
    """Registered work trees that are still set up, in the order they were registered."""
    return [Path(p) for p in _read() if RepoPaths(Path(p)).settings.exists()]


def all_worker_paths() -> RepoPaths:
    """Where the worker of every registered repository keeps its lock, pid file and log:
    the same layout as a repository's `.code-query/`, under the user's state directory."""
    return RepoPaths(user_dir("XDG_STATE_HOME", ".local/state"))

