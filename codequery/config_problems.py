"""How a config.json that cannot be read as JSON is described, alike by the commit hook
(standard library only) and by the commands (see config.load)."""

from __future__ import annotations

import json
from pathlib import Path


def not_json(path: Path, exc: json.JSONDecodeError) -> str:
    return (f"invalid config {path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})")


def not_utf8(path: Path) -> str:
    return f"invalid config {path}: not UTF-8 text"


def unreadable(path: Path, exc: OSError) -> str:
    return f"cannot read config {path}: {exc.strerror or exc}"
