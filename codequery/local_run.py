"""Documenting now, in this process: `codequery init` and `document`, and the git hook's
fallback when no worker runs.

There is one pipeline. The reconciler works out what the tree needs; the jobs then run
here through the same `JobRunner` the worker uses, each completed in one transaction. So
an interrupted run keeps everything it finished, and a file that fails keeps a pending
job that the worker (or the next run) retries. The work is worked out first and written
only when asked (`submit`), so a caller can say what it will cost before anything is
queued.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from codequery import blocking, ledger, liveness, reconcile
from codequery.breaker import CLOSED
from codequery.documenters import process
from codequery.eligibility import link_target, secret_name
from codequery.errors import CodeQueryError
from codequery.jobs import DEFERRED, REUSED, JobRunner
from codequery.workspace import Workspace

FAILED = (ledger.PENDING, ledger.DEAD)
# How fast a run is first assumed to document, in bytes a second, before it has timed a
# file of its own: a file that would not fit in the time left is left for the worker, so a
# commit's budget is kept (a 3.4 MB generated Python file took 7 s of a 5 s budget). The
# builtin documenter outlines about 400 KB a second of Python dense with definitions on a
# slow machine; most files go faster.
ASSUMED_BYTES_PER_SECOND = 250_000


@dataclass
class Outcome:
    documented: int = 0
    unchanged: int = 0  # records already current, or pointed at content documented before
    reused: int = 0  # of those, pointed at content documented before (a rename, a branch)
    removed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_now: list[tuple[str, str]] = field(default_factory=list)  # (path, why): this run's
    failed: list[tuple[str, str]] = field(default_factory=list)
    left: int = 0  # still pending: out of time, or the documenter cannot be called now
    dead: int = 0  # retries used up earlier: waiting for `codequery queue retry`
    by_worker: int = 0  # done meanwhile by a running worker
    blocked: str | None = None  # why calls stopped (e.g. the circuit breaker)
    needs_login: bool = False  # stopped by a block the user must lift (not logged in)
    declined: bool = False  # the cost was asked about and refused: nothing was done
    gone: int = 0  # named but deleted from disk: nothing to document, the record stays

    @property
    def unfinished(self) -> bool:
        return bool(self.failed or self.left or self.dead)


@dataclass
class Request:
    """The exact work a run would do, worked out before anything is written."""

    plan: reconcile.Plan
    operation: str
    excluded: Counter[str] = field(default_factory=Counter)  # named, tracked, never documented
    # named, tracked, and gone from disk (deleted, not staged yet): the record stays
    gone: list[str] = field(default_factory=list)



def prepare(ws: Workspace, runner: JobRunner, only: list[str] | None, *,
            force: bool = False, trigger: str = "cli") -> Request:
    """What the files under `only` (default: the whole tree) need.

    Without paths this is a reconcile of the whole tree. Named paths are documented as
    the work tree has them (an uncommitted edit included: someone asked for it); one that
    git does not track (a typo, a file not added yet) is an error, before anything is
    done. `force` redoes content that is documented already.
    """
    # A run killed midway (Ctrl-C, a killed hook) left jobs processing; their holder is
    # gone, so they are released now, before the plan: pending again, the plan takes them
    # in (a job still processing would be left for a worker that may never come).
    ledger.release_processing(runner.store.conn, runner.config.dataset, only_expired=False,
                              worker=trigger)
    if only is not None and not force:  # forced, each link would be a call of its own
        only = only + _links_into(ws, only)
    found = reconcile.plan(runner.store, ws.root, runner.config, runner.identity, only)
    excluded: Counter[str] = Counter()
    gone: list[str] = []
    if only is not None:
        _require_tracked(only, found)
        found.point = []  # a job finds kept content of what is on disk, not of the index
        found.document = _as_on_disk(ws, runner, found, force)
        excluded.update(found.excluded.values())
        gone = [path for path in sorted(found.wanted)
                if not os.path.lexists(ws.root / path)]
    elif force:
        found.point, found.document = [], sorted(found.wanted.items())
    # A path in `document` with a pending job: the new job coalesces with that one.
    queued = {path for path, _ in found.document}
    found.waiting = [(job_id, path) for job_id, path in found.waiting if path not in queued]
    return Request(found, ledger.REDO if force else ledger.DOCUMENT, excluded, gone)


def _links_into(ws: Workspace, only: list[str]) -> list[str]:
    """The tracked symlinks (inside the repository) that lead to a file under `only`:
    documented with it, each holds its content (RxSwift's `Sources/` links into its
    folders; a link had stayed stale after its file was documented)."""
    from codequery import git

    links = [e.path for e in git.tracked_files(ws.root) if e.mode == git.SYMLINK_MODE]
    return [link for link in links if not reconcile.under(link, only)
            and (target := link_target(ws.root, link)) is not None
            and reconcile.under(target, only)]


def _require_tracked(only: list[str], found: reconcile.Plan) -> None:
    tracked = [*found.wanted, *found.excluded]
    untracked = [path for path in only if not any(reconcile.under(p, [path]) for p in tracked)]
    if untracked:
        raise CodeQueryError(f"not tracked by git: {', '.join(untracked)} (check the name, "
                             "or `git add` it first)")


def _as_on_disk(ws: Workspace, runner: JobRunner, found: reconcile.Plan,
                force: bool) -> list[tuple[str, str]]:
    view = runner.store.view()
    wanted_now = {path for path, _ in found.document}
    items = []
    for path, indexed in sorted(found.wanted.items()):
        target = link_target(ws.root, path)
        # Gone from disk (or a directory): git's copy is what there is. A path leading out
        # of the repository is never read: it keeps git's id, as the reconciler keys it
        # (its skip is remembered under that id, so it stays skipped, not missing).
        on_disk = reconcile.disk_sha(ws.root, path, indexed) if target is not None else None
        sha = on_disk or indexed
        names = [path] + ([target] if target and (ws.root / path).is_symlink() else [])
        choices = runner.identity.choices(
            sha, reconcile.lang_of(path), secret_name=secret_name(names, runner.config.files))
        if force or path in wanted_now or view.get(path) not in choices:
            items.append((path, sha))
    return items


def submit(ws: Workspace, runner: JobRunner, request: Request, *, priority: str = "normal",
           trigger: str = "cli", wake: bool = True) -> reconcile.Result:
    """Write the request: pointer moves, removals and jobs. `wake` tells a running worker
    (when the jobs are for it, not for this process)."""
    result = reconcile.apply(runner.store, request.plan, trigger=trigger, priority=priority,
                             operation=request.operation)
    if wake:
        liveness.wake(ws.paths)
    return result


def run(runner: JobRunner, job_ids: list[str], *, deadline: float | None = None,
        on_file: Callable[[str], None] | None = None, threads: int = 1) -> Outcome:
    """Run these jobs here, one by one (a retry back-off does not apply: someone asked),
    until done, out of time, or the documenter is blocked (its circuit breaker open):
    what is left stays pending for the worker. With a `deadline`, a file that would not
    be done by then at the pace of this run (see Pace) is left too, and the run goes on
    with the next. `threads` above 1 (and no deadline) runs that many jobs at once: an
    LLM's calls take seconds each and spend no CPU here (see _run_together)."""
    ledger.make_due(runner.store.conn, job_ids)
    if not runner.documenter.inline:
        job_ids = _free_first(runner, job_ids)
    if threads > 1 and deadline is None:
        return _run_together(runner, job_ids, threads, on_file)
    outcome = Outcome()
    seen: set[str] = set()
    pace = Pace()
    for index, job_id in enumerate(job_ids):
        if job_id in seen:
            continue  # done already, in a batch with an earlier job
        if deadline is not None and time.monotonic() >= deadline:
            outcome.left += _still_open(runner, job_ids[index:], seen)
            break
        size = runner.bytes_to_outline(job_id) if deadline is not None else 0
        if deadline is not None and pace.seconds(size) > deadline - time.monotonic():
            outcome.left += _still_open(runner, [job_id], seen)
            continue
        began = time.monotonic()
        results = runner.run_all(job_id, size if deadline is not None else None)
        if results:
            pace.took(size, time.monotonic() - began, results[0].detail)
        else:
            _taken_elsewhere(runner, job_id, outcome)
        for done in results:
            seen.add(done.id)
            _count(outcome, done)
            if on_file is not None:
                on_file(done.path)
        if results and results[0].status == DEFERRED:
            outcome.blocked = results[0].detail
            outcome.needs_login = blocking.current(runner.store.conn,
                                                   runner.documenter.name) is not None
            outcome.left += _still_open(runner, job_ids[index + 1:], seen)
            break
    return outcome


