"""The Redis transport with a real redis-server: the ledger stays the source of truth."""

import json
import subprocess
import time

import pytest

from codequery import redis_link, store
from tests.helpers import cli_json, cli_run, configure, run_installed, wait_for, write

pytestmark = pytest.mark.slow


def _use_redis(repo, url):
    configure(repo, processing={"transport": "redis", "redis_url": url})


def _statuses(repo):
    conn = store.connect(repo / ".code-query/code_data.db")
    try:
        return [row[0] for row in conn.execute("SELECT status FROM jobs")]
    finally:
        conn.close()


def _commit(repo, message="change"):
    started = time.monotonic()
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    done = subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started, done.stderr


def test_the_worker_documents_through_its_own_redis_queue(initialized_repo, redis_server):
    repo = initialized_repo
    _use_redis(repo, redis_server.url)
    write(repo, {"src/tax.py": "def compute_vat(amount):\n    return amount * 0.2\n"})
    elsewhere = redis_link.huey("codequery_0123456789abcdef", redis_server.url)  # another clone
    elsewhere.storage.enqueue(b"another clone's task", 0)
    assert run_installed(repo, "worker", "start").returncode == 0
    elapsed, said = _commit(repo)
    assert said == ""
    [hit] = wait_for(lambda: cli_json(repo, "search", "compute_vat"), timeout=20)
    assert hit["path"] == "src/tax.py"
    assert "transport redis" in (repo / ".code-query/logs/worker.log").read_text()
    # The worker waits on its own queue, named for this clone: nobody else's is touched.
    commands = redis_link.client(redis_server.url).info("commandstats")
    assert commands.get("cmdstat_zadd", {}).get("calls", 0) >= 1, commands
    assert elsewhere.storage.queue_size() == 1  # its start flushed only its own queue


def test_with_redis_down_the_hook_returns_and_nothing_is_lost(initialized_repo,
                                                              redis_server):
    repo = initialized_repo
    _use_redis(repo, redis_server.url)
    redis_server.stop()
    assert run_installed(repo, "worker", "start").returncode == 0
    write(repo, {f"src/m{i}.py": f"def function_{i}():\n    return {i}\n" for i in range(5)})
    elapsed, said = _commit(repo)
    assert said == "" and elapsed < 2.0
    # The worker's reconciler records the work in the ledger; Redis is not needed for that.
    # (30 s: a worker starting on a loaded machine once took more than 15)
    wait_for(lambda: _statuses(repo).count("pending") == 5, timeout=30)
    time.sleep(1.5)
    assert _statuses(repo).count("pending") == 5  # waiting for the transport, kept
    doctor = json.loads(run_installed(repo, "doctor", "--json").stdout)
    [check] = [c for c in doctor["checks"] if c["name"] == "redis"]
    assert not check["ok"] and "does not answer" in check["detail"]
    redis_server.start()
    wait_for(lambda: set(_statuses(repo)) == {"completed"}, timeout=30)
    assert [hit["path"] for hit in cli_json(repo, "search", "function_3")] == ["src/m3.py"]


def test_a_redis_transport_without_url_is_a_config_error(initialized_repo):
    repo = initialized_repo
    path = repo / ".code-query/config.json"
    cfg = json.loads(path.read_text())
    cfg["processing"]["transport"] = "redis"
    path.write_text(json.dumps(cfg))
    result = cli_run(repo, "status")  # said first, read on from the last good copy
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "settings: invalid config" in said and "processing" in said and "redis_url" in said
    assert "(this report reads its last good copy)" in said
    (repo / ".code-query/config.last.json").unlink()
    result = cli_run(repo, "status")  # no good copy: the error alone
    assert result.exit_code == 1
    assert "processing" in result.output and "redis_url" in result.output


def test_a_changed_redis_url_is_reported_until_the_worker_restarts(initialized_repo,
                                                                    redis_server):
    repo = initialized_repo
    _use_redis(repo, redis_server.url)
    assert run_installed(repo, "worker", "start").returncode == 0
    _use_redis(repo, redis_server.url.rsplit("/", 1)[0] + "/1")  # the worker keeps db 0
    report = cli_json(repo, "status")
    assert report["worker"]["restart_for"] == ["processing.redis_url"]
    said = " ".join(cli_run(repo, "status").stdout.split())
    assert ("the running worker was started with other settings (processing.redis_url) "
            "than the config holds now, and reads them only when it starts: restart it "
            "(codequery worker restart)") in said
    again = run_installed(repo, "worker", "start")
    assert "already running" in again.stdout and "processing.redis_url" in again.stderr
    assert run_installed(repo, "worker", "restart").returncode == 0
    assert cli_json(repo, "status")["worker"]["restart_for"] == []
    assert "restart" not in cli_run(repo, "worker", "status").stderr


