"""`codequery init` and `document` with an LLM documenter run calls at once, as the
worker's threads do (they ran one call at a time: an hour for what took a worker half)."""

import json
import re

from codequery import local_run
from codequery.workspace import Workspace
from tests.helpers import cli_run, commit_all, configure, git, logged_calls, use_fake_llm, write

DELAY = 1.5  # each fake call takes this long


def _calls(log) -> list[float]:
    return sorted(json.loads(line)["time"] for line in log.read_text().splitlines())


def _overlapping(starts: list[float]) -> int:
    """How many calls began before the one before them could have ended."""
    return sum(1 for a, b in zip(starts, starts[1:], strict=False) if b - a < DELAY)


def _six_new_files(repo) -> list[str]:
    """Six files more; every tracked file, which the new documenter documents again."""
    write(repo, {f"src/part{n}.py": f"def part_{n}():\n    return {n}\n" for n in range(6)})
    commit_all(repo)
    return sorted(p for p in git(repo, "ls-files").split() if not p.startswith(".code-query/"))


def test_an_llm_documenter_documents_with_the_workers_threads(repo, tmp_path, monkeypatch):
    cli_run(repo, "init", "--no-hooks")
    use_fake_llm(repo)
    configure(repo, processing={"threads": 3})
    tracked = _six_new_files(repo)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    monkeypatch.setenv("FAKE_LLM_DELAY", str(DELAY))
    done: list[str] = []
    outcome = local_run.document_now(Workspace(repo), trigger="test", on_file=done.append)
    assert outcome.documented == len(tracked) and not outcome.unfinished, outcome
    assert sorted(done) == tracked  # each told once
    assert _overlapping(_calls(log)) >= len(tracked) // 2  # 3 at a time: most overlap


def test_batches_taken_by_one_thread_are_counted_once(repo, fake_claude, monkeypatch):
    # the fake claude answers batches (the command documenter has none): a job another
    # thread took into its batch comes back empty here and is counted with that batch
    cli_run(repo, "init", "--no-hooks")
    configure(repo, documenter={"name": "claude", "model": "claude-test", "batch_size": 3},
              processing={"threads": 3})
    tracked = _six_new_files(repo)
    monkeypatch.setenv("FAKE_CLAUDE_DELAY", "0.3")
    done: list[str] = []
    outcome = local_run.document_now(Workspace(repo), trigger="test", on_file=done.append)
    assert outcome.documented == len(tracked), outcome
    assert outcome.by_worker == 0 and not outcome.unfinished, outcome
    assert sorted(done) == tracked  # each told once
    assert len(logged_calls(fake_claude)) < len(tracked)  # batched


def test_a_block_starts_no_more_calls_and_leaves_the_rest_pending(repo, tmp_path,
                                                                     monkeypatch):
    cli_run(repo, "init", "--no-hooks")
    use_fake_llm(repo, breaker_failures=2)
    configure(repo, processing={"threads": 2})
    tracked = _six_new_files(repo)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    monkeypatch.setenv("FAKE_LLM_FAIL", "1")
    outcome = local_run.document_now(Workspace(repo), trigger="test")
    assert outcome.blocked is not None and "breaker" in outcome.blocked, outcome
    assert outcome.documented == 0
    assert len(outcome.failed) + outcome.left == len(tracked), outcome  # each counted once
    assert len(_calls(log)) < len(tracked)  # the open breaker stopped the calls


def test_copies_reaching_their_calls_at_once_cost_one_call(repo, tmp_path, monkeypatch):
    # records are keyed by content: a copy takes the record of the call that describes
    # the same content (two threads had both called for it, each paid for)
    cli_run(repo, "init", "--no-hooks")
    use_fake_llm(repo)
    configure(repo, processing={"threads": 4})
    same = '"""Shared."""\n\ndef shared():\n    return 1\n'
    write(repo, {f"src/copy{n}.py": same for n in range(4)})
    commit_all(repo)
    tracked = sorted(p for p in git(repo, "ls-files").split() if not p.startswith(".code-query/"))
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    monkeypatch.setenv("FAKE_LLM_DELAY", "1.0")
    done: list[str] = []
    outcome = local_run.document_now(Workspace(repo), trigger="test", on_file=done.append)
    assert (outcome.documented, outcome.reused) == (len(tracked) - 3, 3), outcome
    assert not outcome.unfinished and sorted(done) == tracked
    assert len(_calls(log)) == len(tracked) - 3  # the four copies: one call


