"""The Huey instance and tasks of one repository (CODEQUERY_ROOT, or the current one).

Task arguments are ledger ids, never objects: the ledger row says what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from codequery import git
from codequery.errors import CodeQueryError
from codequery.transport import build
from codequery.workspace import Workspace


def _root() -> Path:
    start = Path(os.environ.get("CODEQUERY_ROOT") or os.getcwd())
    try:
        return git.toplevel(start)
    except CodeQueryError:
        return start


workspace = Workspace(_root())
if not workspace.paths.settings.exists():
    raise CodeQueryError(workspace.why_not_set_up()
                         + " (or set CODEQUERY_ROOT to the repository)")

workspace.check_not_stashed()  # before the queue's database is made in its place
huey, runtime, _tasks = build(workspace)
document_job = _tasks["document_job"]
prune_completed = _tasks["prune_completed"]
