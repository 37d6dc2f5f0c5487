"""The worker's runtime in process: what its dispatcher hands to the transport (real
SQLite; the transport a list)."""

from __future__ import annotations

import logging
import os
import shutil
import time

from codequery import blocking, ledger
from codequery.jobs import JobRunner
from codequery.store import connect
from codequery.worker import WorkerRuntime
from codequery.workspace import Workspace
from tests.helpers import configure


def _blocked_claude_runtime(repo, jobs: int):
    """A worker's runtime for `repo` set to the claude documenter, with `jobs` pending
    and the block a shell found ("not logged in"): (runtime, its connection, the ids
    it hands over)."""
    configure(repo, documenter={"name": "claude"})
    ws = Workspace(repo)
    handed: list[str] = []
    runtime = WorkerRuntime(ws, lambda job_id, priority: handed.append(job_id), lambda: None)
    conn = connect(ws.paths.data_db)
    ledger.enqueue(conn, ws.config.dataset,
                   [(f"src/f{i}.py", ledger.DOCUMENT, None) for i in range(jobs)])
    blocking.block(conn, "claude", "not logged in")
    return runtime, conn, handed


def test_a_blocked_documenter_is_checked_by_the_dispatcher_and_handed_no_job(
        initialized_repo, fake_claude, tmp_path, monkeypatch, caplog):
    # not logged in: each job taken only to be put back had written two events, 80 a
    # second with a few hundred pending; then one job a check (to make it), 8 events a
    # minute, 11,000 a day. The dispatcher makes the check (`claude auth status`) itself.
    logged_out = tmp_path / "logged-out"
    logged_out.touch()
    monkeypatch.setenv("FAKE_CLAUDE_LOGGED_OUT", str(logged_out))
    runtime, conn, handed = _blocked_claude_runtime(initialized_repo, 5)
    events = conn.execute("SELECT count(*) FROM job_events").fetchone()[0]

    def checks() -> int:
        return sum(1 for line in fake_claude.read_text().splitlines()
                   if '"auth_status": true' in line) if fake_claude.exists() else 0

    next_check = runtime.dispatch(conn)
    assert handed == [] and next_check > time.time() and checks() == 0  # not due yet

    def due() -> None:
        conn.execute("UPDATE documenter_blocks SET checked_at = checked_at - ?",
                     (blocking.RECHECK_SECONDS + 1,))

    due()
    with caplog.at_level(logging.WARNING, logger="codequery"):
        next_check = runtime.dispatch(conn)
        due()
        runtime.dispatch(conn)
    # the worker's log says why, once (the block was found by another process)
    said = [r for r in caplog.records if "cannot be called: not logged in" in r.getMessage()]
    assert len(said) == 1
    assert handed == [] and checks() == 2  # checked twice: still logged out
    assert next_check >= time.time() + blocking.RECHECK_SECONDS - 1
    runtime.dispatch(conn)  # a wake-up before the next check is due: no check, no job
    assert handed == [] and checks() == 2
    assert conn.execute("SELECT count(*) FROM job_events").fetchone()[0] == events
    assert blocking.current(conn, "claude") is not None
    logged_out.unlink()  # logs in
    due()
    runtime.dispatch(conn)
    assert blocking.current(conn, "claude") is None
    assert sorted(handed) == sorted(set(handed)) and len(handed) == 5


def test_a_worker_ends_the_commands_a_killed_worker_left_running(initialized_repo,
                                                                 monkeypatch):
    # a documenter command runs in a session of its own (Ctrl-C must not reach it): after
    # a `kill -9` of its worker it ran on, hung; the next worker ends it by its mark
    import os
    import subprocess
    import sys
    import threading

    from codequery.documenters import process

    # its shutdown stops this process's commands for good: this test's own flag
    monkeypatch.setattr(process, "_STOPPING", threading.Event())
    ws = Workspace(initialized_repo)
    mark = str(ws.paths.data_db)
    hang = [sys.executable, "-c", "import time; time.sleep(120)"]
    left = subprocess.Popen(hang, start_new_session=True,
                            env={**os.environ, process.CALLER_MARK: mark})
    other = subprocess.Popen(hang, start_new_session=True,
                             env={**os.environ, process.CALLER_MARK: mark + "-elsewhere"})
    try:
        runtime = WorkerRuntime(ws, lambda job_id, priority: None, lambda: None)
        assert runtime.start()
        try:
            assert left.wait(timeout=10) == -9  # killed
            assert other.poll() is None  # another repository's is left alone
        finally:
            runtime.shutdown()
            process.mark_calls(None)
    finally:
        for proc in (left, other):
            proc.kill()
            proc.wait()


