"""Starting, stopping and inspecting a repository's worker from another process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from codequery import liveness, pidfile, stop_notes
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from codequery.worker import EXIT_ALREADY_RUNNING


@dataclass
class WorkerInfo:
    running: bool
    pid: int | None = None
    uptime_s: float | None = None
    cpu_percent: float | None = None
    memory_mb: float | None = None
    threads: int | None = None  # the process's, as the OS counts them
    cmdline: list[str] | None = None
    # the threads that take jobs: its --threads, or processing.threads when started without
    consumers: int | None = None
    # When not running: the last worker's pid file, left behind because it ended without
    # stopping (killed, crashed, or its machine restarted): {"pid", "started_at"}; with
    # "stopped" (why) and "stopped_at" when it stopped by itself, its index taken away
    # (see stop_notes), its pid file gone or brought back (`git stash pop`).
    ended: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def info(paths: RepoPaths, sample_cpu: bool = True, default_threads: int | None = None
         ) -> WorkerInfo:
    """The worker's state; `sample_cpu` measures its CPU use over 0.1 s; `default_threads`:
    how many threads take jobs in a worker started without --threads (the settings')."""
    if not liveness.worker_alive(paths):
        return WorkerInfo(running=False, ended=_ended(paths))
    proc = pidfile.live_process(paths.pid_file)
    if proc is None:  # alive by the lock, but its pid file is not (yet) trustworthy
        return WorkerInfo(running=True)
    # sampled outside oneshot(), which would read the same CPU times twice: always 0%
    cpu = proc.cpu_percent(interval=0.1) if sample_cpu else None
    said = (pidfile.read(paths.pid_file) or {}).get("threads")  # as the worker wrote it
    with proc.oneshot():
        argv = proc.cmdline()
        return WorkerInfo(
            running=True, pid=proc.pid, uptime_s=round(time.time() - proc.create_time(), 1),
            cpu_percent=cpu, memory_mb=round(proc.memory_info().rss / 2**20, 1),
            threads=proc.num_threads(), cmdline=argv,
            consumers=said if isinstance(said, int) else options_in(argv).get(
                "threads", default_threads))


def _ended(paths: RepoPaths) -> dict[str, Any] | None:
    """The pid file a worker left behind: a worker that stops removes its own (and a
    stop that had to kill it, see stop). None while a worker is starting: its pid file
    may already be there, its lock taken just after `info` looked."""
    left = pidfile.read(paths.pid_file)
    if liveness.worker_alive(paths) or left is not None and pidfile.process_of(left):
        return None
    note = stop_notes.last(paths.root)
    stopped = ({"stopped": note["reason"], "stopped_at": note["at"]}
               if note is not None and (left is None or note["pid"] == left["pid"]) else {})
    if left is None:  # stopped as asked, or by itself (a note says why)
        return {"pid": note["pid"], "started_at": None, **stopped} if stopped else None
    started = left.get("started_at")
    return {"pid": left["pid"],
            "started_at": started if isinstance(started, (int, float)) else None, **stopped}


def not_running(ended: dict[str, Any] | None) -> str:
    """What follows "not running" in status and worker status: how the last worker
    ended, if it did not stop, and how to start one."""
    words = ended_words(ended)
    if not words:
        return " (codequery worker start)"
    if ended and ended.get("stopped"):
        # (`git stash pop` puts it back; `git clean -x` does not: a start builds it again)
        return (f": {words} (codequery worker start, once it is back or to build it "
                "again)")
    return f": {words}; its jobs go back to the queue when one starts (codequery worker start)"


def ended_words(ended: dict[str, Any] | None) -> str:
    """How the last worker ended, said after "not running": killed or crashed, or stopped
    by itself (its index taken away); nothing when it stopped as asked."""
    if not ended:
        return ""
    if ended.get("stopped"):  # its index was taken away (see stop_notes)
        return f"the last worker, pid {ended['pid']}, stopped by itself: {ended['stopped']}"
    return (f"the last worker, pid {ended['pid']}, ended without stopping (killed, crashed, or "
            "its machine restarted)")


def worker_command(threads: int | None = None, metrics_port: int | None = None) -> list[str]:
    # -I: the repository is the working directory, and a `codequery/` or `tasks.py` of its
    # own must not shadow ours.
    argv = [sys.executable, "-I", "-m", "codequery.worker"]
    argv += ["--threads", str(threads)] if threads else []
    return argv + (["--metrics-port", str(metrics_port)] if metrics_port else [])


def started_with(paths: RepoPaths) -> dict[str, int]:
    """The options (`threads`, `metrics_port`) the running worker was started with (see
    worker_command), read from its command line: what a restart keeps. With none running,
    those of a worker that ended without stopping (killed, crashed), from the pid file it
    left. Empty when neither is known."""
    if liveness.worker_alive(paths):
        proc = pidfile.live_process(paths.pid_file)
        try:
            argv = proc.cmdline() if proc is not None else []
        except Exception:  # noqa: BLE001 - psutil's errors: gone, or not ours to read
            return {}
    else:
        left = pidfile.read(paths.pid_file) or {}
        argv = left.get("cmdline") if isinstance(left.get("cmdline"), list) else []
        argv = [str(arg) for arg in argv]
    return options_in(argv)


def options_in(argv: list[str]) -> dict[str, int]:
    """`threads` and `metrics_port` as a worker's command line gives them (see
    worker_command)."""
    found = {}
    for flag, key in (("--threads", "threads"), ("--metrics-port", "metrics_port")):
        if flag in argv[:-1] and argv[argv.index(flag) + 1].isdigit():
            found[key] = int(argv[argv.index(flag) + 1])
    return found


def all_worker_command(threads: int | None = None) -> list[str]:
    argv = [sys.executable, "-I", "-m", "codequery.all_worker"]
    return argv + (["--threads", str(threads)] if threads else [])


def start(paths: RepoPaths, threads: int | None = None, timeout: float = 20.0,
          metrics_port: int | None = None, command: list[str] | None = None
          ) -> tuple[int, bool]:
    """Start a detached consumer; returns (pid, started_now). Waits until it is ready.
    `command`: another consumer than the repository's own (the worker of all of them)."""
    current = info(paths)
    if current.running:
        return current.pid or 0, False
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    out = open(paths.log_dir / "worker.out", "ab")  # noqa: SIM115 - handed to the child
    env = {**os.environ, "CODEQUERY_ROOT": str(paths.root)}
    env = {k: v for k, v in env.items() if not k.startswith("GIT_")}
    child = subprocess.Popen(command or worker_command(threads, metrics_port), cwd=paths.root,
                             env=env,
                             stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, close_fds=True)
    out.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = child.poll()
        if code == EXIT_ALREADY_RUNNING:  # another start won the race
            return (info(paths).pid or 0), False
        if code is not None:
            raise CodeQueryError(f"the worker exited at start (code {code}): "
                                 f"{_last_line(paths)}; see {paths.log_dir / 'worker.out'}")
        ready = pidfile.read(paths.pid_file)
        if ready and ready["pid"] == child.pid and liveness.worker_alive(paths):
            return child.pid, True
        time.sleep(0.05)
    raise CodeQueryError(f"the worker did not become ready within {timeout:.0f}s; "
                         f"see {paths.log_dir / 'worker.log'}")


def _last_line(paths: RepoPaths) -> str:
    try:
        lines = (paths.log_dir / "worker.out").read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no output"
    return lines[-1] if lines else "no output"


def _kill_command_groups(worker) -> None:  # noqa: ANN001 - psutil.Process
    """Before the worker is killed outright: the documenter commands it started run in
    sessions of their own, which would outlive it (and keep billing)."""
    import psutil

    with contextlib.suppress(psutil.Error):
        for child in worker.children(recursive=True):
            with contextlib.suppress(psutil.Error, ProcessLookupError, PermissionError):
                os.killpg(os.getpgid(child.pid), signal.SIGKILL)


def stop(paths: RepoPaths, timeout: float = 10.0) -> int | None:
    """Stop the worker within `timeout` seconds: SIGINT (running documenter commands are
    killed, their jobs go back to the queue), then SIGTERM, then SIGKILL.

    Returns the stopped pid, or None if no worker was running.
    """
    if not liveness.worker_alive(paths):
        return None
    proc = pidfile.live_process(paths.pid_file)
    if proc is None:
        raise CodeQueryError(
            f"a worker holds {paths.lock_file} but {paths.pid_file} does not name it; "
            f"find it with `fuser {paths.lock_file}` and stop it")
    pid = proc.pid
    steps = ((signal.SIGINT, 0.7), (signal.SIGTERM, 0.15), (signal.SIGKILL, 0.15))
    for sig, share in steps:
        if sig == signal.SIGKILL:
            _kill_command_groups(proc)
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + max(timeout * share, 0.5 if sig == signal.SIGKILL else 0)
        while time.monotonic() < deadline:
            if _exited(paths, proc):
                return _stopped(paths, pid)
            time.sleep(0.05)
    if liveness.worker_alive(paths):
        raise CodeQueryError(f"worker {pid} did not stop")
    return _stopped(paths, pid)


def _exited(paths: RepoPaths, worker) -> bool:  # noqa: ANN001 - psutil.Process
    """Whether the worker let its lock go and its process is gone too: it runs on for a
    moment after letting go (a new user's trial saw `worker stop` say "stopped" of a
    process that was there for up to 3 seconds more)."""
    import psutil

    if liveness.worker_alive(paths):
        return False
    try:
        return worker.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True  # gone (or no longer ours to see)


def _stopped(paths: RepoPaths, pid: int) -> int:
    """After a stop: the jobs a hard stop left processing go back to the queue, and the
    pid file a killed worker could not remove goes too (it was stopped, not lost)."""
    requeue_jobs_of(paths)
    pidfile.remove_if_names(paths.pid_file, pid)
    return pid


def requeue_jobs_of(paths: RepoPaths) -> None:
    """A worker stopped the hard way leaves its jobs processing: back to the queue now,
    with the attempt given back (the stop cut it short, not the file)."""
    from codequery import config as config_mod
    from codequery import ledger
    from codequery.store import connect

    try:
        dataset = config_mod.load(paths.settings).dataset
        conn = connect(paths.data_db, create=False)  # none (stashed away): no jobs
    except CodeQueryError:
        return  # the next worker releases them at its start
    try:
        ledger.release_processing(conn, dataset, only_expired=False, worker="worker stop",
                                  refund=True)
    finally:
        conn.close()
