"""Documenting now, in this process: `codequery init` and `document`, and the git hook's
fallback when no worker runs.

There is one pipeline. The reconciler works out what the tree needs and queues it; the
jobs then run here through the same `JobRunner` the worker uses, each completed in one
transaction. So an interrupted run keeps everything it finished, and a file that fails
keeps a pending job that the worker (or the next run) retries.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from codequery import content_key, ledger, liveness, reconcile
from codequery.jobs import DEFERRED, JobRunner
from codequery.workspace import Workspace

FAILED = (ledger.PENDING, ledger.DEAD)


@dataclass
class Outcome:
    documented: int = 0
    unchanged: int = 0  # records already current, or pointed at content documented before
    removed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)
    left: int = 0  # still pending: out of time, or the documenter cannot be called now
    blocked: str | None = None  # why calls stopped (e.g. the circuit breaker)
    job_ids: list[str] = field(default_factory=list)


def request(ws: Workspace, runner: JobRunner, only: list[str] | None, *, force: bool = False,
            priority: str = "normal", trigger: str = "cli") -> tuple[reconcile.Result, int]:
    """Queue what the files under `only` (default: the whole tree) need.

    Without paths this is a reconcile of the whole tree. Named paths are documented as
    the work tree has them (an uncommitted edit included: someone asked for it). `force`
    redoes content that is documented already. Returns the result and the number of named
    paths that are not tracked.
    """
    store = runner.store
    found = reconcile.plan(store, ws.root, runner.config, runner.identity, only)
    untracked = 0
    if only is not None:
        found.point = []  # a job finds kept content of what is on disk, not of the index
        found.document = _as_on_disk(ws, store.view(), found.wanted, runner.identity, force)
        untracked = sum(1 for path in only if not any(reconcile.under(p, [path])
                                                      for p in found.wanted))
    elif force:
        found.point, found.document = [], sorted(found.wanted.items())
    operation = ledger.REDO if force else ledger.DOCUMENT
    result = reconcile.apply(store, found, trigger=trigger, priority=priority,
                             operation=operation, config=runner.config if only is None else None)
    liveness.wake(ws.paths)
    return result, untracked


def _as_on_disk(ws: Workspace, view: dict[str, str | None], wanted: dict[str, str],
                ident: content_key.Identity, force: bool) -> list[tuple[str, str]]:
    items = []
    for path, indexed in sorted(wanted.items()):
        # Gone from disk (or a directory): git's copy is what there is.
        sha = reconcile.disk_sha(ws.root, path) or indexed
        if force or not content_key.is_current(view.get(path), sha, ident.key(sha)):
            items.append((path, sha))
    return items


def run(runner: JobRunner, job_ids: list[str], *, deadline: float | None = None,
        on_file: Callable[[str], None] | None = None) -> Outcome:
    """Run these jobs here, one by one, until done, out of time, or the documenter is
    blocked (its circuit breaker open): what is left stays pending for the worker."""
    outcome = Outcome(job_ids=list(job_ids))
    for index, job_id in enumerate(job_ids):
        if deadline is not None and time.monotonic() >= deadline:
            outcome.left = len(job_ids) - index
            break
        done = runner.run(job_id)
        if done is not None:
            _count(outcome, done)
            if done.status == DEFERRED:
                outcome.blocked = done.detail
                outcome.left = len(job_ids) - index
                break
        if on_file is not None:
            on_file(done.path if done is not None else "")
    return outcome


def _count(outcome: Outcome, done) -> None:  # noqa: ANN001 - jobs.JobResult
    detail = done.detail or ""
    if done.status in FAILED:
        outcome.failed.append((done.path, detail))
    elif done.status != ledger.COMPLETED:
        return
    elif detail.startswith("not documented: "):
        outcome.skipped[detail.removeprefix("not documented: ")] += 1
    elif detail.startswith("documented by"):
        outcome.documented += 1
    elif detail == "record removed":
        outcome.removed += 1
    else:
        outcome.unchanged += 1


def summarize(result: reconcile.Result, outcome: Outcome, untracked: int = 0) -> Outcome:
    """Fold what the reconcile settled by itself into the run's outcome."""
    found = result.plan
    outcome.unchanged += found.current + len(found.point)
    outcome.removed += len(found.remove)
    if found.skipped:
        outcome.skipped["unchanged since skipped"] += found.skipped
    if found.undecodable:
        outcome.skipped["file name not UTF-8"] += found.undecodable
    if untracked:
        outcome.skipped["not tracked"] += untracked
    return outcome


def document_now(ws: Workspace, only: list[str] | None = None, *, force: bool = False,
                 trigger: str = "cli", deadline: float | None = None,
                 on_total: Callable[[int], None] | None = None,
                 on_file: Callable[[str], None] | None = None,
                 runner: JobRunner | None = None) -> Outcome:
    """Reconcile (or queue the named paths), then run the resulting jobs here."""
    runner = runner or JobRunner(ws)
    # A run killed midway (Ctrl-C, a killed hook) left jobs processing; their holder is
    # gone, so they are released now rather than when their lease runs out.
    ledger.release_processing(runner.store.conn, runner.config.dataset, only_expired=False,
                              worker=trigger)
    result, untracked = request(ws, runner, only, force=force, priority="high",
                               trigger=trigger)
    ids = list(dict.fromkeys([q.id for q in result.queued] + result.plan.waiting))
    if on_total is not None:
        on_total(len(ids))
    outcome = run(runner, ids, deadline=deadline, on_file=on_file)
    return summarize(result, outcome, untracked)
