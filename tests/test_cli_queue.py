"""codequery queue: what the commands say and how they exit (cli/queue_commands.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codequery import ledger
from codequery.workspace import Workspace
from tests.helpers import cli_run


def _pending(repo: Path, path: str) -> str:
    ws = Workspace(repo)
    [queued] = ledger.enqueue(ws.store.conn, ws.config.dataset, [(path, ledger.DOCUMENT, None)])
    return queued.id


@pytest.mark.parametrize("command", ["show", "cancel", "retry", "purge"])
def test_an_unknown_job_id_is_an_error(initialized_repo: Path, command: str):
    result = cli_run(initialized_repo, "queue", command, "Q-0000BEEF")
    assert result.exit_code == 1
    assert result.stderr == ("error: no job 'Q-0000BEEF'; `codequery queue list` shows the "
                             "jobs\n")
    assert result.stdout == ""
    # one not even shaped like an id says so, as the dashboard and the MCP tool do
    malformed = cli_run(initialized_repo, "queue", command, "Q-NOPE")
    assert malformed.exit_code == 1
    assert malformed.stderr == "error: 'Q-NOPE' is not a job id (they look like Q-1A2B3C4D)\n"


def test_cancel_with_one_unknown_id_cancels_none(initialized_repo: Path):
    job_id = _pending(initialized_repo, "README.md")
    result = cli_run(initialized_repo, "queue", "cancel", job_id.lower(), "Q-NOPE")
    assert result.exit_code == 1
    assert ledger.get(Workspace(initialized_repo).store.conn, job_id).status == ledger.PENDING
    assert "1 of 1 jobs cancelled" in cli_run(initialized_repo, "queue", "cancel",
                                              job_id.lower()).stdout


def test_purge_of_a_known_job_deletes_it(initialized_repo: Path):
    job_id = _pending(initialized_repo, "README.md")
    assert "1 of 1 jobs purged" in cli_run(initialized_repo, "queue", "purge", job_id).stdout
    assert ledger.get(Workspace(initialized_repo).store.conn, job_id) is None


def test_a_job_named_twice_counts_once(initialized_repo: Path):
    job_id = _pending(initialized_repo, "README.md")
    result = cli_run(initialized_repo, "queue", "cancel", job_id, job_id.lower())
    assert result.exit_code == 0, result.stderr
    assert "1 of 1 jobs cancelled" in result.stdout


def test_retry_all_dead_takes_the_jobs_named_too_and_says_which_were_left(initialized_repo):
    ws = Workspace(initialized_repo)
    conn = ws.store.conn
    cancelled = _pending(initialized_repo, "README.md")
    ledger.cancel(conn, [cancelled])
    dead = _pending(initialized_repo, "src/invoices.py")
    job = ledger.claim(conn, dead, "w", lease_seconds=60)
    assert ledger.fail(conn, job, "w", "boom", max_retries=0, base=1, cap=1) == ledger.DEAD
    done = cli_run(initialized_repo, "queue", "retry", "--all-dead", cancelled)
    assert done.exit_code == 0, done.stderr
    assert f"2 jobs queued again: {cancelled}, {dead}" in done.stdout
    assert ledger.get(conn, cancelled).status == ledger.PENDING
    # retried again: pending now, each named in the error with why
    again = cli_run(initialized_repo, "queue", "retry", cancelled, dead)
    assert again.exit_code == 1
    assert (f"2 jobs not retried: {cancelled} is pending: only dead or cancelled jobs can be "
            f"retried; {dead} is pending") in " ".join(again.stderr.split())


def test_a_dead_job_a_newer_pending_one_covers_is_named_with_it(initialized_repo: Path):
    ws = Workspace(initialized_repo)
    conn = ws.store.conn
    dead = _pending(initialized_repo, "README.md")
    job = ledger.claim(conn, dead, "w", lease_seconds=60)
    assert ledger.fail(conn, job, "w", "boom", max_retries=0, base=1, cap=1) == ledger.DEAD
    newer = _pending(initialized_repo, "README.md")
    said = cli_run(initialized_repo, "queue", "retry", dead)
    assert said.exit_code == 1
    assert f"{dead}: a newer pending job ({newer}) covers README.md" in said.stderr


def test_wait_says_what_holds_the_jobs_and_the_timeout_repeats_it(initialized_repo: Path):
    # a new user's trial: with claude not logged in, `queue wait` waited out its time and
    # said only "timed out; still open"
    from tests.helpers import a_job_held_by_a_block

    with a_job_held_by_a_block(initialized_repo) as job_id:
        result = cli_run(initialized_repo, "queue", "wait", job_id, "--timeout", "0.5")
    assert result.exit_code == 2
    held = "the claude documenter is blocked: not logged in: run `claude` once"
    assert result.stderr.splitlines() == [
        f"codequery: these jobs wait: {held}",
        f"codequery: timed out; still open: {job_id} (waiting: {held})"]
    # settings that cannot be read end no wait on the ledger (it had exited 1, as if a
    # job were dead)
    settings = initialized_repo / ".code-query" / "config.json"
    settings.write_text(settings.read_text().replace('"claude"', '"bogus"'))
    result = cli_run(initialized_repo, "queue", "wait", job_id, "--timeout", "0.3")
    assert result.exit_code == 2 and "timed out; still open" in result.stderr


@pytest.mark.parametrize("command", ["cancel", "purge", "retry"])
def test_a_job_being_documented_is_left_saying_what_to_do(initialized_repo: Path,
                                                          command: str):
    # a new user's trial: "Q-33B5CAC7 is processing: only pending jobs can be cancelled",
    # with a hung call that nothing they were told could end
    from codequery import holders, pidfile
    from codequery.paths import RepoPaths

    ws = Workspace(initialized_repo)
    said = {}
    import os

    for holder in ("worker", "remote", "another run", "another host"):
        job_id = _pending(initialized_repo, f"src/{holder}.py")
        owner = {"worker": holders.me(), "remote": holders.REMOTE_PREFIX + "t0k3n",
                 "another run": "elsewhere:1@1.0/MainThread",
                 "another host": f"elsewhere:{os.getpid()}@1.0/MainThread"}[holder]
        assert ledger.claim(ws.store.conn, job_id, owner, 60) is not None
        pidfile.write(RepoPaths(initialized_repo).pid_file)  # this process is "the worker"
        result = cli_run(initialized_repo, "queue", command, job_id)
        assert result.exit_code == 1 and f"{job_id} is processing" in result.stderr
        said[holder] = " ".join(result.stderr.split())
        assert f"`codequery queue wait {job_id}`" in said[holder]
    assert "`codequery worker stop` ends the call" in said["worker"]
    assert "a consumer of the remote queue has it" in said["remote"]
    assert "worker stop" not in said["remote"] + said["another run"] + said["another host"]


def test_show_prints_an_error_in_brackets_as_it_is(initialized_repo: Path):
    # a review: rich read "[/usr/bin/claude]" as a closing tag, and `queue show` crashed
    job_id = _pending(initialized_repo, "src/a.py")
    ws = Workspace(initialized_repo)
    job = ledger.claim(ws.store.conn, job_id, "w/1", 60)
    ledger.fail(ws.store.conn, job, "w/1", "DocumenterError: exit 1: [/usr/bin/claude] gone",
                max_retries=3, base=1, cap=1)
    result = cli_run(initialized_repo, "queue", "show", job_id)
    assert result.exit_code == 0, result.output
    assert "[/usr/bin/claude] gone" in result.stdout