def test_a_half_open_breaker_lets_its_probe_through_and_then_the_rest(repo, tmp_path,
                                                                     monkeypatch):
    # a review: with threads, the calls beside the half-open breaker's probe were refused,
    # and a refusal ended the run (a block) though the probe then shut the breaker: one
    # file documented of seven, where one thread documents them all
    import time

    from codequery.jobs import JobRunner

    cli_run(repo, "init", "--no-hooks")
    use_fake_llm(repo, breaker_failures=1, breaker_cooldown_seconds=300)
    configure(repo, processing={"threads": 3})
    tracked = _six_new_files(repo)
    ws = Workspace(repo)
    runner = JobRunner(ws)
    runner.caller.breaker.record_failure()  # an outage earlier opened it
    ws.store.conn.execute("UPDATE breakers SET opened_until = ?", (time.time() - 1,))
    assert runner.caller.breaker.state()["state"] == "half-open"
    monkeypatch.setenv("FAKE_LLM_DELAY", "0.3")
    outcome = local_run.document_now(ws, trigger="test", runner=runner)
    assert outcome.documented == len(tracked) and outcome.blocked is None, outcome
    assert runner.caller.breaker.state()["state"] == "closed"


def test_copies_in_batches_are_sent_once(repo, fake_claude, monkeypatch):
    # a review: with batches, a copy was taken out of the call's jobs but its content was
    # still sent in the call, and paid for
    cli_run(repo, "init", "--no-hooks")
    configure(repo, documenter={"name": "claude", "model": "claude-test", "batch_size": 2},
              processing={"threads": 4})
    same = '"""Shared."""\n\ndef shared_by_four():\n    return 1\n'
    write(repo, {f"src/copy{n}.py": same for n in range(4)})
    commit_all(repo)
    monkeypatch.setenv("FAKE_CLAUDE_DELAY", "0.5")
    outcome = local_run.document_now(Workspace(repo), trigger="test")
    assert outcome.reused == 3 and not outcome.unfinished, outcome
    sent = [path for call in logged_calls(fake_claude) for path in re.findall(
        r'(?:Path \(JSON string\): |describing the file )"(src/copy\d\.py)"', call["stdin"])]
    assert len(sent) == 1, sent


def test_a_copy_whose_call_ends_between_its_look_and_its_take_reuses_the_record(
        repo, tmp_path, monkeypatch):
    # the race behind a flaky run of the test above: a copy looked for a record (none
    # yet), the call describing its content then wrote one and let go of the content,
    # and the copy took it and called again, paid twice and counted as documented
    from codequery import ledger, under_way
    from codequery.jobs import REUSED, JobRunner

    cli_run(repo, "init", "--no-hooks")
    use_fake_llm(repo)
    same = '"""Shared."""\n\ndef shared():\n    return 1\n'
    write(repo, {"src/copy0.py": same, "src/copy1.py": same})
    commit_all(repo)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_LLM_LOG", str(log))
    ws = Workspace(repo)
    first, second = (q.id for q in ledger.enqueue(
        ws.store.conn, "test", [(f"src/copy{n}.py", ledger.DOCUMENT, None) for n in (0, 1)]))
    take, other = under_way.take, JobRunner(Workspace(repo))

    def take_after_the_other_call(key, taken):
        monkeypatch.setattr(under_way, "take", take)
        assert other.run(first).detail.startswith("documented by")  # ends just now
        return take(key, taken)

    monkeypatch.setattr(under_way, "take", take_after_the_other_call)
    done = JobRunner(ws).run(second)
    assert (done.status, done.detail) == ("completed", REUSED)
    assert len(_calls(log)) == 1
