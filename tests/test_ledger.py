import time

import pytest

from codequery import ledger, store

DATASET = "demo"


@pytest.fixture
def conn(tmp_path):
    return store.connect(tmp_path / "data.db")


def _enqueue(conn, *paths, sha="a" * 40, op=ledger.DOCUMENT, priority="normal"):
    return ledger.enqueue(conn, DATASET, [(p, op, sha) for p in paths], priority=priority)


def _claim(conn, job_id, owner="w1"):
    return ledger.claim(conn, job_id, owner, lease_seconds=60)


def test_ids_look_like_q_and_8_hex():
    assert ledger.new_id()[:2] == "Q-" and len(ledger.new_id()) == 10
    int(ledger.new_id()[2:], 16)


def test_an_id_already_taken_is_drawn_again(conn, monkeypatch):
    # 32 random bits do repeat in a long-lived ledger: the bench once crashed `init` so
    [first] = _enqueue(conn, "a.py")
    draws = iter([first.id, first.id, "Q-0000BEEF"])
    monkeypatch.setattr(ledger, "new_id", lambda: next(draws))
    [second] = _enqueue(conn, "b.py")
    assert second.id == "Q-0000BEEF"
    assert sorted(j.path for j in ledger.jobs(conn, DATASET)) == ["a.py", "b.py"]


def test_five_changes_to_one_file_coalesce_into_one_job(conn):
    ids = {_enqueue(conn, "a.py", sha=str(n) * 40)[0].id for n in range(5)}
    assert len(ids) == 1
    [job] = ledger.jobs(conn, DATASET)
    assert job.content_sha == "4" * 40
    assert len(ledger.events(conn, job.id)) == 1


def test_a_change_during_processing_gets_a_new_job_done_after(conn):
    [first] = _enqueue(conn, "a.py")
    assert _claim(conn, first.id) is not None
    [second] = _enqueue(conn, "a.py", sha="d" * 40)
    assert second.id != first.id and not second.coalesced
    assert _claim(conn, second.id, "w2") is None  # waits for the first
    job = ledger.get(conn, first.id)
    assert ledger.complete(conn, job, "w1", lambda: None)
    assert _claim(conn, second.id, "w2") is not None


def test_complete_writes_and_marks_in_one_transaction(conn):
    [q] = _enqueue(conn, "a.py")
    job = _claim(conn, q.id)

    def write_then_crash():
        conn.execute("INSERT INTO records (dataset, path, language, doc, size, line_count, "
                      "content_sha, documenter, documented_at) VALUES "
                      "('demo', 'a.py', 'python', '{}', 1, 1, 'x', 'builtin', 'now')")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        ledger.complete(conn, job, "w1", write_then_crash)
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0
    assert ledger.get(conn, q.id).status == ledger.PROCESSING


def test_a_lost_lease_completes_nothing(conn):
    [q] = _enqueue(conn, "a.py")
    job = _claim(conn, q.id, "old")
    ledger.release_processing(conn, DATASET, only_expired=False, worker="new")
    taken = _claim(conn, q.id, "new")
    assert not ledger.complete(conn, job, "old", lambda: pytest.fail("must not write"))
    assert ledger.complete(conn, taken, "new", lambda: None)
    assert ledger.get(conn, q.id).status == ledger.COMPLETED


def test_failures_back_off_then_the_job_is_dead(conn):
    [q] = _enqueue(conn, "a.py")
    delays = []
    for _ in range(3):
        job = ledger.claim(conn, q.id, "w", 60)
        assert ledger.fail(conn, job, "w", "boom", max_retries=3, base=2, cap=100) == "pending"
        delays.append(ledger.get(conn, q.id).next_retry_at - time.time())
        conn.execute("UPDATE jobs SET next_retry_at = 0 WHERE id = ?", (q.id,))
    job = ledger.claim(conn, q.id, "w", 60)
    assert ledger.fail(conn, job, "w", "boom", max_retries=3, base=2, cap=100) == "dead"
    assert 1.9 < delays[0] < 2.6 and 3.9 < delays[1] < 5.1 and 7.9 < delays[2] < 10.1
    assert ledger.get(conn, q.id).attempts == 4
    assert ledger.retry(conn, DATASET, all_dead=True) == [q.id]
    job = ledger.get(conn, q.id)
    assert (job.status, job.attempts) == ("pending", 0)


