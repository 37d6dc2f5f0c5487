"""`codequery search` without click: the common case of an agent's search, parsed and
answered before the command-line framework is imported.

Importing click (and the inspect, typing, uuid and datetime modules it brings) took
about a quarter of a search's whole process. This path takes only the plain forms:
`[-C DIR] search WORDS... [--json] [--tests] [--limit N | -n N]`, printed to a pipe or as
JSON; anything else (--help, a bad limit, a terminal that gets a table) goes to the click
command. The output is the same either way (both print through search_output), and so
are errors (both report through cli.failures)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from codequery import defaults


def _directory(argv: list[str]) -> tuple[str, list[str]] | None:
    """The folder to search from (`-C DIR`, else the current one) and the arguments after
    it; None where click would refuse or explain (`-C` with no folder, or one that is not
    a readable folder; a current folder that is gone)."""
    if argv[:1] != ["-C"]:
        try:
            return os.getcwd(), argv
        except OSError:
            return None
    if len(argv) < 2 or not argv[1]:
        return None
    directory = os.path.abspath(argv[1])
    if not os.path.isdir(directory) or not os.access(directory, os.R_OK):
        return None
    return directory, argv[2:]


def parse(argv: list[str]) -> tuple[Path, str, int, bool, bool] | None:
    """(directory, query, limit, tests, as JSON) for the plain forms of a search; None
    for anything else, which the click command parses (and explains)."""
    if "search" not in argv[:3]:
        return None  # not a search: not even the current folder is looked at
    found = _directory(argv)
    if found is None or found[1][:1] != ["search"]:
        return None
    directory, argv = found
    words, limit, tests, as_json = [], defaults.SEARCH_LIMIT, False, False
    args = iter(argv[1:])
    for arg in args:
        if arg == "--json":
            as_json = True
        elif arg == "--tests":
            tests = True
        elif arg in ("--limit", "-n") or arg.startswith("--limit="):
            value = arg.partition("=")[2] if "=" in arg else next(args, "")
            if not (value.isascii() and value.isdigit()
                    and 1 <= int(value) <= defaults.MAX_LIMIT):
                return None
            limit = int(value)
        elif arg.startswith("-") or not arg.strip():
            return None  # an option of click's (--help), `--`, or a blank word
        else:
            words.append(arg)
    if not words:
        return None
    return Path(directory), " ".join(words), limit, tests, as_json


def run(argv: list[str]) -> bool:
    """Answer a plain search (exiting with cli.failures' code if it fails); False when
    the click command must take it (see above)."""
    request = parse(argv)
    if request is None or not (request[4] or not sys.stdout.isatty()):
        return False
    directory, query, limit, tests, as_json = request
    workspace = None
    try:
        from codequery import operations
        from codequery.cli import search_output
        from codequery.workspace import Workspace

        workspace = Workspace.find_quickly(directory)
        results = operations.search(workspace, query, limit, tests=tests)
        if as_json:
            sys.stdout.write(search_output.json_text(results))
        elif results:
            search_output.write_out(search_output.plain(results))
        else:
            sys.stderr.write(operations.no_results(workspace, query) + "\n")
        for note in operations.search_notes(workspace, query):
            sys.stderr.write(note + "\n")
        if workspace.settings_trouble:
            sys.stderr.write(f"codequery: warning: {workspace.settings_trouble}\n")
        sys.stdout.flush()
    except (Exception, KeyboardInterrupt) as exc:
        from codequery.cli import failures

        raise SystemExit(failures.exit_code(exc, workspace)) from None
    return True
