"""`codequery search` without click: the common case of an agent's search, parsed and
answered before the command-line framework is imported.

Importing click (and the inspect, typing, uuid and datetime modules it brings) took
about a quarter of a search's whole process. This path takes only the plain forms:
`[-C DIR] search WORDS... [--json] [--tests] [--limit N | -n N]`, printed to a pipe or as
JSON. Anything else (--help, a bad limit, a terminal that gets a table) goes to the click
command, and so does any error: a search writes nothing, so the click command runs it
again and reports the error as every other command does. The output is the same either
way: both print through search_output."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_LIMIT = 10  # the click command's default too


def parse(argv: list[str]) -> tuple[Path, str, int, bool, bool] | None:
    """(directory, query, limit, tests, as JSON) for the plain forms of a search; None
    for anything else, which the click command parses (and explains)."""
    directory = os.getcwd()
    if argv[:1] == ["-C"] and len(argv) >= 2:
        directory, argv = os.path.join(directory, argv[1]), argv[2:]
        if not os.path.isdir(directory):
            return None
    if argv[:1] != ["search"]:
        return None
    words, limit, tests, as_json = [], DEFAULT_LIMIT, False, False
    args = iter(argv[1:])
    for arg in args:
        if arg == "--json":
            as_json = True
        elif arg == "--tests":
            tests = True
        elif arg in ("--limit", "-n") or arg.startswith("--limit="):
            value = arg.partition("=")[2] if "=" in arg else next(args, "")
            if not (value.isascii() and value.isdigit()):
                return None
            limit = int(value)  # out of range: operations.search refuses, click explains
        elif arg.startswith("-") or not arg.strip():
            return None  # an option of click's (--help), `--`, or a blank word
        else:
            words.append(arg)
    if not words:
        return None
    return Path(directory).absolute(), " ".join(words), limit, tests, as_json


def run(argv: list[str]) -> bool:
    """Answer a plain search; False when the click command must take it (see above)."""
    request = parse(argv)
    if request is None or not (request[4] or not sys.stdout.isatty()):
        return False
    directory, query, limit, tests, as_json = request
    from codequery import operations
    from codequery.cli import search_output
    from codequery.workspace import Workspace

    try:
        workspace = Workspace.find(directory)
        results = operations.search(workspace, query, limit, tests=tests)
        empty = None if results or as_json else operations.no_results(workspace, query)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except Exception:  # noqa: BLE001 - the click command runs it again and reports it
        return False
    if as_json:
        sys.stdout.write(search_output.json_text(results))
    elif empty is not None:
        sys.stderr.write(empty + "\n")
    else:
        search_output.write_out(search_output.plain(results))
    return True
