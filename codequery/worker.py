"""The consumer process: the repository's lock, its pid file, and the dispatcher.

Huey moves tasks; the ledger decides what work exists. The dispatcher thread turns due
pending ledger rows into Huey tasks when woken (through a FIFO the git hook and the CLI
write to) and, as a backstop, on every poll. Run as `python -m codequery.worker` (what
`codequery worker start` and the service units do) or as `huey_consumer tasks.huey`.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import logging.handlers
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from codequery import (
    blobs,
    blocking,
    holders,
    ledger,
    liveness,
    memory,
    pidfile,
    start_settings,
    stop_notes,
)
from codequery import reconcile as reconcile_mod
from codequery.errors import CodeQueryError
from codequery.jobs import JobRunner
from codequery.paths import RepoPaths
from codequery.store import Store, connect, read_only, read_only_error, writable
from codequery.wording import plural
from codequery.workspace import Workspace

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
LEASE_CHECK_SECONDS = 10.0
REDISPATCH_AFTER_SECONDS = 300.0
EXIT_ALREADY_RUNNING = 75
RECONCILE_ERROR_SECONDS = 60.0  # how often the same reconcile failure is logged
RETRY_SOON_SECONDS = 3.0  # a run that broke off outside the documenter (e.g. disk full)
SHUTDOWN_SECONDS = 5.0  # a graceful stop waits this long for jobs that are not LLM calls
HUEY_PRIORITY = {0: 20, 1: 10, 2: 0}  # ledger rank -> Huey priority (higher runs first)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class WorkerRuntime:
    """Everything a consumer process owns besides Huey's own threads."""

    def __init__(self, workspace: Workspace, enqueue: Callable[[str, int], None],
                 flush_transport: Callable[[], None]) -> None:
        self.workspace = workspace
        self.paths = workspace.paths
        self.runner = JobRunner(workspace)
        self._enqueue = enqueue
        self._flush_transport = flush_transport
        self._lock_fd: int | None = None
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_stamp: str | None = None
        self._on_disk: dict[str, str] = {}
        self._told: dict[str, float] = {}  # problems logged lately, and when
        self._retry: dict[str, float] = {}  # job id -> when to hand it over again
        self._guard_retry = threading.Lock()
        # When the job that checks a blocked documenter again was handed over (time.time())
        self._git_dirs = reconcile_mod.git_dirs(workspace.root)
        self._watch = None  # redis_link.RestartWatch on the Redis transport
        self.remote = None  # remote_work.RemoteWork on the Redis transport
        self._database: tuple[int, int] | None = None  # the index's file, as it started
        # Set when the index this worker writes is gone (see _index_lost); `on_lost` then
        # stops the worker (a worker of many repositories drops this one instead).
        self.lost = threading.Event()
        self.on_lost: Callable[[], None] = _stop_this_process
        self.memory = memory.shared()  # the process's: one for every repository here

    @property
    def started(self) -> bool:
        return self._lock_fd is not None

    def start(self, own_log: bool = True, threads: int | None = None) -> bool:
        """Take the lock and start dispatching; False if another worker holds the lock.
        `own_log`: log to the repository's worker.log (a worker of many repositories
        keeps one log of its own instead); `threads`: how many take jobs, said in the pid
        file (status reads it there: the settings may have changed since)."""
        with self._guard:
            if self._lock_fd is not None:
                return True
            fd = liveness.acquire(self.paths)
            if fd is None:
                return False
            if own_log:
                log_to_file(self.workspace)
            try:
                # Before the pid file says "ready": a corrupt database or broken settings
                # fail the start, instead of killing a worker `worker start` reported.
                conn = self.workspace.connect()
                if not writable(self.paths.data_db):  # it would stop at its first write
                    conn.close()
                    raise read_only_error(self.paths.data_db)
                dataset = self.runner.config.dataset
                self._database = _file_id(self.paths.data_db)
            except CodeQueryError as exc:
                log.error("worker %s cannot start: %s", os.getpid(), exc)
                os.close(fd)  # a worker of many repositories lives on without this one
                raise
            self._lock_fd = fd
            if own_log:  # a worker of this repository alone: its calls carry its mark
                from codequery.documenters import process

                mark = str(self.paths.data_db)
                process.mark_calls(mark)
                if reaped := process.reap_left_calls(mark):
                    log.warning("ended %d documenter command(s) a killed worker left "
                                "running", reaped)
            stop_notes.forget(self.paths.root)
            info = pidfile.write(self.paths.pid_file, {
                start_settings.PID_FILE_KEY: start_settings.fingerprints(self.runner.config),
                **({"threads": threads} if threads else {})})
            fifo = liveness.fifo_path(self.paths)
            if not os.path.exists(fifo):
                os.mkfifo(fifo, 0o600)
            # We hold the lock, so no other worker is alive: whatever is "processing" was
            # left by a dead one. Huey's queue may hold tasks for rows that moved on, or
            # have lost some: the ledger is the truth, so hand every due row over again.
            released = ledger.release_processing(conn, dataset, only_expired=False,
                                                 worker=self.owner)
            try:
                self._flush_transport()
            except Exception as exc:  # Redis away: its tasks go stale, claims skip them
                log.warning("could not empty the transport queue (%s: %s); starting anyway",
                            type(exc).__name__, exc)
            ledger.undispatch_pending(conn, dataset)
            conn.close()
            log.info("worker %s started for %s (dataset %s, transport %s)%s", info["pid"],
                     self.workspace.root, dataset, self.runner.config.processing.transport,
                     f"; released {released} jobs of a dead worker" if released else "")
            self._start_remote()
            self._thread = threading.Thread(target=self._dispatch_loop, name="dispatcher",
                                            daemon=True)
            self._thread.start()
            atexit.register(self.shutdown)  # `huey_consumer tasks.huey` has no finally of ours
            return True

    def _start_remote(self) -> None:
        """On the Redis transport, LLM work goes through the shared remote queue: this
        worker hands it out, serves that queue with threads of its own like any other
        consumer, and takes the answers back into its index."""
        processing = self.runner.config.processing
        if processing.transport != "redis":
            return
        from codequery import redis_keys
        from codequery.remote_work import RemoteWork

        self.remote = RemoteWork(self.runner, processing.redis_url,
                                 redis_keys.repo_id(self.workspace.root))
        self.runner.remote = self.remote
        serving = processing.remote_threads
        self.remote.start(serving_threads=processing.threads if serving is None else serving)

    @property
    def owner(self) -> str:
        return f"{os.getpid()}/dispatcher"

    def begin_stop(self) -> None:
        """Asked to stop: documenter commands still running are killed now, and their
        jobs go back to the queue without spending an attempt (nobody waits for a hung
        LLM call)."""
        from codequery.documenters.process import kill_running

        self._stop.set()
        killed = kill_running(for_good=True)
        if killed:
            log.info("stopping: killed %d documenter commands; their jobs stay queued", killed)
        if self.remote is not None:
            self.remote.stop()

    def shutdown(self, whole_process: bool = True) -> None:
        """Stop dispatching and let go of the repository's lock. `whole_process`: this
        process is ending, and the documenter commands still running are killed, with
        any started from now on; not when the worker of all repositories drops one and
        serves the others on (the commands are not told apart by repository, and the
        stop would refuse every other repository's calls)."""
        from codequery.documenters.process import kill_running

        with self._guard:
            self._stop.set()
            if whole_process:  # commands of jobs a forced stop cut short
                killed = kill_running(for_good=True)
                if killed:
                    log.info("stopped %d documenter commands still running", killed)
            if self._thread is not None:
                self._thread.join(timeout=5)
            if self.remote is not None:
                self.remote.stop()
            if self._lock_fd is not None:
                pidfile.remove_if_mine(self.paths.pid_file)
                os.close(self._lock_fd)
                self._lock_fd = None
                blobs.close_all()
                log.info("worker %s stopped", os.getpid())

    def _dispatch_loop(self) -> None:
        fifo = os.open(liveness.fifo_path(self.paths), os.O_RDWR | os.O_NONBLOCK)
        try:
            conn = connect(self.paths.data_db, create=False)
        except CodeQueryError as exc:  # gone since the start (see _index_lost)
            os.close(fifo)
            log.error("%s: this worker stops", exc)
            stop_notes.record(self.paths.root, os.getpid(), str(exc))
            self.lost.set()
            self.on_lost()
            return
        last_lease_check = 0.0
        trigger: str | None = "worker start"
        try:
            while not self._stop.is_set():
                wait = POLL_SECONDS
                lost = self._index_lost()
                if lost:
                    log.error("%s: this worker stops (whatever removed it: `git stash --all`, "
                              "`git sparse-checkout`, `git worktree remove`, `git clean -x`); "
                              "once it is back, or after `codequery init`, start it again",
                              lost)
                    stop_notes.record(self.paths.root, os.getpid(), lost)
                    self.lost.set()
                    self.on_lost()
                    return
                self._try_reconcile(trigger, conn)
                try:
                    if time.monotonic() - last_lease_check > LEASE_CHECK_SECONDS:
                        last_lease_check = time.monotonic()
                        ledger.release_processing(conn, self.runner.config.dataset,
                                                  only_expired=True, worker=self.owner)
                    self._after_a_transport_restart(conn)
                    upcoming = self.dispatch(conn)
                    if upcoming is not None:
                        wait = min(wait, max(upcoming - time.time(), 0.05))
                except Exception as exc:  # a locked database or Redis away: not fatal
                    if read_only(exc):  # see JobRunner.forget_store
                        try:
                            fresh = connect(self.paths.data_db, create=False)
                        except CodeQueryError:  # not yet: the next round tries again
                            pass
                        else:
                            conn.close()
                            conn = fresh
                    if self._redis_away(exc):
                        pass  # logged once for the process, not with a traceback per try
                    elif self._news(f"dispatching: {type(exc).__name__}: {exc}"):
                        log.error("dispatching failed (%s: %s); the jobs stay in the ledger "
                                  "and are handed over once it works again",
                                  type(exc).__name__, exc, exc_info=True)
                ready, _, _ = select.select([fifo], [], [], wait)
                trigger = "periodic check"
                if ready:
                    trigger = "wake-up"
                    try:
                        while os.read(fifo, 4096):
                            pass
                    except BlockingIOError:
                        pass
        finally:
            os.close(fifo)
            conn.close()

    def _index_lost(self) -> str | None:
        """Why the index this worker writes is no longer the one in the repository (its
        folder or file removed, or replaced by another file); None while it is. Writing on
        into a deleted file, the worker would live on unseen: no pid file, no lock in the
        folder, a second worker started beside it."""
        if self._database is None:
            return None
        found = _file_id(self.paths.data_db)
        if found == self._database:
            return None
        if not self.paths.state_dir.exists():
            return f"{self.paths.state_dir} was removed"
        if found is None:
            return f"{self.paths.data_db} was removed"
        return f"{self.paths.data_db} was replaced by another file"

    def _redis_away(self, exc: Exception) -> bool:
        """Whether `exc` says the Redis transport is away (then noted, once, as such)."""
        processing = self.runner.config.processing
        if processing.transport != "redis":
            return False
        from codequery import redis_link, redis_outage

        if not isinstance(exc, redis_link.down_errors()):
            return False
        redis_outage.of(processing.redis_url).failed(exc)
        return True

    def _after_a_transport_restart(self, conn) -> None:  # noqa: ANN001
        """If the Redis transport restarted since the last look (see RestartWatch): all
        open jobs handed over again when it lost its tasks; when it kept them, only this
        worker's pending ones to its own queue (a second task of a job claims nothing).
        Nothing on SQLite (redis_link is imported only for Redis)."""
        processing = self.runner.config.processing
        if processing.transport != "redis":
            return
        from codequery import redis_keys
        from codequery.redis_link import RestartWatch

        if self._watch is None:
            self._watch = RestartWatch(processing.redis_url,
                                       redis_keys.kept_mark(redis_keys.repo_id(self.paths.root)))
        restart = self._watch.look()
        if restart == RestartWatch.LOST:
            self.hand_over_again(conn, "the Redis transport restarted")
        elif restart == RestartWatch.KEPT:
            ledger.undispatch_pending(conn, self.runner.config.dataset)
            log.info("the Redis transport restarted and kept its tasks")

    def hand_over_again(self, conn, why: str) -> None:  # noqa: ANN001
        """Every pending job is handed to the transport again: tasks it held are lost."""
        out = self.remote.release_all(conn, why) if self.remote is not None else 0
        count = ledger.undispatch_pending(conn, self.runner.config.dataset)
        log.warning("%s; handing %s over again (%d were out on the remote queue)", why,
                    plural(count, "pending job"), out)

    def _try_reconcile(self, trigger: str, conn) -> None:  # noqa: ANN001
        """A failing reconcile (the documenter's CLI missing, a full disk) must not stop
        the queue: it is logged, at most every RECONCILE_ERROR_SECONDS, and tried again
        at the next check."""
        try:
            self.reconcile(trigger, conn)
        except Exception as exc:
            if self._news(f"{type(exc).__name__}: {exc}"):
                log.error("reconciling failed (%s: %s); trying again", type(exc).__name__, exc,
                          exc_info=not isinstance(exc, CodeQueryError))

    def _news(self, problem: str) -> bool:
        """Whether to log `problem`: not the same one again within RECONCILE_ERROR_SECONDS
        (a documenter that cannot run would otherwise fill the log, once per job)."""
        now = time.monotonic()
        with self._guard_retry:
            if now - self._told.get(problem, -RECONCILE_ERROR_SECONDS) < RECONCILE_ERROR_SECONDS:
                return False
            self._told = {p: t for p, t in self._told.items()
                          if now - t < RECONCILE_ERROR_SECONDS}
            self._told[problem] = now
            return True

    def reconcile(self, trigger: str, conn) -> reconcile_mod.Result | None:  # noqa: ANN001
        """Bring the index to the checked-out tree, writing through `conn` (the
        dispatcher's own connection). A periodic check skips the work while nothing it
        depends on changed: HEAD and git's index file, config.json, the database as
        other connections write it (a job completed, `codequery document` ran), and the
        few records of uncommitted edits."""
        root = self.workspace.root
        # Taken before the plan is read: a job completing meanwhile changes the data
        # version again, so the next check looks once more. Writes through `conn` itself
        # do not change what `conn` reads as the data version.
        stamp = (reconcile_mod.tree_stamp(root, self._git_dirs) + "|"
                 + _mtime(self.paths.settings) + "|" + _data_version(conn))
        if (trigger == "periodic check" and stamp == self._last_stamp and all(
                reconcile_mod.disk_sha(root, path, sha) == sha
                for path, sha in self._on_disk.items())):
            return None
        runner = self.runner
        store = Store(conn, runner.config.dataset)
        result = reconcile_mod.reconcile(store, root, runner.config, runner.identity,
                                         trigger=trigger, tree=stamp)
        self._last_stamp = stamp
        # Records of uncommitted edits (`document PATH`): a `checkout -- PATH` that undoes
        # one may leave HEAD and git's index file as they were, so these are watched too.
        self._on_disk = result.plan.on_disk
        return result

    def run_job(self, job_id: str) -> None:
        """A Huey task: run the job. If the run breaks off outside the documenter (a full
        disk, a locked database), the job is handed over again in a few seconds; its row
        may be unwritable now, so the worker keeps that in memory."""
        self.memory.began()
        try:
            self._run_job(job_id)
        finally:
            self.memory.ended()  # a big file's parse leaves the heap large (see memory)

    def _run_job(self, job_id: str) -> None:
        try:
            self.runner.run(job_id)
        except CodeQueryError as exc:  # the documenter cannot run (not approved, missing)
            if self._news(str(exc)):
                log.error("[QUEUE] %s and others wait: %s", job_id, exc)
            with self._guard_retry:
                self._retry[job_id] = time.monotonic() + RECONCILE_ERROR_SECONDS
            try:
                self.runner.documenter  # noqa: B018 - whether it can be made here
            except CodeQueryError as cannot:  # no job is handed over until it can
                self._cannot_run(self.runner.store.conn, cannot)
        except Exception as exc:
            log.error("[QUEUE] %s broke off (%s: %s); trying again in %.0fs", job_id,
                      type(exc).__name__, exc, RETRY_SOON_SECONDS)
            if read_only(exc):  # the next try opens a connection that may write again
                self.runner.forget_store()
            with self._guard_retry:
                self._retry[job_id] = time.monotonic() + RETRY_SOON_SECONDS

    def _retry_broken(self, conn) -> None:  # noqa: ANN001
        with self._guard_retry:
            due = [j for j, at in self._retry.items() if at <= time.monotonic()]
        for job_id in due:
            try:
                ledger.release(conn, job_id, self.owner, "the run broke off; queued again",
                               holder=holders.process_of(holders.me()))
                self._enqueue(job_id, HUEY_PRIORITY[1])
            except Exception:  # still broken: next time round
                with self._guard_retry:
                    self._retry[job_id] = time.monotonic() + RETRY_SOON_SECONDS
                raise
            with self._guard_retry:
                self._retry.pop(job_id, None)

    def dispatch(self, conn) -> float | None:  # noqa: ANN001
        """Hand due pending jobs to Huey; returns when the next retry falls due. While the
        documenter is blocked (not logged in), none: every RECHECK_SECONDS the dispatcher
        makes the check itself (`claude auth status`, no model call), and hands jobs over
        once it passes. Each job taken only to be put back had written two events (80 a
        second with a few hundred pending); one job handed over per check to make it
        still wrote 8 a minute, 11,000 a day into the ledger `queue show` lists."""
        self._retry_broken(conn)
        dataset = self.runner.config.dataset
        block = blocking.current(conn, self.runner.config.documenter.name)
        if block is not None:
            next_check = block["checked_at"] + blocking.RECHECK_SECONDS
            if next_check > time.time() or self._still_blocked(conn):
                return max(next_check, time.time() + blocking.RECHECK_SECONDS)
        while True:
            due, upcoming = ledger.due_for_dispatch(
                conn, dataset, redispatch_after=REDISPATCH_AFTER_SECONDS, limit=500)
            if not due:
                return upcoming
            for job in due:
                self._enqueue(job.id, HUEY_PRIORITY.get(job.priority, 10))
            ledger.mark_dispatched(conn, [job.id for job in due])

    def _still_blocked(self, conn) -> bool:  # noqa: ANN001
        """The blocked documenter's check, made here (the block is lifted if it passes);
        a check that cannot be made counts as blocked still, until the next. A documenter
        this worker cannot run (its CLI not on the worker's PATH) is the block's reason
        from then on: `status` and `doctor` say so, not an older reason."""
        name = self.runner.config.documenter.name
        try:
            reason = self.runner.caller.recheck_block(worker=True)
        except CodeQueryError as exc:
            self._cannot_run(conn, exc)
            return True
        except Exception as exc:
            if self._news(f"{type(exc).__name__}: {exc}"):
                log.exception("checking whether the %s documenter is still blocked failed",
                              name)
            blocking.checked(conn, name)  # checked again in RECHECK_SECONDS, not at once
            return True
        if reason is None:
            log.info("the %s documenter can be called again: its jobs are handed over",
                     name)
        elif self._news(reason):  # found by the shell that ran init, or by a call here
            log.warning("the %s documenter cannot be called: %s", name, reason)
        return reason is not None

    def _cannot_run(self, conn, exc: CodeQueryError) -> None:  # noqa: ANN001
        """This worker cannot make its documenter (`exc`): a block with that reason,
        renewed at each check, logged once in RECONCILE_ERROR_SECONDS (no traceback)."""
        name = self.runner.config.documenter.name
        blocking.block(conn, name, blocking.worker_cannot(str(exc)))
        if self._news(str(exc)):
            log.error("the %s documenter cannot be run by this worker: %s; its jobs wait "
                      "(restart the worker once it can: `codequery worker restart`)",
                      name, exc)

    def prune(self) -> int:
        """Completed jobs, and records no path has used, older than retention_days."""
        days = self.runner.config.processing.retention_days
        store = self.runner.store
        removed = ledger.clear(store.conn, store.dataset, days)
        with ledger.transaction(store.conn):
            forgotten = store.prune_documents(days)
        if removed or forgotten:
            log.info("pruned %d completed jobs and %d unused records older than %d days",
                     removed, forgotten, days)
        return removed + forgotten


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _stop_this_process() -> None:
    """As `codequery worker stop` asks: Huey's consumer stops, the runtime shuts down."""
    os.kill(os.getpid(), signal.SIGTERM)


