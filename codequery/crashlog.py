"""When codequery has a bug: keep the traceback and the versions, say where they are."""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

from codequery import __version__


def crash_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "codequery"


def write(exc: BaseException, argv: list[str] | None = None) -> Path:
    directory = crash_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "crash.log"
    with path.open("a", encoding="utf-8") as out:
        out.write(f"\n=== {datetime.now(timezone.utc).isoformat(timespec='seconds')} ===\n")
        out.write(f"codequery {__version__}, Python {platform.python_version()}, "
                  f"{platform.platform()}\n")
        out.write(f"argv: {argv if argv is not None else sys.argv}\n")
        out.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return path
