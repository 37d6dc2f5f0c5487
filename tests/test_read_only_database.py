"""A data database that cannot be written for a while (its permissions, `chattr +i`, a
read-only mount): clear errors, and a worker that goes on once it can be written again.
Real SQLite; a connection SQLite opened read-only stands for one opened while the file
could not be written (SQLite falls back to read-only then, for good)."""

import sqlite3

import pytest

from codequery import ledger, store
from codequery.errors import CodeQueryError
from codequery.store import Store
from codequery.worker import WorkerRuntime
from codequery.workspace import Workspace
from tests.helpers import cli_json, cli_run, git, run_installed


def _read_only(path):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def test_a_read_only_database_is_told_as_such(repo):
    cli_run(repo, "init", "--no-hooks")
    ws = Workspace(repo)
    conn = _read_only(ws.paths.data_db)
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("DELETE FROM records")
    assert store.read_only(caught.value)
    assert not store.damaged(caught.value) and not store.disk_full(caught.value)
    error = ws.damage_error(caught.value)
    assert isinstance(error, CodeQueryError)
    assert "read-only" in str(error) and "nothing in it is lost" in str(error)
    assert not store.read_only(sqlite3.OperationalError("database is locked"))


def test_a_worker_whose_connection_was_read_only_writes_again(repo):
    cli_run(repo, "init", "--no-hooks")
    ws = Workspace(repo)
    sha = git(repo, "rev-parse", "HEAD:src/invoices.py").strip()
    conn = ws.connect()
    [job] = ledger.enqueue(conn, "repo", [("src/invoices.py", ledger.REDO, sha)])
    worker = WorkerRuntime(ws, lambda job_id, priority: None, lambda: None)
    # the job thread's connection was opened while the file could not be written
    worker.runner._local.store = Store(_read_only(ws.paths.data_db), "repo")
    worker.run_job(job.id)
    assert ledger.get(conn, job.id).status != ledger.COMPLETED
    worker.run_job(job.id)  # the file can be written: a new connection does
    assert ledger.get(conn, job.id).status == ledger.COMPLETED


@pytest.fixture
def unwritable():
    """Makes a file unwritable for real: `chattr +i` as root (who may write whatever the
    permissions say), a mode of 0444 otherwise; undone afterwards."""
    import os
    import shutil
    import subprocess

    made = []

    def make(path):
        if os.geteuid() == 0:
            if shutil.which("chattr") is None or subprocess.run(
                    ["chattr", "+i", str(path)], capture_output=True).returncode != 0:
                pytest.skip("this file system keeps no immutable flag")
        else:
            path.chmod(0o444)
        made.append(path)
        assert not os.access(path, os.W_OK)

    yield make
    for path in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o644)


def test_doctor_and_worker_start_name_a_read_only_database(repo, unwritable):
    from codequery import doctor

    cli_run(repo, "init", "--no-hooks")
    ws = Workspace(repo)
    assert cli_run(repo, "document", "--queue", "--force").exit_code == 0
    unwritable(ws.paths.data_db)
    queue = cli_json(repo, "status")["queue"]
    assert queue["waiting_for"] == "read-only" and queue["eta_s"] is None
    [check] = [c for c in doctor.diagnose(repo) if c.name == "database"]
    assert not check.ok and "cannot be written" in check.detail and "writable" in check.fix
    result = cli_run(repo, "worker", "start")
    assert result.exit_code == 1 and "read-only" in result.stderr
    # a process that opens it now (one open before may still write its WAL)
    done = run_installed(repo, "document", "--force")
    assert done.returncode == 1 and "read-only" in done.stderr
    assert "hit a bug" not in done.stderr


def test_a_read_only_folder_is_told_as_such_not_as_damage(repo, unwritable):
    # SQLite cannot open the database at all then ("unable to open database file"), and
    # doctor advised moving the index aside to rebuild it
    from codequery import doctor

    cli_run(repo, "init", "--no-hooks")
    ws = Workspace(repo)
    for name in ("code_data.db-shm", "code_data.db-wal"):
        (ws.paths.state_dir / name).unlink(missing_ok=True)
    unwritable(ws.paths.data_db)
    unwritable(ws.paths.state_dir)
    [check] = [c for c in doctor.diagnose(repo) if c.name == "database"]
    assert not check.ok and "cannot be written" in check.detail
    assert "aside" not in check.fix
    done = run_installed(repo, "status")
    assert "read-only" in done.stderr + done.stdout, done.stderr


def test_the_llm_callers_shared_connection_writes_again(repo, unwritable):
    # the rate limiter, breaker and block list share one connection a process opens on
    # first use: opened while the file could not be written, it never wrote again
    import os
    import subprocess

    from codequery.store import SharedConnection

    cli_run(repo, "init", "--no-hooks")
    ws = Workspace(repo)
    shared = SharedConnection(ws.paths.data_db)
    unwritable(ws.paths.data_db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        shared.get().execute("DELETE FROM job_events")
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(ws.paths.data_db)], check=True)
    else:
        ws.paths.data_db.chmod(0o644)
    shared.get().execute("DELETE FROM job_events")  # a new connection, that writes