def _run_together(runner: JobRunner, job_ids: list[str], threads: int,
                  on_file: Callable[[str], None] | None) -> Outcome:
    """run() with up to `threads` jobs at once, as a worker's threads run them: each
    thread has its own connection (JobRunner.store); what came of each job is counted
    here, in the calling thread, in the order the jobs finish. A job another thread took
    into its batch comes back with nothing to do and is counted with that batch; a block
    (DEFERRED) starts no more jobs, and the calls under way are waited for."""
    outcome = Outcome()
    seen: set[str] = set()
    empty: list[str] = []  # claimed by a batch of this run, or by a worker
    _ = runner.caller, runner.team_cache  # made once, here, not by two threads at once
    ahead = iter(job_ids)
    stopped = False
    with ThreadPoolExecutor(threads, thread_name_prefix="codequery-document") as pool:
        running: dict[Future, str] = {}

        def fill() -> None:
            # While the breaker is not shut, one call at a time: a half-open breaker lets
            # one probe through and refuses the rest, which would end the run (a block)
            # though the probe then shuts it again.
            room = threads if runner.caller.breaker.state()["state"] == CLOSED else 1
            while not stopped and len(running) < room:
                job_id = next((j for j in ahead if j not in seen), None)
                if job_id is None:
                    return
                running[pool.submit(runner.run_all, job_id)] = job_id

        try:
            fill()
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    job_id = running.pop(future)
                    results = future.result()
                    if not results:
                        empty.append(job_id)
                    for done in results:
                        seen.add(done.id)
                        _count(outcome, done)
                        if on_file is not None:
                            on_file(done.path)
                    if results and results[0].status == DEFERRED and not stopped:
                        stopped = True
                        outcome.blocked = results[0].detail
                        outcome.needs_login = blocking.current(
                            runner.store.conn, runner.documenter.name) is not None
                fill()
        except BaseException as exc:  # start nothing more; wait for the calls under way
            stopped = True
            pool.shutdown(wait=False, cancel_futures=True)
            if isinstance(exc, KeyboardInterrupt):
                # Ctrl-C reaches only this process group, not the calls' own sessions, and
                # the threads do not see it: their calls are killed (jobs kept, no attempt
                # spent, see process.Stopped), as one run in this thread would have been.
                process.kill_running(for_good=True)
            raise
    for job_id in empty:
        if job_id not in seen:
            _taken_elsewhere(runner, job_id, outcome)
    if stopped:
        outcome.left += _still_open(runner, [j for j in job_ids if j not in empty], seen)
    return outcome


