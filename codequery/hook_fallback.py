"""The git hook's fallback when no worker runs: reconcile and document within a budget.

Run by the hook as `python -I -m codequery.hook_fallback HOOK [SECONDS]` in a process of
its own, so that the hook's own process only ever loads the standard library. Prints the
one line the hook shows; never fails (the commit is already made).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from codequery.errors import CodeQueryError
from codequery.hook import log_failure, unharmed
from codequery.paths import RepoPaths
from codequery.wording import plural


def document(paths: RepoPaths, hook: str, started: float, budget: float | None) -> str:
    from codequery.local_run import document_now
    from codequery.workspace import Workspace

    deadline = None if budget is None else started + budget  # checked between files
    outcome = document_now(Workspace(paths.root), trigger=f"hook:{hook}", deadline=deadline)
    took = time.monotonic() - started
    mode = "synchronous mode" if budget is None else "no worker running"
    changes = [f"{plural(n, 'file')} {done}" for n, done in
               ((outcome.documented, "documented"),
                (outcome.reused, "reused (same content documented before)"),
                (outcome.removed, "removed")) if n]
    if changes:
        line = f"documentation updated ({mode}, {', '.join(changes)}, {took:.1f} s)"
    elif not (outcome.failed or outcome.left):
        return ""  # the index already matched the tree
    else:
        line = f"documentation not updated ({mode}, {took:.1f} s)"
    if outcome.failed:
        line += f"; {len(outcome.failed)} failed (codequery queue list --status pending)"
    if outcome.blocked:
        line += f"; calls stopped: {outcome.blocked}"
    if outcome.left:
        line += (f"; {outcome.left} left pending for the worker (codequery worker start, "
                 "or document them now: codequery document)")
    return line


def main(argv: list[str]) -> int:
    hook = argv[0] if argv else "hook"
    budget = float(argv[1]) if len(argv) > 1 and argv[1] else None
    started = time.monotonic()
    paths = RepoPaths(Path.cwd())
    try:
        line = document(paths, hook, started, budget)
    except CodeQueryError as exc:
        line = f"{exc}; {unharmed(hook)}, documentation was not updated"
    except BaseException as exc:  # noqa: BLE001 - the commit is made; say what went wrong
        where = log_failure(paths, hook, exc)
        line = (f"documentation not updated ({type(exc).__name__}: {exc}); "
                f"{unharmed(hook)}; details in {where}")
    if line:
        print(f"codequery: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
