"""Consumers on the shared remote queue, with a real redis-server, real processes and real
signals: the home worker owns the ledger and the index, consumers anywhere do the calls."""

import collections
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from codequery import ledger, store
from tests.helpers import (
    CODEQUERY_BIN,
    cli_run,
    configure,
    logged_calls,
    make_repo,
    run_installed,
    wait_for,
)

pytestmark = pytest.mark.slow


def _home(tmp_path: Path, url: str, files: int, threads: int = 2) -> Path:
    repo = make_repo(tmp_path / "home", {
        f"src/mod_{i:03d}.py": f"def function_{i}(x):\n    return x + {i}\n"
        for i in range(files)})
    assert cli_run(repo, "init", "--documenter", "claude", "--no-document").exit_code == 0
    configure(repo, processing={"transport": "redis", "redis_url": url, "threads": threads},
              documenter={"requests_per_minute": 0, "timeout_seconds": 30})
    return repo


class Consumer:
    """`codequery worker start --remote URL` in a directory with no repository."""

    def __init__(self, url: str, where: Path, threads: int = 2,
                 env: dict[str, str] | None = None) -> None:
        self.url, self.where, self.threads, self.env = url, where, threads, env
        where.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        out = open(self.where / "consumer.log", "ab")  # noqa: SIM115 - the child's
        self.proc = subprocess.Popen(
            [str(CODEQUERY_BIN), "worker", "start", "--remote", self.url,
             "--threads", str(self.threads)], cwd=self.where, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=None if self.env is None else {**os.environ, **self.env})
        out.close()

    @property
    def log(self) -> str:
        return (self.where / "consumer.log").read_text()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _ledger(repo: Path):
    return store.connect(repo / ".code-query/code_data.db")


def _counts(repo: Path) -> dict:
    conn = _ledger(repo)
    try:
        return ledger.counts(conn, "home")
    finally:
        conn.close()


def _events(repo: Path) -> list[tuple[str, str, str]]:
    conn = _ledger(repo)
    try:
        return conn.execute("SELECT job_id, to_status, coalesce(detail, '') FROM job_events "
                            "ORDER BY rowid").fetchall()
    finally:
        conn.close()


def _latest_retry(repo: Path) -> float:
    conn = _ledger(repo)
    try:
        return conn.execute("SELECT coalesce(max(next_retry_at), 0) FROM jobs").fetchone()[0]
    finally:
        conn.close()


def _completions(repo: Path) -> list[tuple[str, str]]:
    conn = _ledger(repo)
    try:
        return conn.execute("SELECT job_id, detail FROM job_events WHERE to_status = ?",
                            (ledger.COMPLETED,)).fetchall()
    finally:
        conn.close()


def _documented_paths(repo: Path) -> list[str]:
    conn = _ledger(repo)
    try:
        return [row[0] for row in conn.execute("SELECT path FROM records WHERE dataset = ?",
                                               ("home",))]
    finally:
        conn.close()


def _by_consumer(completions) -> collections.Counter:
    return collections.Counter(re.sub(r".* on ", "", detail) for _, detail in completions)


def test_a_consumer_without_the_repository_documents_for_the_home_worker(
        tmp_path, redis_server, fake_claude):
    repo = _home(tmp_path, redis_server.url, files=12, threads=1)
    consumer = Consumer(redis_server.url, tmp_path / "elsewhere", threads=2)
    try:
        assert run_installed(repo, "worker", "start").returncode == 0
        wait_for(lambda: _counts(repo)["completed"] == 12, timeout=60)
    finally:
        consumer.stop()
        run_installed(repo, "worker", "stop")
    completions = _completions(repo)
    assert len(completions) == 12 == len({job for job, _ in completions})
    workers = _by_consumer(completions)
    assert any(f":{consumer.proc.pid}@" in who for who in workers), workers
    shown = cli_run(repo, "show", "src/mod_003.py", "--json")
    assert "Fake documentation of src/mod_003.py." in shown.stdout
    assert len(logged_calls(fake_claude)) == 12


def test_400_jobs_survive_three_killed_consumers_and_a_redis_restart(
        tmp_path, redis_server, fake_claude, monkeypatch):
    monkeypatch.setenv("FAKE_CLAUDE_DELAY", "0.05")  # consumers are mid-call when killed
    total = 400
    repo = _home(tmp_path, redis_server.url, files=total, threads=2)
    consumers = [Consumer(redis_server.url, tmp_path / f"consumer-{n}") for n in range(2)]
    kills, restarted = 0, False
    try:
        assert run_installed(repo, "worker", "start").returncode == 0
        # a killed consumer's last lease has to expire before its job comes back: on a
        # loaded machine (CI beside a benchmark) 150 s once left one job processing
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            done = _counts(repo)["completed"]
            if done >= total:
                break
            if kills < 3 and done >= 60 + 90 * kills:
                victim = consumers[kills % 2]
                victim.kill()  # mid-job: its leases must come back
                kills += 1
                time.sleep(0.3)
                victim.start()
            if not restarted and done >= 200:
                redis_server.restart(down_for=0.5)  # everything in Redis is lost
                restarted = True
            time.sleep(0.1)
    finally:
        for consumer in consumers:
            consumer.stop()
        run_installed(repo, "worker", "stop")
    assert kills == 3 and restarted
    counts = _counts(repo)
    completions = _completions(repo)
    assert counts["completed"] == total, counts  # 400/400
    assert len(completions) == len({job for job, _ in completions}) == total  # 0 duplicates
    assert sorted(_documented_paths(repo)) == [f"src/mod_{i:03d}.py" for i in range(total)]
    assert counts["pending"] == counts["processing"] == counts["dead"] == 0  # 0 lost
    workers = _by_consumer(completions)
    assert len(workers) >= 3, workers  # both consumers and the home worker took a share
    released = _released(repo)
    assert released["its consumer stopped (no heartbeat); queued again"] >= 1, released
    assert released["the Redis transport restarted; queued again"] >= 1, released