class Pace:
    """How fast this run documents, in bytes a second: ASSUMED_BYTES_PER_SECOND until it
    has timed MEASURED_BYTES of files of at least SIZEABLE bytes (a small file's time is
    mostly the writing of its record, whatever its size), then what it measured."""

    SIZEABLE = 32_768
    MEASURED_BYTES = 256 * 1024

    def __init__(self) -> None:
        self.bytes, self.spent = 0, 0.0

    def took(self, size: int, seconds: float, detail: str | None) -> None:
        """A job's file of `size` bytes took `seconds`; what it came to (its `detail`)
        counts only if it was documented (not a skip, nor a record reused)."""
        if size >= self.SIZEABLE and (detail or "").startswith("documented by"):
            self.bytes += size
            self.spent += seconds

    def seconds(self, size: int) -> float:
        """How long a file of `size` bytes is expected to take."""
        if self.bytes < self.MEASURED_BYTES or self.spent <= 0:
            return size / ASSUMED_BYTES_PER_SECOND
        return size * self.spent / self.bytes


def _free_first(runner: JobRunner, job_ids: list[str]) -> list[str]:
    """The jobs that make no call first (blank, binary, too large for an LLM: documented
    offline), then the rest, each group in its order: a block that stops the run (not
    logged in) leaves pending only what needs the documenter (4 such files of 311 had
    waited with the rest)."""
    paths = {job.id: job.path for job_id in job_ids
             if (job := ledger.get(runner.store.conn, job_id)) is not None}
    return sorted(job_ids, key=lambda job_id: job_id in paths
                  and runner.costs_a_call(paths[job_id]))