def test_a_job_not_yet_due_is_not_claimed(conn):
    [q] = _enqueue(conn, "a.py")
    job = _claim(conn, q.id)
    ledger.fail(conn, job, "w1", "boom", max_retries=3, base=30, cap=60)
    assert _claim(conn, q.id) is None


def test_reschedule_does_not_spend_an_attempt(conn):
    [q] = _enqueue(conn, "a.py")
    job = _claim(conn, q.id)
    assert ledger.reschedule(conn, job, "w1", 5, "breaker open")
    assert ledger.get(conn, q.id).attempts == 0


def test_dispatch_order_is_priority_then_age(conn):
    _enqueue(conn, "low.py", priority="low")
    _enqueue(conn, "normal.py")
    _enqueue(conn, "high.py", priority="high")
    due, _ = ledger.due_for_dispatch(conn, DATASET, redispatch_after=60)
    assert [j.path for j in due] == ["high.py", "normal.py", "low.py"]
    ledger.mark_dispatched(conn, [j.id for j in due])
    assert ledger.due_for_dispatch(conn, DATASET, redispatch_after=60)[0] == []


def test_cancel_only_pending_and_clear_old_finished(conn):
    [a] = _enqueue(conn, "a.py")
    [b] = _enqueue(conn, "b.py")
    _claim(conn, b.id)
    assert ledger.cancel(conn, [a.id, b.id]) == [a.id]
    conn.execute("UPDATE jobs SET updated_at = 0 WHERE id = ?", (a.id,))
    assert ledger.clear(conn, DATASET, older_than_days=1) == 1
    assert ledger.get(conn, a.id) is None and ledger.events(conn, a.id) == []
    assert ledger.get(conn, b.id).status == ledger.PROCESSING


def test_every_transition_is_an_event(conn):
    [q] = _enqueue(conn, "a.py")
    job = _claim(conn, q.id)
    ledger.complete(conn, job, "w1", lambda: None)
    steps = [(e["from"], e["to"]) for e in ledger.events(conn, q.id)]
    assert steps == [(None, "pending"), ("pending", "processing"), ("processing", "completed")]


def test_events_are_shown_in_time_order_of_the_newest_written(conn):
    # a job run at once stamps its `processing` event when it began, then waits for the
    # write lock while another thread's events are written: it comes after them in the
    # log, and is shown before them
    [slow] = _enqueue(conn, "slow.py")
    [quick] = _enqueue(conn, "quick.py")
    began = time.time() - 5
    ledger.complete(conn, _claim(conn, quick.id), "w2", lambda: None)
    conn.execute("INSERT INTO job_events (job_id, at, from_status, to_status, worker, detail)"
                  " VALUES (?, ?, 'pending', 'processing', 'w1', 'attempt 1')", (slow.id, began))
    shown = ledger.events(conn, None, DATASET)
    assert [e["at"] for e in shown] == sorted(e["at"] for e in shown)
    assert [e["id"] for e in shown] != sorted(e["id"] for e in shown)
    assert (shown[0]["path"], shown[0]["to"]) == ("slow.py", "processing")
    newest = ledger.events(conn, None, DATASET, limit=1)  # the newest written
    assert [(e["path"], e["to"]) for e in newest] == [("slow.py", "processing")]


def test_the_mean_duration_counts_only_jobs_done_since_the_settings_changed(conn):
    # a switch from the builtin documenter (hundredths of a second a file) to an LLM
    # (seconds a call) had left status promising a backlog "done in about 4s"
    fast, slow = _enqueue(conn, "a.py", "b.py")
    for job, seconds in ((fast, 0.01), (slow, 2.0)):
        assert _claim(conn, job.id) is not None
        assert ledger.complete(conn, ledger.get(conn, job.id), "w1", lambda: None)
        conn.execute("UPDATE jobs SET duration_s = ? WHERE id = ?", (seconds, job.id))
        time.sleep(0.01)
    switched = ledger.get(conn, slow.id).updated_at
    assert ledger.stats(conn, DATASET)["mean_duration_s"] == pytest.approx(1.005)
    assert ledger.stats(conn, DATASET, since=switched)["mean_duration_s"] == pytest.approx(2.0)
    assert ledger.stats(conn, DATASET, since=switched + 1)["mean_duration_s"] is None