def _released(repo: Path) -> collections.Counter:
    """Why jobs went back from processing to pending."""
    conn = _ledger(repo)
    try:
        return collections.Counter(row[0] for row in conn.execute(
            "SELECT detail FROM job_events WHERE from_status = ? AND to_status = ?",
            (ledger.PROCESSING, ledger.PENDING)))
    finally:
        conn.close()


def test_a_stopped_consumer_leaves_no_documenter_running(
        tmp_path, redis_server, fake_claude, monkeypatch):
    import os

    monkeypatch.setenv("FAKE_CLAUDE_HANG", "1")
    repo = _home(tmp_path, redis_server.url, files=1, threads=1)
    consumer = Consumer(redis_server.url, tmp_path / "elsewhere", threads=1)
    try:
        assert run_installed(repo, "worker", "start").returncode == 0
        [call] = wait_for(lambda: logged_calls(fake_claude), timeout=60)
        consumer.stop()  # SIGTERM: the hung call must not outlive it
        assert consumer.proc.returncode is not None
    finally:
        consumer.stop()
        run_installed(repo, "worker", "stop")

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat") as stat:  # reaped by init soon: a zombie is gone too
            return stat.read().split(") ", 1)[1].startswith("Z")

    assert wait_for(lambda: gone(call["pid"]) and gone(call["child"]), timeout=10)


def test_a_consumer_that_is_not_logged_in_takes_no_task(tmp_path, redis_server, fake_claude):
    repo = _home(tmp_path, redis_server.url, files=2)
    configure(repo, processing={"remote_threads": 0})
    logged_out = tmp_path / "logged-out"
    logged_out.touch()
    stranger = Consumer(redis_server.url, tmp_path / "stranger",
                        env={"FAKE_CLAUDE_LOGGED_OUT": str(logged_out)})
    good = None
    try:
        wait_for(lambda: "cannot document" in stranger.log, timeout=20)
        assert f":{stranger.proc.pid}@" in stranger.log  # it names itself
        assert run_installed(repo, "worker", "start").returncode == 0
        time.sleep(3)
        assert logged_calls(fake_claude) == []  # it took nothing to hand back later
        # status and doctor say what the backlog waits for, and why
        report = json.loads(run_installed(repo, "status", "--json").stdout)
        assert report["queue"]["waiting_for"] == "consumers"
        assert report["remote"]["running"] == 1 and report["remote"]["ready"] == 0
        assert any("logged in" in why for why in report["remote"]["cannot"])
        assert ("1 consumer running, none taking tasks (cannot document: "
                in run_installed(repo, "status").stdout)
        doctor = run_installed(repo, "doctor", "--json")
        [check] = [c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "consumers"]
        assert doctor.returncode == 1 and not check["ok"]
        assert "worker start --remote" in check["fix"]
        good = Consumer(redis_server.url, tmp_path / "good")
        wait_for(lambda: _counts(repo)["completed"] == 2, timeout=30)
        report = json.loads(run_installed(repo, "status", "--json").stdout)
        assert report["queue"]["waiting_for"] is None
        assert report["remote"]["ready"] == 1 and report["remote"]["ready_threads"] == 2
        logged_out.unlink()  # logged in at last: it takes tasks again, by itself
        wait_for(lambda: "can document again" in stranger.log, timeout=30)
    finally:
        stranger.stop()
        if good is not None:
            good.stop()
        run_installed(repo, "worker", "stop")


def test_a_task_a_consumer_finds_it_cannot_do_is_handed_back_at_once_naming_it(
        tmp_path, redis_server, fake_claude):
    repo = _home(tmp_path, redis_server.url, files=2)
    configure(repo, processing={"remote_threads": 0})
    logged_out = tmp_path / "logged-out"
    stranger = Consumer(redis_server.url, tmp_path / "stranger",
                        env={"FAKE_CLAUDE_LOGGED_OUT": str(logged_out)})
    good = None
    try:
        wait_for(lambda: "serving" in stranger.log, timeout=20)  # checked while logged in
        logged_out.touch()  # the login expires after the check
        assert run_installed(repo, "worker", "start").returncode == 0
        wait_for(lambda: any(c.get("logged_out") for c in logged_calls(fake_claude)),
                 timeout=30)
        time.sleep(2)
        handed_back = [detail for _, status, detail in _events(repo)
                       if status == ledger.PENDING and "not logged in" in detail]
        assert handed_back, _events(repo)
        assert all(f":{stranger.proc.pid}@" in detail for detail in handed_back), handed_back
        assert _latest_retry(repo) < time.time() + 60  # not held for 300 s
        assert "cannot document" in stranger.log
        calls = len(logged_calls(fake_claude))
        good = Consumer(redis_server.url, tmp_path / "good")
        wait_for(lambda: _counts(repo)["completed"] == 2, timeout=30)
        assert len(logged_calls(fake_claude)) <= calls + 2  # the stranger took no more
    finally:
        stranger.stop()
        if good is not None:
            good.stop()
        run_installed(repo, "worker", "stop")