def _mtime(path) -> str:  # noqa: ANN001 - a Path
    try:
        return str(path.stat().st_mtime_ns)
    except OSError:
        return "-"


def _data_version(conn) -> str:  # noqa: ANN001 - sqlite3.Connection
    """Changes whenever another connection commits to the database (SQLite's own
    counter; the jobs of this worker's threads write through connections of their own)."""
    return str(conn.execute("PRAGMA data_version").fetchone()[0])


def make_consumer(huey, runtime: WorkerRuntime, threads: int):  # noqa: ANN001, ANN201
    """Huey's consumer as every worker runs it (threads, quick polling, the periodic
    prune), telling the runtime first when it is asked to stop (huey is imported here:
    only a running worker needs it)."""
    from huey.consumer import Consumer

    class StoppingConsumer(Consumer):
        def stop(self, graceful: bool = False) -> None:
            runtime.begin_stop()
            super().stop(graceful=graceful)

    return StoppingConsumer(huey, workers=threads, worker_type="thread", initial_delay=0.05,
                            backoff=1.15, max_delay=1.0, periodic=True,
                            check_worker_health=True, shutdown_timeout=SHUTDOWN_SECONDS)


def log_to_file(workspace: Workspace | RepoPaths) -> None:
    """One rotating log per repository; added once even if called again."""
    paths = workspace if isinstance(workspace, RepoPaths) else workspace.paths
    root_logger = logging.getLogger()
    target = str(paths.log_dir / "worker.log")
    if any(getattr(h, "baseFilename", None) == target for h in root_logger.handlers):
        return
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root_logger.addHandler(handler)
    if root_logger.level > logging.INFO or root_logger.level == logging.NOTSET:
        root_logger.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codequery.worker",
                                     description="Run the codequery consumer of a repository.")
    parser.add_argument("--threads", type=int, default=None, help="worker threads")
    parser.add_argument("--metrics-port", type=int, default=None,
                        help="serve Prometheus metrics on 127.0.0.1:PORT/metrics")
    args = parser.parse_args(argv)

    try:  # settings that cannot be read fail here: one line, not a traceback
        from codequery import huey_app
    except CodeQueryError as exc:
        print(f"codequery: {exc}", file=sys.stderr)
        return 1
    runtime = huey_app.runtime
    if args.metrics_port:
        from codequery.server import metrics

        try:  # bound before the worker says it is ready: a port in use fails the start
            metrics.serve(runtime.workspace, args.metrics_port)
        except CodeQueryError as exc:
            print(f"codequery: {exc}", file=sys.stderr)
            return 1
    threads = args.threads or runtime.runner.config.processing.threads
    try:
        started = runtime.start(threads=threads)
    except CodeQueryError as exc:
        print(f"codequery: {exc}", file=sys.stderr)
        return 1
    if not started:
        holder = pidfile.read(runtime.paths.pid_file) or {}
        print(f"codequery: a worker already runs for {runtime.workspace.root} "
              f"(pid {holder.get('pid', '?')})", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    if args.metrics_port:
        log.info("metrics at http://127.0.0.1:%d/metrics", args.metrics_port)
    consumer = make_consumer(huey_app.huey, runtime, threads)
    try:
        consumer.run()
    finally:
        runtime.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