def test_while_redis_is_down_the_worker_logs_it_once_and_loses_nothing(
        initialized_repo, redis_server, fake_claude):
    repo = initialized_repo
    assert cli_run(repo, "init", "--documenter", "claude", "--no-document").exit_code == 0
    _use_redis(repo, redis_server.url)  # remote threads too: every poller of the worker
    assert run_installed(repo, "worker", "start").returncode == 0
    log = repo / ".code-query/logs/worker.log"
    wait_for(lambda: "serving" in log.read_text() and _statuses(repo)
             and set(_statuses(repo)) == {"completed"}, timeout=30)
    time.sleep(1)
    before = len(log.read_text())
    redis_server.stop()
    write(repo, {f"src/m{i}.py": f"def function_{i}():\n    return {i}\n" for i in range(2)})
    _commit(repo)
    time.sleep(8)
    during = log.read_text()[before:]
    assert "Traceback" not in during and "Error reading" not in during, during
    assert during.count("is unreachable") == 1, during
    complaints = [line for line in during.splitlines() if " WARNING " in line
                  or " ERROR " in line]
    assert len(complaints) <= 2, during  # was hundreds of lines
    redis_server.start()
    wait_for(lambda: set(_statuses(repo)) == {"completed"}, timeout=30)
    assert [hit["path"] for hit in cli_json(repo, "search", "function_1")] == ["src/m1.py"]
    assert "is back after" in log.read_text()[before:]


def test_a_remote_consumer_given_no_url_fails_at_once_saying_so(initialized_repo):
    started = time.monotonic()
    done = run_installed(initialized_repo, "worker", "start", "--remote", "notaurl",
                         timeout=30)
    assert done.returncode == 1
    assert done.stderr == ("error: 'notaurl' is not a valid Redis URL; expected "
                           "redis://host:port/db (e.g. redis://localhost:6379/0; rediss:// "
                           "for TLS, unix:///path for a socket)\n")
    assert time.monotonic() - started < 10


def test_a_redis_restart_that_kept_its_data_hands_nothing_over_again(redis_server,
                                                                     monkeypatch):
    # with persistence the tasks were still there: handed over again, each was done (and
    # paid for) twice
    monkeypatch.setattr(redis_link.RestartWatch, "MARK_SECONDS", 0.0)
    watch = redis_link.RestartWatch(redis_server.url, "codequery:mark:test")
    assert watch.look() is None  # the first look
    assert watch.look() is None  # no restart
    redis_link.client(redis_server.url).save()  # kept on disk, as with persistence
    redis_server.restart()
    wait_for(lambda: _answers(redis_server.url), timeout=10)
    assert watch.look() == watch.KEPT  # restarted, nothing lost: nothing to hand out again
    assert watch.look() is None  # once a restart
    redis_server.restart()  # loads the old snapshot: what was written since is lost
    wait_for(lambda: _answers(redis_server.url), timeout=10)
    assert watch.look() == watch.LOST
    assert watch.look() is None


def test_a_look_that_fails_halfway_is_made_again_whole(redis_server):
    # Redis answering INFO (its new run id) while still loading its data, GET failing: the
    # run id had been taken as seen, and the restart that lost the data was never handed on
    watch = redis_link.RestartWatch(redis_server.url, "codequery:mark:test")
    assert watch.look() is None
    redis_server.restart()  # nothing saved: lost
    wait_for(lambda: _answers(redis_server.url), timeout=10)
    real = watch._client

    class Loading:
        def pipeline(self, transaction=True):
            return real.pipeline(transaction=transaction)

        def set(self, *args):
            raise redis_link.down_errors()[0]("LOADING Redis is loading the dataset")

    watch._client = Loading()
    with pytest.raises(redis_link.down_errors()):
        watch.look()
    watch._client = real
    assert watch.look() == watch.LOST


def _answers(url: str) -> bool:
    try:
        return bool(redis_link.client(url).ping())
    except redis_link.down_errors():
        return False
