"""What the bench scripts share: isolation from the caller's git and home, and running
commands that must succeed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def codequery_command() -> str:
    """The `codequery` installed beside this interpreter, else the one on PATH."""
    sibling = Path(sys.executable).parent / "codequery"
    return str(sibling) if sibling.exists() else (shutil.which("codequery") or "codequery")


def isolate(home: Path) -> None:
    """This process and all it starts: no GIT_* or CODEQUERY_* of the caller, a HOME of
    our own with a minimal git identity."""
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = bench\n\temail = bench@example.com\n")
    for name in [k for k in os.environ if k.startswith(("GIT_", "CODEQUERY_"))]:
        del os.environ[name]
    os.environ.pop("XDG_CONFIG_HOME", None)
    os.environ["HOME"] = str(home)


def run(args: list[str], cwd: Path) -> str:
    """Run a command that must succeed; its output (stdout then stderr)."""
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr
