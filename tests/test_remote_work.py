"""Handing work out and taking answers back, in this process, against a real redis-server
and the fake Claude CLI: one answer completes a job once; a late, repeated or forged one
writes nothing; a consumer that stops beating gives its job back."""

import json
import pickle
import time
from pathlib import Path

import pytest

from codequery import ledger, redis_keys, redis_link, remote_consumer, remote_queue, remote_work
from codequery.jobs import DEFERRED, REMOTE, JobRunner
from codequery.remote_consumer import RemoteConsumer
from codequery.remote_work import RemoteWork, owner_of
from codequery.workspace import Workspace
from tests.helpers import cli_run, configure, logged_calls


@pytest.fixture
def home(repo, redis_server, fake_claude):
    """A runner of the repository on the Redis transport, handing work out (no worker)."""
    assert cli_run(repo, "init", "--documenter", "claude", "--no-document").exit_code == 0
    configure(repo, processing={"transport": "redis", "redis_url": redis_server.url},
              documenter={"requests_per_minute": 0})
    runner = JobRunner(Workspace(repo))
    runner.remote = RemoteWork(runner, redis_server.url, redis_keys.repo_id(repo))
    return runner


def _queue(runner: JobRunner, path: str) -> str:
    [queued] = ledger.enqueue(runner.store.conn, runner.config.dataset,
                              [(path, ledger.DOCUMENT, None)])
    return queued.id


def _next_answer(runner: JobRunner) -> dict:
    found = runner.remote.client.brpop(runner.remote._results, timeout=20)
    assert found is not None, "no answer came back"
    return json.loads(found[1])


def _served(runner: JobRunner) -> tuple[RemoteConsumer, dict]:
    """A consumer process's work in this process: one consumer thread until the first
    answer comes back."""
    consumer = RemoteConsumer(runner.remote.url, threads=1)
    consumer.start()
    try:
        return consumer, _next_answer(runner)
    finally:
        consumer.stop()


def _completions(runner: JobRunner, job_id: str) -> int:
    return sum(e["to"] == ledger.COMPLETED for e in ledger.events(runner.store.conn, job_id))


def test_an_answer_completes_its_job_once(home, fake_claude):
    job_id = _queue(home, "src/invoices.py")
    [result] = home.run_all(job_id)
    assert result.status == REMOTE
    held = ledger.get(home.store.conn, job_id)
    assert held.status == ledger.PROCESSING and held.lease_owner.startswith("remote:")
    consumer, answer = _served(home)
    assert answer["ok"] and answer["consumer"] == consumer.id
    home.remote.take(answer)
    home.remote.take(answer)  # delivered twice: the second finds the lease gone
    assert ledger.get(home.store.conn, job_id).status == ledger.COMPLETED
    assert _completions(home, job_id) == 1
    shown = home.store.get("src/invoices.py")
    assert shown["overview"] == "Fake documentation of src/invoices.py."
    [call] = logged_calls(fake_claude)
    assert "parse_invoice" in call["stdin"]  # the content and the hint travelled


def test_an_answer_for_a_lease_that_moved_on_writes_nothing(home):
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    payload = {"job": job_id, "token": "f" * 32}  # not the token the ledger holds
    forged = remote_queue.result_message(payload, "intruder:1@1", record={
        "path": "x", "language": "python", "size": 1, "line_count": 1,
        "content_sha": "0" * 40, "documenter": "claude", "model": None,
        "documented_at": "2026-01-01T00:00:00+00:00", "overview": "Forged."})
    home.remote.take(json.loads(forged))
    assert ledger.get(home.store.conn, job_id).status == ledger.PROCESSING
    assert home.store.get("src/invoices.py") is None


def test_an_answer_waiting_to_be_taken_is_not_mistaken_for_a_lost_consumer(home, fake_claude):
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    consumer, answer = _served(home)  # delivered: its heartbeat stops with it
    token = ledger.get(home.store.conn, job_id).lease_owner.removeprefix("remote:")
    redis_link.client(home.remote.url).delete(redis_keys.heartbeat(token))  # its TTL ran out
    home.remote.check_leases()  # the answer not taken yet, as behind a backlog
    assert ledger.get(home.store.conn, job_id).status == ledger.PROCESSING
    home.remote.take(answer)
    assert ledger.get(home.store.conn, job_id).status == ledger.COMPLETED
    assert len(logged_calls(fake_claude)) == 1  # paid once


def test_a_consumer_that_stops_beating_gives_its_job_back(home):
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    token = ledger.get(home.store.conn, job_id).lease_owner.removeprefix("remote:")
    client = redis_link.client(home.remote.url)
    client.set(redis_keys.started(token), "gone:1@1")  # taken, and no heartbeat since
    home.remote.check_leases()
    job = ledger.get(home.store.conn, job_id)
    assert job.status == ledger.PENDING and job.attempts == 0  # the attempt given back
    assert "stopped (no heartbeat)" in ledger.events(home.store.conn, job_id)[-1]["detail"]


def test_a_beating_consumer_keeps_its_lease(home):
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    owner = ledger.get(home.store.conn, job_id).lease_owner
    token = owner.removeprefix("remote:")
    client = redis_link.client(home.remote.url)
    client.set(redis_keys.started(token), "busy:1@1")
    client.set(redis_keys.heartbeat(token), "busy:1@1", ex=5)
    home.remote.check_leases()
    assert ledger.get(home.store.conn, job_id).lease_owner == owner_of(token)


def test_secret_looking_files_are_never_handed_out(home, redis_server):
    from tests.helpers import commit_all, write

    root = home.workspace.root
    write(root, {"deploy/server.pem": "-----BEGIN PRIVATE KEY-----\nabc\n"})
    commit_all(root)
    job_id = _queue(home, "deploy/server.pem")
    [result] = home.run_all(job_id)
    assert result.status == ledger.COMPLETED  # metadata only, at home
    assert redis_link.client(redis_server.url).keys("*") == []


def test_a_consumer_of_another_prompt_version_refuses_without_spending_an_attempt(home,
                                                                                  fake_claude):
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    payload = home.remote.huey.dequeue().args[0]  # the task as it went out
    payload["documenter"]["version"] = "p-another"
    RemoteConsumer(home.remote.url, threads=1).serve(payload)
    answer = _next_answer(home)
    assert not answer["ok"] and "prompt version" in answer["error"] and answer["wait"] > 0
    home.remote.take(answer)
    job = ledger.get(home.store.conn, job_id)
    assert job.status == ledger.PENDING and job.attempts == 0
    assert logged_calls(fake_claude) == []