def _still_open(runner: JobRunner, job_ids: list[str], seen: set[str]) -> int:
    return sum(1 for job_id in job_ids if job_id not in seen
               and (job := ledger.get(runner.store.conn, job_id)) is not None
               and job.status in (ledger.PENDING, ledger.PROCESSING))


def _taken_elsewhere(runner: JobRunner, job_id: str, outcome: Outcome) -> None:
    """A job this run could not claim: a running worker has it, or had it."""
    job = ledger.get(runner.store.conn, job_id)
    if job is None or job.status == ledger.CANCELLED:
        return
    if job.status == ledger.COMPLETED:
        outcome.by_worker += 1
    elif job.status == ledger.DEAD:
        outcome.failed.append((job.path, job.last_error or "dead"))
    else:
        outcome.left += 1


def _count(outcome: Outcome, done) -> None:  # noqa: ANN001 - jobs.JobResult
    detail = done.detail or ""
    if done.status in FAILED:
        outcome.failed.append((done.path, detail))
    elif done.status == DEFERRED:
        outcome.left += 1
    elif done.status != ledger.COMPLETED:
        outcome.left += 1  # lost: another worker took it over
    elif detail.startswith("not documented: "):
        why = detail.removeprefix("not documented: ")
        outcome.skipped[why] += 1
        outcome.skipped_now.append((done.path, why))
    elif detail.startswith("documented by"):
        outcome.documented += 1
    elif detail == "record removed":
        outcome.removed += 1
    else:
        outcome.unchanged += 1
        outcome.reused += detail == REUSED


def summarize(request: Request, outcome: Outcome) -> Outcome:
    """Fold what the reconcile settled by itself into the run's outcome: each tracked
    path counts once, by the job it got or else by what the plan found for it."""
    found = request.plan
    jobs = {path for path, _ in found.document} | {path for _, path in found.waiting}
    gone = set(request.gone)
    outcome.gone += len(gone - jobs)
    for path in found.wanted.keys() - jobs - gone:
        state = found.state.get(path)
        if state in (reconcile.CURRENT, reconcile.POINT):
            outcome.unchanged += 1
            outcome.reused += state == reconcile.POINT
        elif state == reconcile.SKIPPED:
            outcome.skipped["unchanged since skipped"] += 1
        elif state == reconcile.DEAD:
            outcome.dead += 1
        elif state == reconcile.QUEUED:
            outcome.left += 1  # being documented elsewhere right now
    outcome.removed += len(found.remove)
    if found.undecodable:
        outcome.skipped["file name not UTF-8"] += found.undecodable
    outcome.skipped.update(request.excluded)
    return outcome


def document_now(ws: Workspace, only: list[str] | None = None, *, force: bool = False,
                 trigger: str = "cli", deadline: float | None = None,
                 on_total: Callable[[int], None] | None = None,
                 on_file: Callable[[str], None] | None = None,
                 runner: JobRunner | None = None, request: Request | None = None) -> Outcome:
    """Reconcile (or queue the named paths), then run the resulting jobs here."""
    runner = runner or JobRunner(ws)
    request = request or prepare(ws, runner, only, force=force, trigger=trigger)
    result = submit(ws, runner, request, priority="high", trigger=trigger, wake=False)
    ids = list(dict.fromkeys([q.id for q in result.queued]
                             + [job_id for job_id, _ in request.plan.waiting]))
    if on_total is not None:
        on_total(len(ids))
    # An LLM documenter's calls go as many at once as a worker's would; the builtin one
    # is quick and CPU-bound, and a hook's budget is kept one file at a time.
    threads = 1 if runner.documenter.inline else runner.config.processing.threads
    return summarize(request, run(runner, ids, deadline=deadline, on_file=on_file,
                                  threads=threads))