def test_commands_carry_the_mark_of_the_worker_that_runs_them():
    import sys

    from codequery.documenters import process

    said = [sys.executable, "-c", f"import os; print(os.environ.get('{process.CALLER_MARK}'))"]
    process.mark_calls("/repo/.code-query/code_data.db")
    try:
        out, _, _ = process.run_process(said, b"", 10.0)
    finally:
        process.mark_calls(None)
    assert out.decode().strip() == "/repo/.code-query/code_data.db"
    assert process.run_process(said, b"", 10.0)[0].decode().strip() == "None"


def _lost_after(initialized_repo, monkeypatch, remove) -> tuple[str, list[str]]:
    """A started runtime's dispatcher, after `remove` took its index away: why it says it
    stopped, and what it did about it."""
    import logging
    import shutil
    import threading

    from codequery.documenters import process

    monkeypatch.setattr(process, "_STOPPING", threading.Event())
    ws = Workspace(initialized_repo)
    runtime = WorkerRuntime(ws, lambda job_id, priority: None, lambda: None)
    stopped: list[str] = []
    runtime.on_lost = lambda: stopped.append("asked to stop")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("codequery.worker").addHandler(handler)
    aside = initialized_repo.parent / "aside"
    assert runtime.start(own_log=False)
    try:
        assert not runtime.lost.wait(1.5)  # it stays while its index is there
        remove(ws.paths.state_dir, aside)
        assert runtime.lost.wait(10)
    finally:
        runtime.shutdown()
        logging.getLogger("codequery.worker").removeHandler(handler)
        shutil.rmtree(aside, ignore_errors=True)
    return next(r.getMessage() for r in records if r.levelname == "ERROR"), stopped


def test_a_worker_whose_index_folder_is_removed_stops(initialized_repo, monkeypatch):
    # `git stash --all`, `git sparse-checkout set`, `git worktree remove`: it had written
    # on into a deleted file, unseen, and a second worker started beside it
    import shutil

    said, stopped = _lost_after(initialized_repo, monkeypatch,
                                lambda state, aside: shutil.move(state, aside))
    assert stopped == ["asked to stop"]
    assert ".code-query was removed: this worker stops" in said


def test_a_worker_that_stopped_by_itself_is_said_to_have_stopped_and_why(initialized_repo,
                                                                          monkeypatch):
    # `worker status` had said only "not running"; after `git stash pop` brought its pid
    # file back, "ended without stopping (killed, crashed ...)"
    import json
    import shutil

    from codequery import stop_notes, worker_control

    shutil.copytree(initialized_repo / ".code-query", initialized_repo.parent / "kept")
    _lost_after(initialized_repo, monkeypatch, lambda state, aside: shutil.move(state, aside))
    note = stop_notes.last(initialized_repo)
    assert note is not None and note["reason"].endswith(".code-query was removed")
    # the folder comes back (`git stash pop`), and with it the pid file of that worker
    shutil.copytree(initialized_repo.parent / "kept", initialized_repo / ".code-query")
    paths = Workspace(initialized_repo).paths
    paths.pid_file.write_text(json.dumps({"pid": 999_999, "started_at": 1.0}))
    assert worker_control.info(paths).ended is not None
    assert "ended without stopping" in worker_control.ended_words(worker_control.info(paths).ended)
    stop_notes.record(initialized_repo, 999_999, note["reason"])  # as that worker wrote it
    ended = worker_control.info(paths).ended
    assert ended["stopped"] == note["reason"] and ended["pid"] == 999_999
    said = worker_control.not_running(ended)
    assert "stopped by itself: " in said and "killed" not in said
    # `git clean -x` never puts the index back: a start builds it again (a trial)
    assert said.endswith("(codequery worker start, once it is back or to build it again)")
    paths.pid_file.unlink()  # stopped with its folder in place: its pid file removed
    assert worker_control.info(paths).ended["stopped"] == note["reason"]
    from tests.helpers import cli_run

    odd = "/home/me/app [draft]/.code-query was removed"  # a path is not markup
    stop_notes.record(initialized_repo, 999_999, odd)
    said = cli_run(initialized_repo, "worker", "status")
    assert said.exit_code == 3 and odd in " ".join(said.stdout.split()), said.output
    stop_notes.forget(initialized_repo)  # a worker started since
    assert worker_control.info(paths).ended is None


