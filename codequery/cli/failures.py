"""How a command's failure leaves the program, for the click group and the quick search
alike (no click here): our errors as one red line and exit 1; a damaged database as
what to do about it; a reader that went away (`| head`) quietly; Ctrl-C as exit 130;
anything else as a bug, with a crash log and where it is."""

from __future__ import annotations

import os
import sys

from codequery.cli.formatting import one_line
from codequery.errors import CodeQueryError

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from codequery.workspace import Workspace


def _red(line: str) -> None:
    stream = sys.stderr
    stream.write((f"\x1b[31m{line}\x1b[0m" if stream.isatty() else line) + "\n")
    stream.flush()


def _reader_gone() -> None:
    """Standard output's reader left: point it at /dev/null, so that Python's last flush
    at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file (a test's capture): nothing to flush into a closed pipe


class InterruptSaid(KeyboardInterrupt):
    """Ctrl-C, after the command said what it kept and how to go on: exit 130, no more."""


def exit_code(exc: BaseException, workspace: Workspace | None) -> int:
    """Tell what went wrong (on standard error); the exit code. `workspace`: the one the
    command opened, if any (it knows whether its database is damaged)."""
    if isinstance(exc, KeyboardInterrupt):
        if not isinstance(exc, InterruptSaid):
            sys.stderr.write("interrupted\n")
        return 130
    if isinstance(exc, CodeQueryError):
        _red(f"error: {one_line(str(exc))}")
        return 1
    if isinstance(exc, BrokenPipeError):
        _reader_gone()
        return 1
    damage = workspace.damage_error(exc) if workspace is not None else None
    if damage is not None:
        _red(f"error: {damage}")
        return 1
    from codequery import crashlog

    where = crashlog.write(exc)
    _red(f"error: codequery hit a bug ({type(exc).__name__}: {exc}); details in {where}; "
         "please report it")
    return 1