class _CreatesFile:
    """Unpickling this creates a file: what an intruder's pickled task could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # noqa: ANN204
        return (open, (str(self.path), "w"))


def test_a_pickled_task_is_dropped_unrun_and_work_still_flows(home, tmp_path):
    planted = tmp_path / "planted"
    storage = home.remote.huey.storage
    storage.enqueue(pickle.dumps(_CreatesFile(planted)), 100)  # ahead of any real task
    job_id = _queue(home, "src/invoices.py")
    assert home.run_all(job_id)[0].status == REMOTE
    consumer, answer = _served(home)
    assert not planted.exists()
    assert answer["ok"] and answer["job"] == job_id
    assert storage.queue_size() == 0  # dropped, not left to trip the next consumer


def test_a_task_nobody_took_in_time_expires_unrun(home, fake_claude, monkeypatch):
    monkeypatch.setattr(remote_work, "QUEUE_PATIENCE_SECONDS", 0.2)
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    time.sleep(0.3)  # its lease ran out too: the job goes out again under a new token
    consumer = RemoteConsumer(home.remote.url, threads=1)
    assert consumer.take_one()
    assert logged_calls(fake_claude) == []
    client = redis_link.client(home.remote.url)
    assert client.keys(redis_keys.heartbeat("*")) == []
    [started] = client.keys(redis_keys.started("*"))  # for a while: it tells the home worker
    assert 0 < client.ttl(started) <= remote_consumer.SKIPPED_STARTED_TTL
    home.remote.check_leases()  # the token still holds the job: out again now
    job = ledger.get(home.store.conn, job_id)
    assert job.status == ledger.PENDING and job.attempts == 0


def test_an_expired_lease_whose_task_still_beats_is_not_renewed(home, monkeypatch):
    monkeypatch.setattr(remote_work, "QUEUE_PATIENCE_SECONDS", 0.2)
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    owner = ledger.get(home.store.conn, job_id).lease_owner
    time.sleep(0.3)
    RemoteConsumer(home.remote.url, threads=1).huey.dequeue()  # taken: beating a moment
    home.remote.check_leases()
    job = ledger.get(home.store.conn, job_id)
    assert job.lease_owner == owner and job.lease_expires_at < time.time()


def test_a_consumer_thread_survives_an_error_and_serves_on(home, fake_claude, monkeypatch):
    monkeypatch.setattr(remote_consumer, "ERROR_PAUSE_SECONDS", 0.1)
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    consumer = RemoteConsumer(home.remote.url, threads=1)
    dequeue, failures = consumer.huey.dequeue, []

    def failing_once():
        if not failures:
            failures.append(1)
            raise RuntimeError("a bug for once")
        return dequeue()

    consumer.huey.dequeue = failing_once
    consumer.start()
    try:
        answer = _next_answer(home)
    finally:
        consumer.stop()
    assert failures and answer["ok"] and answer["job"] == job_id


def test_the_token_comes_before_any_text_of_the_file_in_a_task(home):
    """The take script marks the first "token" of a task: no key before it may hold text
    from the repository."""
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    [message] = home.remote.huey.storage.enqueued_items()
    token = ledger.get(home.store.conn, job_id).lease_owner.removeprefix("remote:")
    assert message.index(b'"token":') < min(message.index(f'"{key}":'.encode())
                                            for key in ("path", "content", "hint"))
    assert message.split(b'"token":')[1].startswith(f'"{token}"'.encode())


def test_a_consumer_killed_just_after_taking_a_task_gives_its_job_back(home, fake_claude,
                                                                       monkeypatch):
    monkeypatch.setattr(remote_consumer, "HEARTBEAT_TTL", 2)
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    token = ledger.get(home.store.conn, job_id).lease_owner.removeprefix("remote:")
    consumer = RemoteConsumer(home.remote.url, threads=1)
    task = consumer.huey.dequeue()  # taken; the consumer dies before it begins the task
    assert remote_consumer.token_of(task) == token
    client = redis_link.client(home.remote.url)
    assert client.get(redis_keys.started(token)).decode() == consumer.id
    home.remote.check_leases()  # still beating: its lease holds
    assert ledger.get(home.store.conn, job_id).status == ledger.PROCESSING
    time.sleep(2.3)  # no heartbeat since
    home.remote.check_leases()
    job = ledger.get(home.store.conn, job_id)
    assert job.status == ledger.PENDING and job.attempts == 0
    assert logged_calls(fake_claude) == []


def test_taking_a_task_marks_its_own_token_not_a_text_that_looks_like_one(home):
    payload = {"v": remote_queue.PAYLOAD_VERSION, "repo": "r", "job": 'j"token":"aaaa',
               "token": "bbbb", "path": '"token": "cccc"'}
    home.remote.huey.enqueue(home.remote._task.s(payload))
    consumer = RemoteConsumer(home.remote.url, threads=1)
    assert remote_consumer.token_of(consumer.huey.dequeue()) == "bbbb"
    client = redis_link.client(home.remote.url)
    assert {key.decode() for key in client.keys(redis_keys.started("*"))} == {
        redis_keys.started("bbbb")}
    assert client.ttl(redis_keys.heartbeat("bbbb")) > 0


def test_an_idle_consumer_takes_nothing_and_marks_nothing(home):
    consumer = RemoteConsumer(home.remote.url, threads=1)
    assert not consumer.take_one()
    assert redis_link.client(home.remote.url).keys("codequery:*") == []


def test_an_unreachable_remote_queue_reschedules_the_job_with_a_delay(home, redis_server):
    job_id = _queue(home, "src/invoices.py")
    redis_server.stop()
    [result] = home.run_all(job_id)
    job = ledger.get(home.store.conn, job_id)
    assert result.status == DEFERRED
    assert job.status == ledger.PENDING and job.attempts == 0
    assert job.next_retry_at is not None and job.next_retry_at > time.time()


def test_a_consumers_failure_reads_as_its_documenter_said_it(home, fake_claude, monkeypatch):
    # "DocumenterError: DocumenterError: DocumenterTimeout: ..." had been recorded
    monkeypatch.setenv("FAKE_CLAUDE_FAIL", "1")
    job_id = _queue(home, "src/invoices.py")
    home.run_all(job_id)
    payload = home.remote.huey.dequeue().args[0]
    consumer = RemoteConsumer(home.remote.url, threads=1)
    consumer.serve(payload)
    answer = _next_answer(home)
    assert not answer["ok"]
    assert not answer["error"].startswith(("DocumenterError", "DocumenterTimeout"))
    assert answer["error"].endswith(f"(on {consumer.id})")
