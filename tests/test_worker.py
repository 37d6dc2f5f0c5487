"""The worker as users run it: real consumer processes, real signals, real SQLite."""

import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import codequery
from codequery import ledger, liveness, pidfile, store, worker_control
from codequery.paths import RepoPaths
from tests.helpers import (
    BIN_DIR,
    cli_run,
    commit_all,
    configure,
    make_repo,
    run_installed,
    use_fake_llm,
    wait_for,
    write,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def repo_paths(repo):
    yield RepoPaths(repo)
    with contextlib.suppress(Exception):  # teardown must not hide the test's own failure
        worker_control.stop(RepoPaths(repo), timeout=5)


def _queue(repo, *paths):
    done = run_installed(repo, "document", "--queue", *paths)
    assert done.returncode == 0, done.stderr
    return [line.split("\t")[0] for line in done.stdout.splitlines()]


def _start(repo, *args):
    done = run_installed(repo, "worker", "start", *args)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _statuses(repo):
    conn = store.connect(repo / ".code-query/code_data.db")
    return dict(conn.execute("SELECT id, status FROM jobs").fetchall())


def test_jobs_queued_with_no_worker_are_done_after_start(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    ids = _queue(repo)
    assert len(ids) == 3 and set(_statuses(repo).values()) == {"pending"}
    assert "worker started" in _start(repo)
    done = run_installed(repo, "queue", "wait", *ids, "--timeout", "30")
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(run_installed(repo, "search", "--json", "parse_invoice").stdout)
    assert found[0]["path"] == "src/invoices.py"


def test_status_measures_a_busy_workers_cpu(repo, repo_paths):
    # psutil's oneshot() reads a process's CPU times once: sampled inside it, the use
    # was always 0%, even at 80% in ps
    import psutil

    cli_run(repo, "init", "--no-document")
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    lock = None
    try:
        proc = psutil.Process(busy.pid)
        repo_paths.pid_file.write_text(json.dumps(
            {"pid": busy.pid, "create_time": proc.create_time(), "cmdline": proc.cmdline()}))
        lock = liveness.acquire(repo_paths)  # the worker's lock, held as it holds it
        assert lock is not None
        found = worker_control.info(repo_paths)
    finally:
        if lock is not None:
            os.close(lock)
        busy.kill()
        busy.wait()
    assert found.pid == busy.pid and found.cpu_percent > 0


def test_start_twice_says_already_running(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    _start(repo)
    assert "already running" in _start(repo)


def test_status_exit_codes_and_json(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    assert run_installed(repo, "worker", "status").returncode == 3
    _start(repo)
    done = run_installed(repo, "worker", "status", "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["worker"]["running"] is True
    assert report["worker"]["pid"] == pidfile.read(repo_paths.pid_file)["pid"]
    assert set(report["queue"]) >= {"pending", "processing", "completed", "dead"}


def test_stop_is_graceful_and_leaves_no_pid_file(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    _start(repo)
    worker = psutil.Process(pidfile.read(repo_paths.pid_file)["pid"])
    done = run_installed(repo, "worker", "stop")
    assert done.returncode == 0 and "stopped" in done.stdout
    assert not liveness.worker_alive(repo_paths)
    # the process is gone when it says so, not only its lock (a new user's trial)
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE
    assert not repo_paths.pid_file.exists()
    assert "no worker is running" in run_installed(repo, "worker", "stop").stdout


def test_a_stale_pid_file_does_not_fool_status_or_start(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    repo_paths.pid_file.write_text(json.dumps({"pid": 999_999, "create_time": 1.0,
                                               "cmdline": ["x"]}))
    assert run_installed(repo, "worker", "status").returncode == 3
    assert "worker started" in _start(repo)


def test_status_and_doctor_say_a_killed_worker_ended_without_stopping(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    _start(repo)
    pid = pidfile.read(repo_paths.pid_file)["pid"]
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not liveness.worker_alive(repo_paths), timeout=10)
    said = run_installed(repo, "status")
    assert f"the last worker, pid {pid}, ended without stopping" in said.stdout
    report = json.loads(run_installed(repo, "status", "--json").stdout)
    assert report["worker"]["running"] is False and report["worker"]["ended"]["pid"] == pid
    worker_said = run_installed(repo, "worker", "status")
    assert worker_said.returncode == 3 and f"pid {pid}, ended without" in worker_said.stdout
    assert f"pid {pid}, ended without stopping" in run_installed(repo, "doctor").stdout
    _start(repo)  # a new worker's own pid file replaces the old one
    worker_control.stop(repo_paths, timeout=10)
    report = json.loads(run_installed(repo, "status", "--json").stdout)
    assert report["worker"]["ended"] is None
    assert "ended without" not in run_installed(repo, "status").stdout


def test_a_worker_stopped_the_hard_way_is_not_reported_as_lost(tmp_path):
    """A worker that ignores SIGINT and SIGTERM is killed by `stop`, which leaves its pid
    file behind; stop removes it, so status does not say the worker ended without
    stopping. A pid file of a worker gone unnoticed is still reported."""
    paths = RepoPaths(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import signal, sys, time\n"
         "from pathlib import Path\n"
         "from codequery import liveness, pidfile\n"
         "from codequery.paths import RepoPaths\n"
         "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
         "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
         "paths = RepoPaths(Path(sys.argv[1]))\n"
         "lock = liveness.acquire(paths)\n"
         "pidfile.write(paths.pid_file)\n"
         "print('ready', flush=True)\n"
         "time.sleep(60)\n", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=Path(codequery.__file__).parent.parent)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert worker_control.info(paths).running
        assert worker_control.stop(paths, timeout=0.5) == holder.pid
        assert holder.wait(timeout=10) == -signal.SIGKILL
    finally:
        holder.kill()
        holder.wait()
    assert not paths.pid_file.exists()
    assert worker_control.info(paths).ended is None
    paths.pid_file.write_text(json.dumps({"pid": holder.pid, "started_at": 1.0}))
    assert worker_control.info(paths).ended == {"pid": holder.pid, "started_at": 1.0}
    # a pid file naming a live process: a worker starting (its lock not yet taken)
    pidfile.write(paths.pid_file)
    assert worker_control.info(paths).ended is None


def test_a_recycled_pid_is_never_signalled(repo, repo_paths):
    """The pid file names a live process that is not our worker: nothing is killed."""
    cli_run(repo, "init", "--no-document")
    bystander = subprocess.Popen(["sleep", "30"])
    try:
        repo_paths.pid_file.write_text(json.dumps({"pid": bystander.pid, "create_time": 1.0,
                                                   "cmdline": ["sleep", "30"]}))
        assert run_installed(repo, "worker", "status").returncode == 3
        assert "no worker is running" in run_installed(repo, "worker", "stop").stdout
        assert bystander.poll() is None
        # and while a real worker runs, a pid file that lies is reported, not trusted
        _start(repo)
        real = pidfile.read(repo_paths.pid_file)
        repo_paths.pid_file.write_text(json.dumps({**real, "pid": bystander.pid}))
        assert pidfile.live_process(repo_paths.pid_file) is None
        assert bystander.poll() is None
        repo_paths.pid_file.write_text(json.dumps(real))
    finally:
        bystander.kill()


def test_two_starts_racing_one_wins(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    procs = [subprocess.Popen([str(BIN_DIR / "codequery"), "-C", str(repo), "worker", "start"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sorted("started" in o for o in outs) == [False, True], outs
    assert sum("already running" in o for o in outs) == 1
    import psutil

    consumers = [p for p in psutil.process_iter(["cmdline", "environ"])
                 if "codequery.worker" in " ".join(p.info["cmdline"] or [])
                 and (p.info["environ"] or {}).get("CODEQUERY_ROOT") == str(repo)]
    assert len(consumers) == 1


def test_failing_documenter_ends_dead_with_growing_delays_then_retry(repo, repo_paths,
                                                                      monkeypatch):
    cli_run(repo, "init", "--no-document")
    use_fake_llm(repo)
    configure(repo, processing={"max_retries": 3, "retry_base_seconds": 0.3},
              files={"exclude": ["README.md", "web/*"]})  # one job: the breaker stays shut
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    [job] = _queue(repo, "src/invoices.py")
    _start(repo)
    done = run_installed(repo, "queue", "wait", job, "--timeout", "60")
    assert done.returncode == 1 and "dead" in done.stdout
    shown = json.loads(run_installed(repo, "queue", "show", job, "--json").stdout)
    assert shown["status"] == "dead" and shown["attempts"] == 4
    assert "model overloaded" in shown["error"]
    starts = [e["at"] for e in shown["events"] if e["to"] == "processing"]
    raw = [e for e in json.loads(run_installed(repo, "events", "--job", job, "--json").stdout)]
    assert len(starts) == 4 and len(raw) == len(shown["events"])
    conn = store.connect(repo / ".code-query/code_data.db")
    times = [r[0] for r in conn.execute(
        "SELECT at FROM job_events WHERE job_id = ? AND to_status = 'processing' ORDER BY id",
        (job,))]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # the delays the ledger set grow; each try waited at least its delay (a loaded
    # machine makes the gaps longer, never shorter: they are not compared with each other)
    delays = [float(m[1]) for e in shown["events"]
              if (m := re.search(r"\(retry in ([\d.]+)s\)", e.get("detail") or ""))]
    assert len(delays) == 3 and delays[0] < delays[1] < delays[2], delays
    assert delays[0] >= 0.3
    assert all(gap >= delay - 0.05 for gap, delay in zip(gaps, delays, strict=True)), (
        gaps, delays)
    run_installed(repo, "worker", "stop")
    monkeypatch.delenv("FAKE_LLM_FAIL")
    assert "1 job queued again" in run_installed(repo, "queue", "retry", "--all-dead").stdout
    _start(repo)
    assert run_installed(repo, "queue", "wait", job, "--timeout", "30").returncode == 0


def test_high_priority_jobs_run_before_normal_and_low(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "prio", {f"f{i}.py": f"x = {i}\n" for i in range(9)})
    paths = RepoPaths(repo)
    try:
        cli_run(repo, "init", "--no-document")
        use_fake_llm(repo)
        for i, priority in enumerate(["low"] * 3 + ["normal"] * 3 + ["high"] * 3):
            cli_run(repo, "document", "--queue", "--priority", priority, f"f{i}.py")
        _start(repo, "--threads", "1")
        conn = store.connect(repo / ".code-query/code_data.db")
        wait_for(lambda: ledger.counts(conn, "prio")["completed"] == 9, timeout=60)
        order = [r[0] for r in conn.execute(
            "SELECT j.path FROM job_events e JOIN jobs j ON j.id = e.job_id "
            "WHERE e.to_status = 'processing' ORDER BY e.id")]
        rank = {f"f{i}.py": i // 3 for i in range(9)}
        assert [rank[p] for p in order] == sorted((rank[p] for p in order), reverse=True)
    finally:
        worker_control.stop(paths, timeout=5)


def test_cancel_and_clear(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    ids = _queue(repo)
    assert "1 of 1 jobs cancelled" in cli_run(repo, "queue", "cancel", ids[0]).stdout
    listed = json.loads(cli_run(repo, "queue", "list", "--json", "--status", "cancelled").stdout)
    assert [j["id"] for j in listed] == [ids[0]]
    assert cli_run(repo, "queue", "clear", "--days", "0", input="n\n").exit_code == 1
    unanswered = cli_run(repo, "queue", "clear", "--days", "0", input="")
    assert unanswered.exit_code == 1 and "pass --yes" in unanswered.stderr
    assert "1 job deleted" in cli_run(repo, "queue", "clear", "--days", "0", "--yes").stdout
    assert len(json.loads(cli_run(repo, "queue", "list", "--json").stdout)) == 2


def test_huey_consumer_by_hand_is_the_same_worker(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    ids = _queue(repo)
    env = {**os.environ, "CODEQUERY_ROOT": str(repo)}
    consumer = subprocess.Popen([str(BIN_DIR / "huey_consumer"), "tasks.huey", "-w", "2",
                                 "-k", "thread", "-d", "0.1", "-m", "1"], cwd=repo, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: liveness.worker_alive(repo_paths), timeout=30)
        assert "already running" in _start(repo)
        assert run_installed(repo, "queue", "wait", *ids, "--timeout", "30").returncode == 0
        status = json.loads(run_installed(repo, "worker", "status", "--json").stdout)
        assert status["worker"]["pid"] == consumer.pid
    finally:
        consumer.send_signal(signal.SIGINT)
        consumer.wait(timeout=30)
    assert not liveness.worker_alive(repo_paths)


def test_chaos_sigkill_loses_nothing_and_writes_each_record_once(tmp_path, monkeypatch):
    files = {f"pkg/m{i:03}.py": f"def f{i}():\n    return {i}\n" for i in range(300)}
    repo = make_repo(tmp_path / "chaos", files)
    paths = RepoPaths(repo)
    cli_run(repo, "init", "--no-document")
    use_fake_llm(repo)
    monkeypatch.setenv("FAKE_LLM_DELAY", "0.02")
    ids = _queue(repo)
    assert len(ids) == 300
    conn = store.connect(repo / ".code-query/code_data.db")
    rng = random.Random(1234)
    kills = 0
    try:
        while kills < 5:
            _start(repo, "--threads", "4")
            time.sleep(rng.uniform(0.3, 1.5))
            info = pidfile.read(paths.pid_file)
            os.kill(info["pid"], signal.SIGKILL)
            wait_for(lambda: not liveness.worker_alive(paths), timeout=10)
            kills += 1
        _start(repo, "--threads", "4")
        wait_for(lambda: ledger.counts(conn, "chaos")["completed"] == 300, timeout=180)
    finally:
        worker_control.stop(paths, timeout=5)
    counts = ledger.counts(conn, "chaos")
    assert counts == {"pending": 0, "processing": 0, "completed": 300, "dead": 0,
                      "cancelled": 0}
    rows = conn.execute("SELECT path, count(*) FROM records GROUP BY path").fetchall()
    assert len(rows) == 300 and all(n == 1 for _, n in rows)
    assert conn.execute("SELECT count(DISTINCT path) FROM jobs").fetchone()[0] == 300
    released = conn.execute("SELECT count(*) FROM job_events WHERE detail LIKE '%lease released%'"
                            ).fetchone()[0]
    assert released >= 1  # the kills really interrupted work in progress


def test_logs_have_one_line_per_state_change(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    ids = _queue(repo)
    _start(repo)
    run_installed(repo, "queue", "wait", *ids, "--timeout", "30")
    out = run_installed(repo, "worker", "logs", "-n", "200").stdout
    for job_id in ids:
        assert f"[QUEUE] {job_id} path=" in out
    assert "status=completed duration=" in out
    # --limit, as every other listing takes it (a trial: only -n worked)
    assert run_installed(repo, "worker", "logs", "--limit", "1").stdout.count("\n") == 1


def test_document_queue_and_status_report_backlog(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    _queue(repo)
    report = json.loads(cli_run(repo, "status", "--json").stdout)
    assert report["worker"]["running"] is False
    assert report["queue"]["pending"] == 3
    assert report["queue"]["oldest_pending_age_s"] >= 0
    assert report["records"] == {"total": 0, "stale": 0}


def test_status_counts_stale_records(repo):
    cli_run(repo, "init", "--no-hooks")
    write(repo, {"README.md": "# changed on disk\n"})
    commit_all(repo)
    write(repo, {"web/app.js": "// edited, not committed\n"})
    report = json.loads(cli_run(repo, "status", "--json").stdout)
    assert report["records"] == {"total": 3, "stale": 2}


def test_a_worker_starting_while_the_lock_is_probed_waits_for_it(repo, repo_paths):
    """A prober (hook, status) holds the lock for an instant; the worker retries, not quits."""
    import fcntl
    import threading

    cli_run(repo, "init", "--no-document")
    repo_paths.state_dir.mkdir(exist_ok=True)
    fd = os.open(repo_paths.lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_SH)
    release = threading.Timer(0.4, lambda: (fcntl.flock(fd, fcntl.LOCK_UN), os.close(fd)))
    release.start()
    try:
        assert "worker started" in _start(repo)
    finally:
        release.join()


def test_the_worker_follows_a_changed_config(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    _start(repo)
    renamed = store.Store(store.connect(repo_paths.data_db), "renamed")
    assert renamed.count() == 0
    cli_run(repo, "init", "--dataset", "renamed", "--no-document")
    # The worker reads the new config at its next check and indexes the tree there.
    wait_for(lambda: renamed.count() == 3, timeout=20)
    assert renamed.get("README.md")["path"] == "README.md"


def test_a_killed_worker_left_as_a_zombie_holds_no_job(repo, repo_paths, monkeypatch):
    """As where PID 1 does not reap: the killed worker is our own unreaped child, so its
    pid stays taken by a zombie. The next worker must release its jobs at once, not after
    their 180 s lease."""
    import psutil

    cli_run(repo, "init", "--no-document")
    use_fake_llm(repo)
    monkeypatch.setenv("FAKE_LLM_DELAY", "3")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["CODEQUERY_ROOT"] = str(repo)
    zombie = subprocess.Popen(worker_control.worker_command(4), cwd=repo, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        conn = store.connect(repo_paths.data_db)
        wait_for(lambda: ledger.counts(conn, repo.name)["processing"] == 3, timeout=30)
        os.kill(zombie.pid, signal.SIGKILL)
        wait_for(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE, timeout=5)
        assert ledger.counts(conn, repo.name)["processing"] == 3  # held by the zombie
        monkeypatch.setenv("FAKE_LLM_DELAY", "0")
        started = time.monotonic()
        _start(repo)
        wait_for(lambda: ledger.counts(conn, repo.name)["completed"] == 3, timeout=60)
        assert time.monotonic() - started < 30  # released at start, not after the lease
        events = [e["detail"] for e in ledger.events(conn, dataset=repo.name)]
        assert sum("gone; lease released" in (d or "") for d in events) == 3
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(zombie.pid, signal.SIGKILL)
        zombie.wait()


def test_stop_with_a_hung_documenter_returns_within_the_timeout(repo, repo_paths,
                                                              monkeypatch):
    cli_run(repo, "init", "--no-document")
    use_fake_llm(repo, timeout_seconds=600)
    configure(repo, files={"exclude": ["README.md", "web/*"]})
    monkeypatch.setenv("FAKE_LLM_HANG", "1")
    _start(repo)
    conn = store.connect(repo_paths.data_db)
    wait_for(lambda: ledger.counts(conn, repo.name)["processing"] == 1, timeout=30)
    started = time.monotonic()
    done = run_installed(repo, "worker", "stop", "--timeout", "10")
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert took < 10, took
    [job] = ledger.jobs(conn, repo.name)
    assert (job.status, job.attempts) == (ledger.PENDING, 0)
    assert not liveness.worker_alive(repo_paths)


def _init_and_corrupt(repo, path):
    # init in a process of its own: a connection left open here would keep the database's
    # pages readable from its WAL file.
    assert run_installed(repo, "init", "--no-document").returncode == 0
    path.write_bytes(random.Random(4).randbytes(50_000))


def _run_worker_process(repo):
    """`python -m codequery.worker` as a service runs it, on the codequery under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(CODEQUERY_ROOT=str(repo), PYTHONPATH=str(Path(codequery.__file__).parents[1]))
    return subprocess.run([sys.executable, "-m", "codequery.worker"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=60)


def test_start_with_a_corrupt_database_fails_with_the_database_error(repo, repo_paths):
    _init_and_corrupt(repo, repo_paths.data_db)
    result = cli_run(repo, "worker", "start")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot use database {repo_paths.data_db}")
    assert not liveness.worker_alive(repo_paths) and not repo_paths.pid_file.exists()


def test_a_worker_that_cannot_open_its_database_exits_1_without_claiming_to_be_ready(
        repo, repo_paths):
    _init_and_corrupt(repo, repo_paths.data_db)
    done = _run_worker_process(repo)
    assert done.returncode == 1
    assert done.stderr.startswith(f"codequery: cannot use database {repo_paths.data_db}")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert not repo_paths.pid_file.exists()
    assert "cannot use database" in (repo_paths.log_dir / "worker.log").read_text()


def test_a_worker_with_an_invalid_config_exits_1_with_one_line(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    repo_paths.settings.write_text("{bad", encoding="utf-8")
    done = _run_worker_process(repo)
    assert done.returncode == 1
    assert done.stderr.startswith(f"codequery: invalid config {repo_paths.settings}")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert not repo_paths.pid_file.exists()


def test_status_with_an_invalid_config_still_tells_a_running_worker(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    _start(repo)
    repo_paths.settings.write_text("{bad", encoding="utf-8")
    result = cli_run(repo, "worker", "status")
    assert result.exit_code == 0 and "worker: running" in result.stdout
    assert result.stderr.startswith(f"warning: invalid config {repo_paths.settings}")


def test_status_with_a_corrupt_database_says_not_running_with_exit_3(repo, repo_paths):
    _init_and_corrupt(repo, repo_paths.data_db)
    result = cli_run(repo, "worker", "status", "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["worker"]["running"] is False and report["queue"] is None
    assert report["warning"].startswith(f"cannot use database {repo_paths.data_db}")
    assert result.stderr.startswith("warning: cannot use database")


def test_worker_status_says_to_restart_after_a_setting_read_at_start_changed(repo):
    assert cli_run(repo, "init").exit_code == 0
    try:
        assert run_installed(repo, "worker", "start").returncode == 0
        configure(repo, documenter={"confirm_above": 10})  # followed while it runs
        assert json.loads(cli_run(repo, "worker", "status", "--json").stdout)[
            "worker"]["restart_for"] == []
        configure(repo, processing={"threads": 3})  # read only at its start
        result = cli_run(repo, "worker", "status", "--json")
        assert json.loads(result.stdout)["worker"]["restart_for"] == ["processing.threads"]
        assert "warning: the running worker was started with other settings" in result.stderr
        # doctor says so too (a trial: it passed the worker that status warned of)
        checks = {c["name"]: c for c in json.loads(
            cli_run(repo, "doctor", "--json").stdout)["checks"]}
        assert not checks["worker"]["ok"] and checks["worker"]["severity"] == "warning"
        assert "started with other settings (processing.threads)" in checks["worker"]["detail"]
        assert checks["worker"]["fix"] == "codequery worker restart"
    finally:
        worker_control.stop(RepoPaths(repo), timeout=5)


def test_status_counts_the_threads_the_worker_runs_not_those_set_since(repo, repo_paths):
    cli_run(repo, "init", "--no-document")
    configure(repo, processing={"threads": 2})
    _start(repo)  # no --threads: as the settings say at its start
    try:
        configure(repo, processing={"threads": 6})  # read only when a worker starts
        report = json.loads(run_installed(repo, "status", "--json").stdout)
        assert report["worker"]["consumers"] == 2
        again = run_installed(repo, "worker", "start", "--threads", "2")
        assert "not started with" not in again.stderr  # it runs 2 already
    finally:
        worker_control.stop(repo_paths, timeout=5)


def test_restart_keeps_the_options_the_worker_was_started_with(repo, repo_paths):
    import socket

    with socket.socket() as probe:  # a port free now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cli_run(repo, "init", "--no-document")
    _start(repo, "--threads", "3", "--metrics-port", str(port))
    first = worker_control.info(repo_paths, sample_cpu=False).pid
    assert worker_control.started_with(repo_paths) == {"threads": 3, "metrics_port": port}
    # the threads that take jobs, told apart from the process's own
    said = run_installed(repo, "worker", "status").stdout
    assert "3 worker threads (" in said and " in the process)" in said
    assert "3 threads taking jobs" in run_installed(repo, "status").stdout
    assert json.loads(run_installed(repo, "status", "--json").stdout)["worker"]["consumers"] == 3
    # given to start while it runs, another --threads takes a restart: said, not ignored
    again = run_installed(repo, "worker", "start", "--threads", "5", "--metrics-port", str(port))
    assert "already running" in again.stdout
    assert ("the running worker was not started with --threads 5; `codequery worker "
            "restart --threads 5` applies it") in " ".join(again.stderr.split())
    done = run_installed(repo, "worker", "restart")
    assert done.returncode == 0, done.stderr
    assert worker_control.info(repo_paths, sample_cpu=False).pid != first
    assert worker_control.started_with(repo_paths) == {"threads": 3, "metrics_port": port}
    assert run_installed(repo, "worker", "restart", "--threads", "2").returncode == 0
    assert worker_control.started_with(repo_paths) == {"threads": 2, "metrics_port": port}
    # onto a port another process listens on: said, and the worker left running (a
    # trial's restart stopped it and then could not start the new one)
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        running = worker_control.info(repo_paths, sample_cpu=False).pid
        busy = taken.getsockname()[1]
        refused = run_installed(repo, "worker", "restart", "--metrics-port", str(busy))
        assert refused.returncode == 1
        said = " ".join(refused.stderr.split())
        assert f"cannot listen on 127.0.0.1:{busy}" in said and "nothing was stopped" in said
        assert worker_control.info(repo_paths, sample_cpu=False).pid == running
    # killed: restart, as people run it after a crash, keeps them too (from its pid file)
    try:
        os.kill(pidfile.read(repo_paths.pid_file)["pid"], signal.SIGKILL)
        wait_for(lambda: not liveness.worker_alive(repo_paths), timeout=10)
        assert worker_control.started_with(repo_paths) == {"threads": 2, "metrics_port": port}
        assert run_installed(repo, "worker", "restart").returncode == 0
        assert worker_control.started_with(repo_paths) == {"threads": 2, "metrics_port": port}
    finally:
        worker_control.stop(repo_paths, timeout=5)


def test_worker_status_with_its_database_gone_says_so_and_makes_none(initialized_repo):
    # it had made an empty database in its place, and status then counted every file missing
    from tests.helpers import cli_run

    db = initialized_repo / ".code-query" / "code_data.db"
    for leftover in db.parent.glob("code_data.db*"):
        leftover.unlink()
    result = cli_run(initialized_repo, "worker", "status")
    assert result.exit_code == 3, result.output
    assert ".code-query/code_data.db is gone, and its queue with it" in result.stderr
    assert not db.exists()
