"""The console script as a user runs it, in real subprocesses."""

import contextlib
import json
import re
import signal
import sqlite3
import subprocess
import time

from tests.helpers import CODEQUERY_BIN, commit_all, make_repo, run_installed, write


def test_installed_entry_point_initialises_and_searches(repo):
    done = run_installed(repo, "init")
    assert done.returncode == 0, done.stderr
    found = json.loads(run_installed(repo, "search", "--json", "renderInvoice").stdout)
    assert found[0]["path"] == "web/app.js"


def test_user_errors_are_one_line_with_exit_1(tmp_path):
    done = run_installed(tmp_path, "search", "x")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error:")


def test_usage_errors_exit_2(repo):
    assert run_installed(repo, "search").returncode == 2


def _records(db) -> int:
    """How many records the database holds now, read without waiting on the writer (a
    poll that waited on its lock could miss the moment to interrupt); 0 if unreadable."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return conn.execute("SELECT count(*) FROM records").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _big_module(i: int) -> str:
    body = "\n".join(f"def function_{i}_{n}(a, b=1):\n    '''Doc {n}.'''\n    return a + b\n"
                     for n in range(600))
    return f'"""Module {i}."""\n{body}\n'


def test_ctrl_c_keeps_finished_records_and_a_second_run_continues(tmp_path):
    repo = make_repo(tmp_path / "big", {})
    write(repo, {f"pkg/m{i:04}.py": _big_module(i) for i in range(400)})
    commit_all(repo)
    assert run_installed(repo, "init", "--no-document").returncode == 0
    # As a terminal's foreground job: a run in the background (`bash .ci/run &`) hands
    # its children SIGINT ignored, and Python then keeps ignoring it
    proc = subprocess.Popen([str(CODEQUERY_BIN), "-C", str(repo), "document"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    db = repo / ".code-query/code_data.db"
    deadline = time.monotonic() + 60
    while _records(db) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "document finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    kept = _records(db)
    assert 5 <= kept < 400
    # what this run finished (its count, not the index's): all of it is kept
    said = re.search(r"interrupted after (\d+) files?; what is done is kept", err)
    assert said is not None, err
    assert int(said[1]) <= kept
    assert "\ninterrupted\n" not in err  # said once (a new user's trial: then a bare line)
    second = run_installed(repo, "document")
    assert second.returncode == 0
    assert f"{400 - kept} documented, {kept} unchanged" in second.stderr


def test_ctrl_c_kills_the_llm_calls_running_at_once_and_spends_no_attempt(tmp_path):
    # init and document make an LLM's calls in threads, which a Ctrl-C does not reach, and
    # each call runs in a session of its own: without a kill the run waited out the calls
    import os

    from tests.helpers import configure, use_fake_llm, wait_for

    repo = make_repo(tmp_path / "r", {f"m{i}.py": f"def f{i}():\n    return {i}\n"
                                      for i in range(4)})
    assert run_installed(repo, "init", "--no-document").returncode == 0
    use_fake_llm(repo)
    configure(repo, processing={"threads": 2})
    log = tmp_path / "calls.log"
    env = {**os.environ, "FAKE_LLM_DELAY": "120", "FAKE_LLM_LOG": str(log)}
    proc = subprocess.Popen([str(CODEQUERY_BIN), "-C", str(repo), "document", "--yes"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for(lambda: log.exists() and len(log.read_text().splitlines()) == 2, timeout=60)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)  # not the calls' 120 s
        assert proc.returncode == 130, err
        for line in log.read_text().splitlines():
            pid = json.loads(line)["pid"]
            wait_for(lambda pid=pid: not os.path.exists(f"/proc/{pid}"), timeout=10)
    finally:  # a failure leaves neither the run nor its 120 s calls behind
        proc.kill()
        proc.communicate()
        for line in log.read_text().splitlines() if log.exists() else ():
            with contextlib.suppress(ProcessLookupError):
                os.kill(json.loads(line)["pid"], signal.SIGKILL)
    with sqlite3.connect(repo / ".code-query/code_data.db") as conn:
        jobs = conn.execute("SELECT status, attempts FROM jobs").fetchall()
    assert jobs and {status for status, _ in jobs} == {"pending"}, jobs
    assert {attempts for _, attempts in jobs} == {0}, jobs
