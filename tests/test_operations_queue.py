"""The queue operations the dashboard and `codequery queue` share (codequery/operations.py),
called in process on a real SQLite ledger."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from codequery import ledger, operations
from codequery.errors import CodeQueryError
from codequery.workspace import Workspace
from tests.helpers import dead_job


@pytest.fixture
def ws(initialized_repo: Path) -> Workspace:
    return Workspace(initialized_repo)


def _pending(ws: Workspace, path: str, priority: str = "normal") -> str:
    [queued] = ledger.enqueue(ws.store.conn, ws.config.dataset, [(path, ledger.DOCUMENT, None)],
                              priority=priority)
    return queued.id


def test_jobs_lists_the_newest_oldest_first_and_filters_by_state(ws: Workspace):
    completed = operations.jobs(ws)
    assert completed and all(j["status"] == "completed" for j in completed)
    dead = dead_job(ws, "src/invoices.py")
    pending = _pending(ws, "web/app.js")
    everything = operations.jobs(ws)
    assert [j["id"] for j in everything[-2:]] == [dead, pending]
    assert [j["id"] for j in operations.jobs(ws, "dead")] == [dead]
    assert [j["id"] for j in operations.jobs(ws, "pending")] == [pending]
    assert len(operations.jobs(ws, limit=1)) == 1


def test_jobs_with_an_unknown_state_is_a_clear_error(ws: Workspace):
    with pytest.raises(CodeQueryError, match="status must be one of pending"):
        operations.jobs(ws, "finished")


def test_retry_gives_a_dead_job_fresh_attempts_and_leaves_others(ws: Workspace):
    dead = dead_job(ws, "src/invoices.py")
    pending = _pending(ws, "web/app.js")
    assert operations.retry(ws, [dead.lower(), pending, "Q-00000000"], by="dashboard") == [dead]
    found = operations.job(ws, dead)
    assert found["status"] == "pending" and found["attempts"] == 0
    last = found["events"][-1]
    assert (last["from"], last["to"], last["worker"]) == ("dead", "pending", "dashboard")
    assert operations.retry(ws, [dead]) == []  # pending now: nothing to retry


def test_cancel_takes_pending_jobs_only(ws: Workspace):
    pending = _pending(ws, "web/app.js")
    dead = dead_job(ws, "src/invoices.py")
    assert operations.cancel(ws, [pending, dead], by="dashboard") == [pending]
    assert operations.job(ws, pending)["status"] == "cancelled"
    assert operations.job(ws, dead)["status"] == "dead"


def test_events_since_returns_only_newer_events_with_their_ids(ws: Workspace):
    start = operations.last_event_id(ws)
    assert operations.events_since(ws, start) == []
    job_id = _pending(ws, "web/app.js")
    operations.cancel(ws, [job_id])
    news = operations.events_since(ws, start)
    assert [(e["job"], e["from"], e["to"]) for e in news] == [
        (job_id, None, "pending"), (job_id, "pending", "cancelled")]
    assert news[0]["id"] < news[1]["id"] and news[0]["path"] == "web/app.js"
    assert operations.events_since(ws, news[0]["id"]) == news[1:]
    assert operations.events_since(ws, start, limit=1) == news[:1]


def test_an_event_id_is_never_given_twice_even_after_its_job_is_purged(ws: Workspace):
    job_id = _pending(ws, "web/app.js")
    seen = operations.last_event_id(ws)
    ledger.purge(ws.store.conn, [job_id])  # the newest events go with their job
    _pending(ws, "README.md")
    assert [e["path"] for e in operations.events_since(ws, seen)] == ["README.md"]


@pytest.mark.parametrize("after,last,start", [
    ("5", None, 5), ("5", "9", 9), (None, "9", 9), ("²", None, None), ("9" * 20, None, None),
    ("-1", "x", None), (" 7 ", None, 7)])
def test_where_a_stream_starts(after, last, start):
    from codequery.server.dashboard import live

    assert live.start_after(after, last) == start


def test_events_of_one_job_and_of_an_unknown_one(ws: Workspace):
    job_id = _pending(ws, "web/app.js")
    assert [e["to"] for e in operations.events(ws, job_id)] == ["pending"]
    with pytest.raises(CodeQueryError, match="no job 'Q-00000000'"):
        operations.events(ws, "Q-00000000")


def test_queue_by_priority_counts_every_state_and_priority(ws: Workspace):
    _pending(ws, "web/app.js", priority="high")
    _pending(ws, "README.md", priority="low")
    dead_job(ws, "src/invoices.py")
    found = operations.queue_by_priority(ws)
    assert set(found) == set(ledger.STATUSES)
    assert found["pending"] == {"high": 1, "normal": 0, "low": 1}
    assert found["dead"] == {"high": 0, "normal": 1, "low": 0}
    assert sum(found["completed"].values()) == ledger.counts(
        ws.store.conn, ws.config.dataset)["completed"]


def test_throughput_counts_completions_per_minute_over_the_last_hour(ws: Workspace):
    now = time.time()
    completed = ledger.counts(ws.store.conn, ws.config.dataset)["completed"]
    minutes = operations.throughput(ws, now=now)
    assert len(minutes) == 60
    this_minute = time.strftime("%Y-%m-%dT%H:%M:00+00:00", time.gmtime(now))
    assert minutes[-1]["minute"] == this_minute
    assert sum(m["completed"] for m in minutes) == completed  # `init` just did them all
    # An hour later they have left the window.
    assert sum(m["completed"] for m in operations.throughput(ws, now=now + 3700)) == 0
    with pytest.raises(CodeQueryError, match="minutes must be between"):
        operations.throughput(ws, minutes=0)