def test_a_worker_whose_index_is_replaced_by_another_file_stops(initialized_repo,
                                                                monkeypatch):
    import os
    import shutil

    def replace(state, aside):
        aside.mkdir()
        shutil.copy(state / "code_data.db", aside / "copy.db")
        os.replace(aside / "copy.db", state / "code_data.db")

    said, stopped = _lost_after(initialized_repo, monkeypatch, replace)
    assert stopped and "code_data.db was replaced by another file" in said


def test_a_runtime_dropped_by_the_worker_of_all_repositories_leaves_the_process_running(
        initialized_repo, monkeypatch):
    # a review: dropping one repository (its index removed) stopped this process's
    # documenter calls for good, every other repository's among them
    import threading

    from codequery.documenters import process

    monkeypatch.setattr(process, "_STOPPING", threading.Event())  # this test's own flag
    runtime = WorkerRuntime(Workspace(initialized_repo), lambda job_id, priority: None,
                            lambda: None)
    assert runtime.start(own_log=False)
    try:
        runtime.shutdown(whole_process=False)
        assert not process.stopping()
    finally:
        process.mark_calls(None)
    runtime.shutdown()
    assert process.stopping()  # a worker's own end stops them


def test_a_worker_that_cannot_find_its_documenter_says_so_once_and_the_shell_cannot_lift_it(
        initialized_repo, fake_claude, tmp_path, monkeypatch, caplog):
    # The worker started without the Claude CLI on its PATH; the shell that ran `init`
    # had it (and found it logged out). The block's reason must become the worker's, be
    # logged once (not a traceback a second), and stand for the shell's checks while the
    # worker renews it; the worker lifts it once it finds the CLI.
    runtime, conn, handed = _blocked_claude_runtime(initialized_repo, 3)
    shell_path = os.environ["PATH"]
    no_claude = tmp_path / "worker-bin"  # the worker's surroundings: git, no claude
    no_claude.mkdir()
    (no_claude / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(no_claude))

    def due(seconds: float = blocking.RECHECK_SECONDS + 1) -> None:
        conn.execute("UPDATE documenter_blocks SET checked_at = checked_at - ?", (seconds,))

    due()
    with caplog.at_level(logging.ERROR, logger="codequery"):
        next_check = runtime.dispatch(conn)
        found = blocking.current(conn, "claude")
        assert handed == [] and next_check >= time.time() + blocking.RECHECK_SECONDS - 1
        assert found["reason"].startswith(blocking.WORKER_CANNOT)
        assert "`claude` was not found on PATH" in found["reason"]
        assert "codequery worker restart" in found["reason"]
        assert time.time() - found["checked_at"] < 5  # checked: the next in 15 s
        runtime.dispatch(conn)  # woken before the next check is due: nothing more
        due()
        runtime.dispatch(conn)  # checked again: the same, not logged again
    told = [r for r in caplog.records if "cannot be run by this worker" in r.getMessage()]
    assert len(told) == 1 and told[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info]
    assert handed == []

    monkeypatch.setenv("PATH", shell_path)  # the shell finds the CLI, logged in
    shell = JobRunner(Workspace(initialized_repo))
    assert shell.caller.recheck_block() == blocking.current(conn, "claude")["reason"]
    assert blocking.current(conn, "claude") is not None  # not lifted by the shell
    due(blocking.WORKER_RENEWS_WITHIN)  # no worker renewed it: the shell's check counts
    assert shell.caller.recheck_block() is None
    assert blocking.current(conn, "claude") is None

    blocking.block(conn, "claude", blocking.worker_cannot("the CLI was not found"))
    due()
    runtime.dispatch(conn)  # the worker finds it now (a restart, or its full path set)
    assert blocking.current(conn, "claude") is None
    assert sorted(handed) == sorted(set(handed)) and len(handed) == 3
